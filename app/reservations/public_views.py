"""Citizen pages: reservable spaces, availability, the booking form, and the manage link."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, make_response, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.extensions import db, htmx, limiter
from app.facilities.closures import closed_days
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.reservations import exchange, services
from app.reservations.availability import Availability, space_availability
from app.reservations.confirmation import TooManyRequests, client_key
from app.reservations.links import LinkExpired, LinkInvalid, reservation_for_link, signed_token
from app.reservations.models import Reservation
from app.reservations.formatting import (
    clock_time, duration_words, email_label, select_options, too_late_message, weekday_name,
)
from app.reservations.rules import (
    FIELD_LABELS, FIELD_ORDER, attendee_limit, earliest_start, example_day, last_bookable_day, parse_booking,
    time_options, week_hours,
)
from app.sqltypes import utcnow
from app.web.htmx import render_page_or_block, see_other
from app.web.images import image_response
from app.web.page_cache import cached_page
from app.reservations.page_version import space_generation
from app.reservations.rooms import reservable_room, reservable_space
from app.reservations.time_lists import fitting_times, keeping
from app.web.templating import city_zone

reservations_bp = Blueprint("reservations", __name__, url_prefix="/reservations")

AVAILABILITY_DAYS = 7
SUBMIT_RATE_LIMIT = "10/minute;50/day"

for _filter in (clock_time, duration_words, email_label, select_options, weekday_name):
    reservations_bp.add_app_template_filter(_filter)


def _reservable_spaces() -> list[FacilitySpace]:
    return list(db.session.scalars(
        select(FacilitySpace)
        .join(ReservationConfig)
        .join(Facility)
        .options(contains_eager(FacilitySpace.facility), contains_eager(FacilitySpace.reservation_config))
        .where(
            ReservationConfig.citizen_reservable,
            FacilitySpace.archived_at.is_(None),
            FacilitySpace.exchange_resource_mailbox.is_not(None),
        )
        .order_by(Facility.name, FacilitySpace.name)
    ))


def _space(facility_slug: str, space_slug: str) -> FacilitySpace:
    return reservable_space(facility_slug, space_slug) or abort(404)


def _date_arg(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@reservations_bp.get("/")
def index() -> str:
    return render_template("reservations/index.html", spaces=_reservable_spaces())


@reservations_bp.get("/photos/<name>")
def space_photo(name: str) -> Response:
    if db.session.scalar(select(FacilitySpace.id).where(FacilitySpace.photo_path == name).limit(1)) is None:
        abort(404)
    return image_response(name)


def availability_version(facility_slug: str, space_slug: str) -> str:
    """A room's page changes with its bookings, rules and facility (generations bumped at commit),
    with where the booking window starts (lead time) and with the date."""
    room = reservable_room(facility_slug, space_slug) or abort(404)
    now = utcnow()
    zone = city_zone(current_app)
    first = earliest_start(room.lead_time_hours, now)
    # Free times start on a whole-minute grid, so the first start rounded up to the minute decides them.
    minute = (first + timedelta(seconds=59)).replace(second=0, microsecond=0)
    return f"{space_generation(room.space_id, room.facility_id)}|{minute.isoformat()}|{first.astimezone(zone).date()}|{now.astimezone(zone).date()}"


@reservations_bp.get("/<facility_slug>/<space_slug>/")
@cached_page(availability_version, params=("date", "from", "part", "start_time", "end_time"))
def space_page(facility_slug: str, space_slug: str) -> Response:
    space = _space(facility_slug, space_slug)
    form = {"date": request.args.get("date", "")}
    # When the date changes in the form, htmx asks for that day's free times only.
    partial = htmx and not htmx.boosted
    if partial and request.args.get("part") == "ends":  # a new start: its ends, the end chosen kept if it fits
        form.update(start_time=request.args.get("start_time", ""), end_time=request.args.get("end_time", ""))
        context = _day_context(space, form["date"], start=form["start_time"])
        return make_response(render_template("reservations/_end_time.html", form=form, errors={},
                                             end_options=context["end_options"]))
    if partial:  # the day's free times, and its time lists out of band, keeping the times chosen
        form.update(start_time=request.args.get("start_time", ""), end_time=request.args.get("end_time", ""))
        context = {**_day_context(space, form["date"], start=form["start_time"]), "form": form, "errors": {},
                   "times_out_of_band": True}
        context["start_options"] = keeping(context["start_options"], form["start_time"])
        context["end_options"] = keeping(context["end_options"], form["end_time"])
    else:
        context = _page_context(space, form)
    return render_page_or_block("reservations/space.html", "day_free_times", **context)


@reservations_bp.post("/<facility_slug>/<space_slug>/")
@limiter.limit(SUBMIT_RATE_LIMIT, methods=["POST"])
def submit(facility_slug: str, space_slug: str) -> Response | tuple[str, int]:
    space = _space(facility_slug, space_slug)
    form = {name: request.form.get(name, "") for name in FIELD_ORDER}
    booking, errors = parse_booking(form, space, city_zone(current_app), utcnow())
    if booking is None:
        return _form_again(space, form, errors, 422)
    try:
        reservation = services.submit_reservation(space, booking, client_key=client_key(request.remote_addr))
    except TooManyRequests as refused:
        return _form_again(space, form, {"requester_email": str(refused)}, 429)
    except services.SlotTaken as taken:
        return _form_again(space, form, {"start_time": str(taken)}, 409, taken=True)
    except exchange.ExchangeUnavailable:
        return _form_again(space, form, {}, 503, exchange_down=True)
    return see_other(url_for("reservations.received", signed=signed_token(reservation)))


def _form_again(space: FacilitySpace, form: dict[str, str], errors: dict[str, str], status: int,
                **flags: bool) -> tuple[str, int]:
    context = _page_context(space, form, errors=errors, **flags)
    return render_template("reservations/space.html", **context), status


def _page_context(space: FacilitySpace, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    zone = city_zone(current_app)
    now = utcnow()
    config = space.reservation_config
    first_bookable = earliest_start(config.lead_time_hours, now).astimezone(zone).date()
    # Clamped to the days that can be booked: a far ?from= computes nothing past them (or overflows).
    first_day = min(max(_date_arg(request.args.get("from")) or first_bookable, now.astimezone(zone).date()),
                    last_bookable_day(now, zone, config.horizon_days))
    availability = space_availability(space, first_day, AVAILABILITY_DAYS, zone, now)
    context = {
        "space": space, "rules": config, "form": form, "errors": {}, "field_labels": FIELD_LABELS,
        "field_order": FIELD_ORDER, "availability": availability,
        "attendee_limit": attendee_limit(space), "opening_hours": week_hours(config),
        "closures": closed_days(space, now.astimezone(zone).date(), last_bookable_day(now, zone, config.horizon_days)),
        "earlier_from": first_day - timedelta(days=AVAILABILITY_DAYS),
        "later_from": first_day + timedelta(days=AVAILABILITY_DAYS),
        "show_earlier": first_day > first_bookable,
        "show_later": first_day + timedelta(days=AVAILABILITY_DAYS) <= last_bookable_day(now, zone, config.horizon_days),
        "min_date": first_bookable, "max_date": last_bookable_day(now, zone, config.horizon_days),
        "example_date": example_day(config, first_bookable),
        **extra,
    }
    context.update(_day_context(space, form.get("date", ""), availability, form.get("start_time")))
    context["start_options"] = keeping(context["start_options"], form.get("start_time"))
    context["end_options"] = keeping(context["end_options"], form.get("end_time"))
    return context


def _day_context(
    space: FacilitySpace, raw_date: str, shown: Availability | None = None, start: str | None = None,
) -> dict[str, Any]:
    """The free times of the day chosen in the form, and the starts and ends that fit it; no day
    chosen, no free times listed and every time of the opening hours offered."""
    zone = city_zone(current_app)
    now = utcnow()
    day = _date_arg(raw_date)
    config = space.reservation_config
    every_time = time_options(config)
    if day is None or not now.astimezone(zone).date() <= day <= last_bookable_day(now, zone, config.horizon_days):
        return {"space": space, "chosen_day": None, "day_checked": True, "start_options": every_time,
                "end_options": every_time}
    known = [d for d in shown.days if d.day == day] if shown else []
    availability = shown if known else space_availability(space, day, 1, zone, now)
    chosen = known[0] if known else availability.days[0]
    starts, ends = fitting_times(config, chosen, zone, start)
    return {"space": space, "chosen_day": chosen, "day_checked": availability.exchange_checked,
            "start_options": starts, "end_options": ends}


def _from_link(signed: str) -> Reservation | tuple[str, int]:
    try:
        return reservation_for_link(signed)
    except LinkExpired:
        return render_template("reservations/link_problem.html", expired=True), 410
    except LinkInvalid:
        return render_template("reservations/link_problem.html", expired=False), 404


@reservations_bp.get("/manage/<signed>/received")
def received(signed: str) -> str | tuple[str, int]:
    reservation = _from_link(signed)
    if not isinstance(reservation, Reservation):
        return reservation
    return render_template("reservations/received.html", reservation=reservation, signed=signed)


@reservations_bp.get("/manage/<signed>")
def manage(signed: str) -> str | tuple[str, int]:
    reservation = _from_link(signed)
    if not isinstance(reservation, Reservation):
        return reservation
    return render_template(
        "reservations/manage.html", reservation=reservation, signed=signed,
        has_ended=reservation.end_at <= utcnow(), changes_close_at=reservation.citizen_changes_close_at(),
        now=utcnow(),
    )


@reservations_bp.post("/manage/<signed>/cancel")
def cancel(signed: str) -> Response | tuple[str, int]:
    reservation = _from_link(signed)
    if not isinstance(reservation, Reservation):
        return reservation
    if reservation.end_at <= utcnow():
        flash("This reservation has already ended, so it can no longer be cancelled.", "error")
    else:
        try:
            services.cancel_by_citizen(reservation)
            flash(f"Reservation {reservation.reference} is cancelled. The time is free again.", "success")
        except services.NotAllowed:
            flash(f"Reservation {reservation.reference} is already {reservation.status}.", "info")
        except services.TooLateToChange as late:
            flash(too_late_message(reservation, late.contact), "error")
    return see_other(url_for("reservations.manage", signed=signed))

