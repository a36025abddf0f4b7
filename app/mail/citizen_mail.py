"""Mail templates citizens receive (reservations) and the server job notice."""
from __future__ import annotations

from app.mail.template_spec import MANAGE_URL, REASON, RESERVATION_EXAMPLE, RESERVATION_VARIABLES, MailTemplate, Variable

CITIZEN_TEMPLATES: tuple[MailTemplate, ...] = (
    MailTemplate(
        "reservation_received", "Reservation request received",
        "Sent to a citizen as soon as they ask for a room that needs approval.",
        (*RESERVATION_VARIABLES, MANAGE_URL),
        "We received your reservation request {{ reference }}",
        "Hello {{ requester_name }},\n\nWe received your request to reserve {{ space_name }}. The time is held "
        "for you while staff review the request. You will get another email when they decide.\n\n{{ details }}"
        "\n\nTo view or cancel your request, open this link:\n{{ manage_url }}",
        RESERVATION_EXAMPLE,
    ),
    MailTemplate(
        "reservation_approved", "Reservation confirmed",
        "Sent when staff approve a request, or at once for a room that needs no approval.",
        (*RESERVATION_VARIABLES, MANAGE_URL),
        "Your reservation {{ reference }} is confirmed",
        "Hello {{ requester_name }},\n\nYour reservation of {{ space_name }} is confirmed.\n\n{{ details }}\n\n"
        "If your plans change, please cancel so others can use the room:\n{{ manage_url }}",
        RESERVATION_EXAMPLE,
    ),
    MailTemplate(
        "reservation_denied", "Reservation not approved",
        "Sent when staff deny a request, with the reason they gave.",
        (*RESERVATION_VARIABLES, Variable("reason", "the reason staff gave", required=True)),
        "Your reservation request {{ reference }} was not approved",
        "Hello {{ requester_name }},\n\nWe are sorry: your request to reserve {{ space_name }} was not approved, "
        "and the time is no longer held for you.\n\nReason: {{ reason }}\n\n{{ details }}",
        {**RESERVATION_EXAMPLE, "reason": "The room is closed that evening for floor cleaning."},
    ),
    MailTemplate(
        "reservation_cancelled", "Reservation cancelled",
        "Sent when the citizen cancels with their link, or staff cancel a reservation.",
        (*RESERVATION_VARIABLES, REASON,
         Variable("cancelled_by", "who cancelled: “As you asked, we” or “Staff”")),
        "Your reservation {{ reference }} is cancelled",
        "Hello {{ requester_name }},\n\n{{ cancelled_by }} cancelled your reservation of {{ space_name }}."
        "\n\n{{ details }}",
        {**RESERVATION_EXAMPLE, "by_citizen": True},
    ),
    MailTemplate(
        "notice", "Notice from a server job",
        "A short message a scheduled server job sends (action “Send a templated message”).",
        (Variable("title", "the subject the job gives", required=True),
         Variable("message", "the job's message", required=True), Variable("reference", "a reference, if any")),
        "{{ title }}",
        "{{ message }}",
        {"title": "Library closed Monday for the holiday",
         "message": "The Auburn Public Library is closed on Monday, January 19. Book drops stay open.",
         "reference": "N-2026-01"},
    ),
)

_CALENDAR_LINKS = Variable("calendar_links", "the links that add the booking to Google Calendar or Outlook.com")
_EXAMPLE_DATES = [
    {"reference": "R-4HT8KD2Q", "when": "Thursday, March 12, 2026, 6:00 PM to 8:00 PM",
     "manage_url": "https://www.auburnal.gov/reservations/manage/example-1"},
    {"reference": "R-9PZ3MW6C", "when": "Thursday, March 19, 2026, 6:00 PM to 8:00 PM",
     "manage_url": "https://www.auburnal.gov/reservations/manage/example-2"},
]

MORE_CITIZEN_TEMPLATES: tuple[MailTemplate, ...] = (
    MailTemplate(
        "reservation_confirm_address", "Confirm the email address",
        "Sent first, to an address nobody has confirmed yet: the request is kept only once its owner confirms. "
        "It offers nothing the requester typed (not even their name), so the form cannot send the city's mail "
        "with someone else's words.",
        (Variable("reference", "the reservation's reference, such as R-7KQ2M9XD", required=True),
         Variable("space_name", "the room"), Variable("facility_name", "the building"),
         Variable("when", "the day and time, in the city's time zone"),
         Variable("confirm_url", "the link that confirms the address", required=True),
         Variable("confirm_minutes", "how many minutes the request is held unconfirmed", required=True)),
        "Please confirm your email address for reservation request {{ reference }}",
        "Someone asked to reserve {{ space_name }}, {{ facility_name }} on the city's website and gave this email "
        "address.\n\nReference: {{ reference }}\nWhen: {{ when }}\n\nIf it was you, confirm your address within "
        "{{ confirm_minutes }} minutes to keep the request:\n{{ confirm_url }}\n\nIf it was not you, you need "
        "not do anything: the time is released after {{ confirm_minutes }} minutes and we will not write to you "
        "about it again.",
        {key: value for key, value in RESERVATION_EXAMPLE.items() if key != "requester_name"}
        | {"confirm_url": "https://www.auburnal.gov/reservations/confirm/example", "confirm_minutes": 60},
    ),
    MailTemplate(
        "reservation_moved", "Reservation moved",
        "Sent when staff or the citizen move a reservation to another room or time.",
        (*RESERVATION_VARIABLES, MANAGE_URL, _CALENDAR_LINKS),
        "Your reservation {{ reference }} has moved",
        "Hello {{ requester_name }},\n\nYour reservation {{ reference }} has moved. This is the new room and time:"
        "\n\n{{ details }}\n\n{{ calendar_links }}\n\nTo change it again or cancel:\n{{ manage_url }}",
        {**RESERVATION_EXAMPLE, "google_calendar_url": "https://calendar.google.com/calendar/render?action=TEMPLATE",
         "outlook_calendar_url": "https://outlook.live.com/calendar/0/action/compose"},
    ),
    MailTemplate(
        "reservation_reminder", "Reservation reminder",
        "Sent to the citizen shortly before their reservation.",
        (*RESERVATION_VARIABLES, MANAGE_URL),
        "Reminder: {{ space_name }}, {{ starts }}",
        "Hello {{ requester_name }},\n\nA reminder: you have reserved {{ space_name }} at {{ facility_name }}."
        "\n\n{{ details }}\n\nIf you no longer need the room, please cancel so others can use it:\n{{ manage_url }}",
        RESERVATION_EXAMPLE,
    ),
    MailTemplate(
        "reservation_series", "Repeating reservation",
        "Sent when a citizen books the same room on several dates at once.",
        (Variable("requester_name", "the name the citizen gave"),
         Variable("series_reference", "the repeating reservation's reference", required=True),
         Variable("space_name", "the room"), Variable("facility_name", "the building"),
         Variable("frequency", "how often, such as “weekly”"),
         Variable("headline", "“Your repeating reservation … is confirmed” or “We received your repeating "
                              "reservation request …”, as the case is"),
         Variable("summary", "the sentence saying it is confirmed, or that staff decide on each date"),
         Variable("dates", "each date booked, with its own link to move or cancel it", required=True),
         Variable("refused", "the dates that could not be booked, if any")),
        "{{ headline }}",
        "Hello {{ requester_name }},\n\n{{ summary }}\n\n{{ dates }}\n\n{{ refused }}\n\n"
        "Cancelling one date leaves the others booked.",
        {"requester_name": "Dana Whitfield", "series_reference": "S-7KQ2M9XD", "space_name": "Program Room",
         "facility_name": "Auburn Public Library", "approved": True, "frequency": "weekly",
         "dates": _EXAMPLE_DATES, "refused": ["Thursday, March 26, 2026"]},
    ),
    MailTemplate(
        "reservation_links", "Link to all of a citizen’s reservations",
        "Sent when a citizen asks for a link to all their reservations.",
        (Variable("requester_name", "the name the citizen gave"), Variable("count", "how many reservations"),
         Variable("list_url", "the link to their reservations", required=True),
         Variable("link_days", "how many days the link works")),
        "Your reservations",
        "Hello {{ requester_name }},\n\nYou asked for your reservations. See all {{ count }} of them here; from "
        "there you can open each to move or cancel it:\n{{ list_url }}\n\nThe link works for {{ link_days }} days. "
        "If you did not ask for it, you can ignore this email.",
        {"requester_name": "Dana Whitfield", "count": 3, "link_days": 7,
         "list_url": "https://www.auburnal.gov/reservations/mine/example-link"},
    ),
)
