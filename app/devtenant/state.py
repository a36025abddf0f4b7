"""The dev tenant's in-memory state: directory, mailboxes, places, logs and knobs.

One re-entrant lock guards everything; the Flask app holds it while a handler runs, so handlers
read and write plain dicts. The directory keeps a change log that users/delta replays.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID

DEFAULT_APP_ROLES = (
    "Calendars.ReadWrite",
    "Place.ReadWrite.All",
    "Group.ReadWrite.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Mail.Send",
    "Mail.Read",
    "Sites.ReadWrite.All",
)
DEFAULT_REDIRECT_URIS = tuple(
    f"http://{host}:5000/auth/{page}" for host in ("127.0.0.1", "localhost") for page in ("callback", "signed-out")
)


@dataclass
class Client:
    client_id: str
    display_name: str
    secret: str | None
    redirect_uris: set[str]
    app_roles: list[str]
    certificates: dict[str, PublicKeyTypes] = field(default_factory=dict)  # x5t -> public key


@dataclass
class Mailbox:
    id: str
    address: str
    display_name: str
    kind: str  # user | room | shared
    calendar_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    transaction_ids: dict[str, str] = field(default_factory=dict)
    folders: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"inbox": {}, "sentitems": {}, "deleteditems": {}}
    )
    calendar_permissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted_events: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def email_address(self) -> dict[str, str]:
        return {"name": self.display_name, "address": self.address}


@dataclass
class Faults:
    throttle_share: float = 0.0
    # None: no Retry-After header, which Graph may do (contract §11.1); the client backs off itself.
    retry_after: int | None = 1
    status: int = 429
    latency_ms: int = 0
    path_prefix: str | None = None
    count: int | None = None
    # "applied": the request takes effect and only then is answered with the error, as when a
    # gateway times out after Exchange did the work (a retried create must not duplicate it).
    applied: bool = False
    matched: int = 0
    rejected: int = 0


@dataclass
class Settings:
    delta_page_size: int = 200
    delta_token_lifetime_days: int = 7
    # Users delta and calendarView delta answer an empty page that still carries a nextLink before
    # every page of a round, as Graph can (contract §3.2, §6.5, gotcha 8): a client that stops at
    # an empty page loses the rest.
    delta_empty_pages: bool = False
    places_propagation_seconds: float = 0.0
    # A group created through Graph is not readable at once, as the directory replicates (contract
    # §4.2: a GET right after create can 404 briefly): it answers 404 Request_ResourceNotFound to
    # its first `groups_replication_reads` reads (GET, lists, members) and for
    # `groups_replication_seconds` after creation. The default is Graph-like and deterministic.
    groups_replication_seconds: float = 0.0
    groups_replication_reads: int = 1
    mailbox_concurrency: int = 4
    # Graph's transactionId de-duplication has no documented window (contract §6.1, gotcha 12);
    # switched off, a repeated POST creates a second event, as it may after the window.
    transaction_id_dedupe: bool = True
    # Change notifications (docs/graph-notifications.md). Graph only calls HTTPS notification
    # URLs; tests with a plain-HTTP receiver switch that off. Faults: a share of notification
    # posts dropped, every post delayed, or every item delivered twice.
    notification_https_only: bool = True
    notification_validation_timeout: float = 10.0  # Graph waits 10 s for the validation answer
    notification_drop_share: float = 0.0
    notification_delay_seconds: float = 0.0
    notification_duplicate: bool = False
    undeliverable_domains: list[str] = field(default_factory=lambda: ["invalid.example"])
    undeliverable_addresses: list[str] = field(default_factory=list)
    # Exchange Online RBAC for Applications: the mailboxes (addresses) the app's management scope
    # covers. None = tenant-wide consent. Set, any mail or calendar call on another mailbox is
    # refused as Exchange refuses it (403 ErrorAccessDenied), whatever the app's Graph permissions.
    exchange_app_scope: list[str] | None = None


@dataclass
class DirectoryChange:
    version: int
    object_id: str
    properties: frozenset[str] | None  # None: the whole object (created or restored)
    removed: str | None = None  # "changed" (soft delete) | "deleted" (permanent)


class TenantState:
    def __init__(self, tenant_id: str = DEV_TENANT_ID, domain: str = "auburnal.gov") -> None:
        self.lock = threading.RLock()
        # Called (holding the lock) with (kind, owner id, item id, changeType) for every change a
        # subscription could be about: kind "events" | "messages" (owner: mailbox id) | "users".
        self.on_change: Callable[[str, str | None, str, str], None] | None = None
        self.tenant_id = tenant_id
        self.domain = domain
        self.clear()

    def clear(self) -> None:
        """Forget everything (the seed loader fills the state again)."""
        self.users: dict[str, dict[str, Any]] = {}
        self.deleted_users: dict[str, dict[str, Any]] = {}
        self.photos: dict[str, tuple[bytes, str, str]] = {}  # user id -> (bytes, type, etag)
        self.groups: dict[str, dict[str, Any]] = {}
        self.members: dict[str, set[str]] = {}
        self.owners: dict[str, set[str]] = {}
        self.mailboxes: dict[str, Mailbox] = {}
        self.mailbox_index: dict[str, str] = {}
        self.places: dict[str, dict[str, Any]] = {}
        self.place_visible_at: dict[str, float] = {}
        self.group_visible_at: dict[str, float] = {}
        self.group_unreplicated_reads: dict[str, int] = {}  # group id -> reads still answered 404
        self.list_items: list[dict[str, Any]] = []
        self.list_item_seq: dict[tuple[str, str], int] = {}  # ids are never reused after a delete
        self.site_permissions: list[dict[str, Any]] = []  # apps granted one site (Sites.Selected)
        self.teams_posts: list[dict[str, Any]] = []
        self.outbound_mail: list[dict[str, Any]] = []
        self.clients: dict[str, Client] = {
            DEV_CLIENT_ID: Client(
                DEV_CLIENT_ID,
                "MyGov (dev)",
                DEV_CLIENT_SECRET,
                set(DEFAULT_REDIRECT_URIS),
                list(DEFAULT_APP_ROLES),
            )
        }
        self.auth_codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.directory_version = 0
        self.directory_log: list[DirectoryChange] = []
        self.event_version = 0
        self.event_log: list[tuple[int, str, str]] = []  # (version, mailbox id, event id)
        self.events_seen: set[tuple[str, str]] = set()
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.pending_notifications: list[tuple[float, dict[str, Any]]] = []  # (due time, item)
        self.notification_log: list[dict[str, Any]] = []
        self.delta_generation = 0
        self.delta_expiry_mode = "syncStateNotFound"
        self.counters: Counter[str] = Counter()
        self.throttled_count = 0
        self.faults: Faults | None = None
        self.settings = Settings()

    # --- users -------------------------------------------------------------------------------

    def find_user(self, key: str) -> dict[str, Any] | None:
        """A user by object id or userPrincipalName (Graph's `/users/{id | userPrincipalName}`)."""
        if key in self.users:
            return self.users[key]
        lowered = key.lower()
        for user in self.users.values():
            if user["id"] == lowered or (user.get("userPrincipalName") or "").lower() == lowered:
                return user
        return None

    def add_user(self, user: dict[str, Any], with_mailbox: bool = True) -> dict[str, Any]:
        user = {**user}
        user.setdefault("id", str(uuid.uuid4()))
        user.setdefault("accountEnabled", True)
        user.setdefault("businessPhones", [])
        user.setdefault("userType", "Member")
        user.setdefault("mail", user.get("userPrincipalName"))
        self.users[user["id"]] = user
        self.deleted_users.pop(user["id"], None)
        if with_mailbox and user.get("mail"):
            self.add_mailbox(Mailbox(user["id"], user["mail"], user.get("displayName") or "", "user"))
        self._log_change(user["id"], None)
        return user

    def update_user(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        user = self.users[user_id]
        changed = frozenset(name for name, value in changes.items() if user.get(name) != value)
        user.update(changes)
        if changed:
            self._log_change(user_id, changed)
        return user

    def remove_user(self, user_id: str, permanent: bool = False) -> None:
        """Soft delete (restorable, delta says reason "changed") or permanent ("deleted")."""
        user = self.users.pop(user_id, None) or self.deleted_users.pop(user_id)
        if not permanent:
            self.deleted_users[user_id] = user
        for member_ids in (*self.members.values(), *self.owners.values()):
            member_ids.discard(user_id)
        mailbox = self.mailboxes.pop(user_id, None)
        if mailbox:
            self.mailbox_index.pop(mailbox.address.lower(), None)
        self.photos.pop(user_id, None)
        self._log_change(user_id, None, removed="deleted" if permanent else "changed")

    def _log_change(
        self, object_id: str, properties: frozenset[str] | None, removed: str | None = None
    ) -> None:
        self.directory_version += 1
        self.directory_log.append(DirectoryChange(self.directory_version, object_id, properties, removed))
        # Graph's users subscriptions say "updated" for created, changed and soft-deleted users.
        self._changed("users", None, object_id, "deleted" if removed == "deleted" else "updated")

    def record_event_change(self, mailbox_id: str, event_id: str) -> None:
        """calendarView/delta replays this log."""
        self.event_version += 1
        self.event_log.append((self.event_version, mailbox_id, event_id))
        mailbox = self.mailboxes.get(mailbox_id)
        if mailbox is not None and event_id in mailbox.events:
            change = "updated" if (mailbox_id, event_id) in self.events_seen else "created"
            self.events_seen.add((mailbox_id, event_id))
        elif mailbox is not None and event_id.rpartition("_")[0] in mailbox.events:
            change = "updated"  # an occurrence of a series changed
        else:
            change = "deleted"
        self._changed("events", mailbox_id, event_id, change)

    def store_message(self, mailbox: Mailbox, folder: str, message: dict[str, Any]) -> None:
        mailbox.folders[folder][message["id"]] = message
        if folder == "inbox":
            self._changed("messages", mailbox.id, message["id"], "created")

    def _changed(self, kind: str, owner_id: str | None, item_id: str, change: str) -> None:
        if self.on_change is not None:
            self.on_change(kind, owner_id, item_id, change)

    # --- groups ------------------------------------------------------------------------------

    def add_group(
        self, group: dict[str, Any], members: Iterable[str] = (), owners: Iterable[str] = ()
    ) -> dict[str, Any]:
        group = {**group}
        if not group.get("id"):  # a create body's null "id" placeholder gets a fresh object id
            group["id"] = str(uuid.uuid4())
        self.groups[group["id"]] = group
        self.members[group["id"]] = set(members)
        self.owners[group["id"]] = set(owners)
        return group

    def remove_group(self, group_id: str) -> None:
        self.groups.pop(group_id)
        self.members.pop(group_id, None)
        self.owners.pop(group_id, None)
        self.group_visible_at.pop(group_id, None)
        self.group_unreplicated_reads.pop(group_id, None)
        for member_ids in self.members.values():
            member_ids.discard(group_id)

    def transitive_groups(self, object_id: str) -> set[str]:
        """Ids of every group `object_id` belongs to, directly or through nested groups."""
        found: set[str] = set()
        frontier = {object_id}
        while frontier:
            current = frontier.pop()
            for group_id, member_ids in self.members.items():
                if current in member_ids and group_id not in found:
                    found.add(group_id)
                    frontier.add(group_id)
        return found

    # --- mailboxes ---------------------------------------------------------------------------

    def add_mailbox(self, mailbox: Mailbox) -> Mailbox:
        self.mailboxes[mailbox.id] = mailbox
        self.mailbox_index[mailbox.address.lower()] = mailbox.id
        return mailbox

    def add_resource_mailbox(self, mailbox: Mailbox) -> Mailbox:
        """A room or shared mailbox: in Entra it is a directory user whose sign-in is disabled, so
        `/users` lists, `/users/delta` and `GET /users/{address}` return it as they return staff."""
        self.add_mailbox(mailbox)
        self.add_user(
            {
                "id": mailbox.id,
                "displayName": mailbox.display_name,
                "mail": mailbox.address,
                "userPrincipalName": mailbox.address,
                "accountEnabled": False,
                "givenName": None,
                "surname": None,
                "jobTitle": None,
            },
            with_mailbox=False,
        )
        return mailbox

    def find_mailbox(self, key: str) -> Mailbox | None:
        """A mailbox by owner object id or SMTP address (users, rooms and shared mailboxes)."""
        if key in self.mailboxes:
            return self.mailboxes[key]
        lowered = key.lower()
        mailbox_id = self.mailbox_index.get(lowered)
        if mailbox_id is None:
            user = self.find_user(key)
            mailbox_id = user["id"] if user else None
        return self.mailboxes.get(mailbox_id or "")

    # --- inspection --------------------------------------------------------------------------

    def app_roles(self, client_id: str) -> list[str]:
        client = self.clients.get(client_id)
        return list(client.app_roles) if client else []
