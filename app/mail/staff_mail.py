"""Mail templates staff receive: requests waiting for approval, Outlook changes to review, roles gained or lost."""
from __future__ import annotations

from app.mail.template_spec import RESERVATION_EXAMPLE, MailTemplate, Variable

STAFF_TEMPLATES: tuple[MailTemplate, ...] = (
    MailTemplate(
        "reservation_waiting", "Request waiting for approval",
        "Sent to the facility's approvers when a citizen asks for a room that needs approval.",
        (Variable("approver_name", "the approver's name"), Variable("requester_name", "the name the citizen gave"),
         Variable("reference", "the reservation's reference", required=True), Variable("space_name", "the room"),
         Variable("facility_name", "the building"), Variable("when", "the day and time"),
         Variable("starts", "the day and start time, short"),
         Variable("attendees", "how many people"), Variable("purpose", "what the citizen wrote the room is for"),
         Variable("details", "reference, room and time, one per line"),
         Variable("staff_url", "the link to approve or deny it", required=True)),
        "Waiting for approval: {{ space_name }}, {{ starts }} ({{ reference }})",
        "Hello {{ approver_name }},\n\n{{ requester_name }} asks to reserve {{ space_name }} for {{ attendees }} "
        "people: {{ purpose }}\n\n{{ details }}\n\nApprove or deny it here:\n{{ staff_url }}",
        {**RESERVATION_EXAMPLE, "approver_name": "Alex Approver", "attendees": 12, "purpose": "Book club meeting",
         "staff_url": "https://www.auburnal.gov/staff/reservations/example"},
    ),
    MailTemplate(
        "reservation_digest", "Requests still waiting (daily digest)",
        "Sent to each approver when requests of their facilities have waited too long for a decision.",
        (Variable("approver_name", "the approver's name"), Variable("count", "how many requests wait"),
         Variable("headline", "“3 reservation requests are still waiting for approval” (or “1 … is”)"),
         Variable("waiting_hours", "the hours after which a request counts as waiting long"),
         Variable("requests", "each waiting request, with its link", required=True),
         Variable("queue_url", "the link to the requests waiting for approval", required=True)),
        "{{ headline }}",
        "Hello {{ approver_name }},\n\nThese reservation requests have waited more than {{ waiting_hours }} hours "
        "for a decision:\n\n{{ requests }}\n\nOpen the reservations waiting for approval:\n{{ queue_url }}",
        {"approver_name": "Alex Approver", "waiting_hours": 24,
         "queue_url": "https://www.auburnal.gov/staff/reservations/",
         "requests": [{"reference": "R-7KQ2M9XD", "space": "Program Room, Auburn Public Library",
                       "requester": "Dana Whitfield", "when": "Thursday, March 12, 6:00 PM",
                       "sent": "Monday, March 9, 10:15 AM", "url": "https://www.auburnal.gov/staff/reservations/example"}]},
    ),
    MailTemplate(
        "role_granted", "Staff role granted",
        "Sent to a staff member given a MyGov role: by an admin, or by a seeding rule at sign-in.",
        (Variable("person_name", "the staff member's name"), Variable("role_title", "the role", required=True),
         Variable("role_description", "what the role allows"),
         Variable("scope_name", "“ for Main Library” when held for one facility, calendar or department; else empty"),
         Variable("until", "“It ends at the end of …” when the grant has an end date; else empty"),
         Variable("reason", "who or what gave it")),
        "You now hold {{ role_title }} in MyGov",
        "Hello {{ person_name }},\n\nYou now hold the MyGov staff portal role {{ role_title }}{{ scope_name }}: "
        "{{ role_description }}\n{{ until }}\n{{ reason }}\n\nIf this is not what you expected, ask a MyGov platform admin.",
        {"person_name": "Ethan Park", "role_title": "Reservations approver",
         "role_description": "Approve, deny and cancel reservations.", "scope_name": " for Auburn Public Library",
         "until": "It ends at the end of Friday, January 8, 2027.", "reason": "Ada Admin granted it to you in MyGov."},
    ),
    MailTemplate(
        "role_removed", "Staff role removed",
        "Sent to a staff member who loses a MyGov role: revoked, ended on its date, or no longer given by a rule.",
        (Variable("person_name", "the staff member's name"), Variable("role_title", "the role", required=True),
         Variable("role_description", "what the role allowed"),
         Variable("scope_name", "“ for Main Library” when it was held for one facility, calendar or department"),
         Variable("until", "empty"), Variable("reason", "why it ended")),
        "You no longer hold {{ role_title }} in MyGov",
        "Hello {{ person_name }},\n\nYou no longer hold the MyGov staff portal role {{ role_title }}{{ scope_name }}."
        "\n\n{{ reason }}\n\nIf this is not what you expected, ask a MyGov platform admin.",
        {"person_name": "Ethan Park", "role_title": "Reservations approver",
         "role_description": "Approve, deny and cancel reservations.", "scope_name": " for Auburn Public Library",
         "until": "", "reason": "The end date set when it was granted has passed."},
    ),
    MailTemplate(
        "outlook_changes", "Published Outlook events changed",
        "Sent to calendar publishers when events the website took from Outlook change or are deleted there.",
        (Variable("name", "the publisher's name"), Variable("count", "how many events"),
         Variable("headline", "“2 published events were changed or deleted in Outlook” (or “1 … was”)"),
         Variable("items", "each event, what happened and the link to review it", required=True)),
        "{{ headline }}",
        "Hello {{ name }},\n\nThese events on the website came from Outlook, and Outlook has changed since. The "
        "website keeps its version until a publisher reviews each one.\n\n{{ items }}",
        {"name": "Pat Publisher", "items": [
            {"title": "Farmers market", "calendar": "Parks and Recreation", "what": "changed in Outlook",
             "link": "https://www.auburnal.gov/staff/outlook/events/example/changes"}]},
    ),
)
