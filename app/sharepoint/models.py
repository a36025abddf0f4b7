"""A facility's SharePoint list that mirrors its approved reservations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.facilities.models import Facility
from app.sqltypes import UTCDateTime, utcnow


class ReservationListMirror(db.Model):
    __tablename__ = "reservation_list_mirror"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), unique=True)
    site_id: Mapped[str] = mapped_column(String(300))  # Graph site id: host,site-collection-id,web-id
    list_id: Mapped[str] = mapped_column(String(100))
    include_contacts: Mapped[bool] = mapped_column(Boolean, default=False)  # requester's name, email, phone
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    facility: Mapped[Facility] = relationship()
