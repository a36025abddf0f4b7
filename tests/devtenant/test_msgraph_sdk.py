"""Microsoft's own Python SDK (msgraph-sdk) drives the dev tenant through the calls MyGov makes,
with its typed request builders, not raw URLs (issue 23): what real Graph accepts from it, the
dev tenant must accept too (`/users/delta()`, `/places/graph.room`, `Schedules`, `Message`...)."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
from kiota_abstractions.authentication.base_bearer_token_authentication_provider import (
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.subscription import Subscription
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import SendMailPostRequestBody
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem

from tests.devtenant.conftest import ROOM, app_token
from tests.devtenant.notification_receiver import NotificationReceiver

SENDER = "noreply@auburnal.gov"


class DevTenantToken(AccessTokenProvider):
    """The app token MSAL got from the dev tenant (client credentials, as MyGov does)."""

    def __init__(self, token: str, host: str) -> None:
        self.token = token
        self.validator = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self.validator


def sdk_client(tenant) -> tuple[GraphServiceClient, httpx.AsyncClient]:
    host = tenant.url.removeprefix("https://")
    auth = BaseBearerTokenAuthenticationProvider(DevTenantToken(app_token(tenant), host.split(":")[0]))
    http = httpx.AsyncClient(verify=tenant.ca_path, trust_env=False)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = tenant.graph_base_url
    return GraphServiceClient(request_adapter=adapter), http


def _when(hour: int) -> DateTimeTimeZone:
    return DateTimeTimeZone(date_time=f"2030-03-04T{hour:02d}:00:00", time_zone="UTC")


async def _drive(tenant, receiver: NotificationReceiver) -> dict[str, Any]:
    client, http = sdk_client(tenant)
    seen: dict[str, Any] = {}
    try:
        # users with paging, then delta (the SDK calls /users/delta())
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(top=10, select=["id", "displayName"])
        page = await client.users.get(RequestConfiguration(query_parameters=query))
        users = list(page.value)
        while page.odata_next_link:
            page = await client.users.with_url(page.odata_next_link).get()
            users += page.value
        seen["users"] = len(users)
        delta = await client.users.delta.get()
        while delta.odata_next_link:
            delta = await client.users.delta.with_url(delta.odata_next_link).get()
        seen["delta_link"] = delta.odata_delta_link
        # rooms through the graph.room cast, on the collection and on one place
        rooms = await client.places.graph_room.get()
        seen["room"] = (await client.places.by_place_id(ROOM).graph_room.get()).email_address
        seen["rooms"] = len(rooms.value)
        # a room mailbox is a directory user too
        seen["room_user"] = (await client.users.by_user_id(ROOM).get()).mail
        # events: create, update, delete in the room's calendar
        events = client.users.by_user_id(ROOM).events
        created = await events.post(Event(subject="SDK booking", start=_when(10), end=_when(11)))
        await events.by_event_id(created.id).patch(Event(subject="SDK booking, moved"))
        seen["event"] = (await events.by_event_id(created.id).get()).subject
        # getSchedule and sendMail, whose parameters the SDK writes Schedules, Message...
        schedule = await client.users.by_user_id(SENDER).calendar.get_schedule.post(
            GetSchedulePostRequestBody(schedules=[ROOM], start_time=_when(9), end_time=_when(12),
                                       availability_view_interval=60)
        )
        seen["availability"] = schedule.value[0].availability_view
        await events.by_event_id(created.id).delete()
        await client.users.by_user_id(SENDER).send_mail.post(SendMailPostRequestBody(
            message=Message(subject="From the SDK", body=ItemBody(content_type=BodyType.Text, content="Hi"),
                            to_recipients=[Recipient(email_address=EmailAddress(address="tasha.brewer@auburnal.gov"))]),
            save_to_sent_items=False,
        ))
        # groups and members
        groups = await client.groups.get()
        group = next(g for g in groups.value if g.display_name == "mygov-calendars-editor")
        chen = await client.users.by_user_id("chen.wu@auburnal.gov").get()
        await client.groups.by_group_id(group.id).members.ref.post(
            ReferenceCreate(odata_id=f"{tenant.graph_base_url}/directoryObjects/{chen.id}")
        )
        members = await client.groups.by_group_id(group.id).members.get()
        seen["member"] = chen.id in [m.id for m in members.value]
        # $batch
        # $batch: msgraph-core 1.5 leaves each item's URL absolute, which Graph refuses (400, as the
        # dev tenant does; msgraph-sdk-python issue #1015), so make it relative as its users do.
        batch = BatchRequestContent()
        for item_id, info in (("room", client.users.by_user_id(ROOM).to_get_request_information()),
                              ("groups", client.groups.to_get_request_information())):
            item = BatchRequestItem(info, id=item_id)
            item.url = item.url.removeprefix(tenant.graph_base_url)
            batch.add_request(item_id, item)
        answer = await BatchRequestBuilder(client.request_adapter).post(batch)
        seen["batch"] = sorted((item_id, item.status) for item_id, item in answer.responses.items())
        # subscriptions: create (validated), renew, delete
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
        subscription = await client.subscriptions.post(Subscription(
            change_type="created,updated,deleted", notification_url=receiver.url, resource=f"/users/{ROOM}/events",
            expiration_date_time=later, client_state="sdk-secret",
        ))
        renewed = await client.subscriptions.by_subscription_id(subscription.id).patch(
            Subscription(expiration_date_time=later + dt.timedelta(days=1))
        )
        seen["renewed"] = renewed.expiration_date_time > subscription.expiration_date_time
        await client.subscriptions.by_subscription_id(subscription.id).delete()
    finally:
        await http.aclose()
    return seen


def test_the_sdk_typed_calls_work_against_the_dev_tenant(tenant):
    tenant.control.update_settings(notification_https_only=False)
    receiver = NotificationReceiver()
    try:
        # Its own thread: a browser test earlier in the run leaves Playwright's event loop running
        # in this one, where asyncio.run refuses to start.
        with ThreadPoolExecutor(1) as pool:
            seen = pool.submit(asyncio.run, _drive(tenant, receiver)).result()
    finally:
        receiver.stop()
    assert seen["users"] > 10 and seen["delta_link"]
    assert seen["rooms"] == 6 and seen["room"] == ROOM and seen["room_user"] == ROOM
    assert seen["event"] == "SDK booking, moved" and seen["availability"] == "020"
    assert seen["member"] and seen["renewed"]
    assert seen["batch"] == [("groups", 200), ("room", 200)]
    assert tenant.control.outbound_mail()[0]["delivered"] == ["tasha.brewer@auburnal.gov"]
    assert len(receiver.validations) == 1 and tenant.control.subscriptions() == []
