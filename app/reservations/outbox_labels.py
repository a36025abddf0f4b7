"""How the ops screens name reservation writes: the reservation's reference, room and facility."""
from __future__ import annotations

from app.extensions import db
from app.jobs.labels import describes, kind_words
from app.jobs.models import GraphOperation
from app.reservations.models import Reservation


@describes("reservation")
def reservation(operation: GraphOperation) -> str | None:
    found = db.session.get(Reservation, int(operation.target_id)) if operation.target_id.isdigit() else None
    if found is None:
        return None
    space = found.space
    return f"{kind_words(operation.kind)} of reservation {found.reference} ({space.name}, {space.facility.name})"
