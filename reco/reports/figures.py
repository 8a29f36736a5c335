"""The network's figures, computed in SQL for what a user may see: families, devices, drives, parts, impact."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, cast, distinct, func, or_, select, true

from reco.accounts.models import Role, Structure
from reco.core.errors import ValidationFailed
from reco.core.time import local_today, local_zone
from reco.donations.models import Donation, Donor
from reco.extensions import db
from reco.inventory.models import Device, DeviceState, DeviceType, Drive, Sanitization, SanitizationLevel
from reco.parts.models import PartRequest, RequestStatus
from reco.prescriptions.models import (
    PartnerReport,
    PartnerReportLine,
    Prescription,
    PrescriptionStatus,
    Reservation,
)
from reco.reports.models import factors_by_type
from reco.reports.places import PlaceFilter, codes_within, group_by_place, parse_places

#: Counts under this threshold are shown as "< 5" when they leave the structure they come from.
SMALL_CELL = 5
#: Counts that leave their structure are rounded to a multiple of this, so that none is found by subtraction.
ROUNDING = 5
MAX_DAYS = 3660


@dataclass(frozen=True)
class Audience:
    """Whose figures a user sees, and whether counts must be protected."""

    #: Only this workshop's devices and households, or None.
    workshop_id: int | None
    #: Only this prescribing structure's households (and the devices they received), or None.
    prescriber_id: int | None
    #: The figures leave the structures they come from: counts rounded, those under 5 hidden.
    suppress: bool
    #: Only the households of this commune (its current INSEE code: its former codes count for it), or None.
    insee_code: str | None = None
    #: Only the households of the communes of this EPCI (SIREN), or None.
    epci_code: str | None = None
    #: Only the households of the communes of this département, or None.
    departement_code: str | None = None

    @property
    def network(self) -> bool:
        """Tell whether the audience sees the whole network."""
        return self.workshop_id is None and self.prescriber_id is None

    @property
    def places(self) -> PlaceFilter:
        """Return the communes the audience is limited to (empty: everywhere)."""
        return PlaceFilter(self.insee_code, self.epci_code, self.departement_code)


def audience_of(user, insee_code: str | None = None, epci: str | None = None,
                departement: str | None = None) -> Audience:
    """Return what ``user`` sees: their workshop or structure in full, the network protected, limited to a commune,
    an EPCI or a département of the registry; refuse one the registry does not know."""
    places = parse_places(insee_code, epci, departement)
    where = (places.commune, places.epci, places.departement)
    if user.role in (Role.SUPERVISOR, Role.TECHNICIAN):
        return Audience(user.structure_id, None, False, *where)
    if user.role is Role.PRESCRIBER:
        return Audience(None, user.structure_id, False, *where)
    return Audience(None, None, True, *where)


@dataclass(frozen=True)
class Period:
    """Days from ``first`` to ``last``, both included, in the network's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """Return the first moment of the period."""
        return datetime.combine(self.first, time(), tzinfo=local_zone()).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """Return the moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=local_zone()).astimezone(timezone.utc)


def parse_period(first, last) -> Period:
    """Return the period from two YYYY-MM-DD texts (default: the last twelve months), or refuse."""
    today = local_today()
    try:
        last_day = date.fromisoformat(last) if last else today
        first_day = date.fromisoformat(first) if first else (last_day - timedelta(days=365))
    except (TypeError, ValueError):
        raise ValidationFailed(str(_l("Give the dates as YYYY-MM-DD.")),
                               {"from": [str(_l("date expected"))]}) from None
    if first_day > last_day:
        raise ValidationFailed(str(_l("The period starts after it ends.")), {"from": [str(_l("after « to »"))]})
    if (last_day - first_day).days > MAX_DAYS or first_day.year < 2000 or last_day.year > today.year + 1:
        raise ValidationFailed(str(_l("Choose a period of ten years at most, since 2000.")),
                               {"from": [str(_l("period too long"))]})
    return Period(first_day, last_day)


def received_between(first: str, last: str) -> Period | None:
    """Return the period of two YYYY-MM-DD texts for filtering lists, or None when absent or not a period."""
    try:
        return parse_period(first, last) if first and last else None
    except ValidationFailed:
        return None


def protected(count: int, suppress: bool) -> int | None:
    """Return a count as it may leave its structure: None under 5, else rounded to a multiple of 5."""
    if not suppress or count == 0:
        return count
    return None if count < SMALL_CELL else ROUNDING * round(count / ROUNDING)


def shown(count, suppress: bool = True) -> str:
    """Return a count as it may be shown: "< 5" when hidden, rounded when it leaves its structure."""
    value = protected(count, suppress)
    return "< 5" if value is None else f"{value}"


def derived(value: float | None, over: int, suppress: bool, ndigits: int | None = None) -> float | None:
    """Return a median, a longest wait, a weight or a CO2e drawn from ``over`` households or devices as it may leave
    its structure: None from fewer than 5 of them, else rounded to ``ndigits`` (as round() does); exact inside."""
    if not suppress:
        return value
    if value is None or over < SMALL_CELL:
        return None
    return value if ndigits is None else round(value, ndigits)


def _households(audience: Audience):
    """Return the condition on the prescriptions the audience sees."""
    conditions = []
    if audience.workshop_id:
        conditions.append(Prescription.workshop_id == audience.workshop_id)
    if audience.prescriber_id:
        conditions.append(Prescription.structure_id == audience.prescriber_id)
    if audience.places:
        conditions.append(Prescription.insee_code.in_(codes_within(audience.places)))
    return and_(true(), *conditions)


def _equipped(audience: Audience, period: Period):
    """Return the condition on households equipped in the period that the audience sees."""
    return and_(_households(audience), Prescription.status == PrescriptionStatus.EQUIPPED,
                Prescription.equipped_at >= period.start, Prescription.equipped_at < period.end)


def _devices(audience: Audience, period: Period):
    """Return the condition on devices received in the period that the audience sees (voided ones count nowhere)."""
    condition = and_(Device.received_at >= period.start, Device.received_at < period.end,
                     Device.state != DeviceState.VOIDED)
    if audience.workshop_id:
        condition = and_(condition, Device.workshop_id == audience.workshop_id)
    if audience.prescriber_id or audience.places:  # only the devices its households received
        given = select(Reservation.device_id).join(Prescription).where(_households(audience),
                                                                       Reservation.released_at.is_(None))
        condition = and_(condition, Device.id.in_(given))
    return condition


def _sanitizations(audience: Audience, period: Period):
    """Return the condition on sanitization records of the period that the audience sees."""
    condition = and_(Sanitization.created_at >= period.start, Sanitization.created_at < period.end)
    if audience.workshop_id:
        condition = and_(condition, Drive.workshop_id == audience.workshop_id)
    if audience.prescriber_id or audience.places:
        condition = and_(condition, Sanitization.device_id.in_(select(Device.id).where(
            _devices(audience, Period(date(2000, 1, 1), local_today())))))
    return condition


def month_of(column):
    """Return the SQL expression of a timestamp's month (YYYY-MM) in the network's time zone."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(local_zone().key, column), "YYYY-MM")
    return func.substr(cast(column, String), 1, 7)  # SQLite stores UTC text: months cut in UTC


def _device_counts(audience: Audience, period: Period) -> list[tuple]:
    """Return the devices received in the period counted by type and state, with their known weights.

    One scan of the devices serves the summary, the impact and the table per type; within a request it is
    read once.
    """
    def read():
        return db.session.execute(
            select(Device.type, Device.state, func.count(), func.sum(Device.weight_kg),
                   func.count(Device.weight_kg))
            .where(_devices(audience, period)).group_by(Device.type, Device.state)).all()

    if not has_request_context():
        return read()
    cache = g.setdefault("reco_device_counts", {})
    if (audience, period) not in cache:
        cache[(audience, period)] = read()
    return cache[(audience, period)]


def devices_by_state(audience: Audience, period: Period) -> dict[DeviceState, int]:
    """Return, among the devices received in the period, how many are now in each state."""
    states: dict[DeviceState, int] = {}
    for _kind, state, count, _weight, _weighed in _device_counts(audience, period):
        states[state] = states.get(state, 0) + count
    return states


def devices_by_type(audience: Audience, period: Period) -> list[tuple[DeviceType, int]]:
    """Return the devices received in the period counted by type, largest first."""
    types: dict[DeviceType, int] = {}
    for kind, _state, count, _weight, _weighed in _device_counts(audience, period):
        types[kind] = types.get(kind, 0) + count
    return sorted(types.items(), key=lambda item: -item[1])


def _declared(period: Period, audience: Audience, *columns):
    """Return the query of the families partners declared for the months of the period, by ``columns``."""
    query = (select(*columns, func.coalesce(func.sum(PartnerReportLine.families), 0))
             .join(PartnerReport, PartnerReport.id == PartnerReportLine.report_id)
             .where(PartnerReport.current.is_(True), PartnerReport.month >= period.first.replace(day=1),
                    PartnerReport.month <= period.last))
    if audience.places:
        query = query.where(PartnerReportLine.insee_code.in_(codes_within(audience.places)))
    return query.group_by(*columns) if columns else query


def declared_families(period: Period, audience: Audience = Audience(None, None, False)) -> int:
    """Return the families partners declared for the months of the period (versions in force)."""
    return int(db.session.scalar(_declared(period, audience)) or 0)


def _sanitized(audience: Audience, period: Period) -> tuple[int, int]:
    """Return how many drives have a record of the period that proves erasure (validated where required), and
    how many of them were destroyed."""
    destroyed = case((Sanitization.level == SanitizationLevel.DESTROY, Sanitization.drive_id))
    # the drives of the few workshops that require validation, not a join with every drive of the network
    validating = select(Drive.id).join(Structure, Structure.id == Drive.workshop_id).where(
        Structure.sanitization_needs_validation.is_(True))
    query = select(func.count(distinct(Sanitization.drive_id)), func.count(distinct(destroyed)))
    if audience.workshop_id:
        query = query.join(Drive, Drive.id == Sanitization.drive_id)
    sanitized, destroyed = db.session.execute(
        query.where(_sanitizations(audience, period), Sanitization.result == "success",
                    or_(Sanitization.verification != "none", Sanitization.level == SanitizationLevel.DESTROY),
                    or_(Sanitization.validated_at.is_not(None), Sanitization.drive_id.not_in(validating)))
    ).one()
    return sanitized or 0, destroyed or 0


def summary(audience: Audience, period: Period) -> dict:
    """Return the exact summary figures of the period for the audience (protect them before they leave)."""
    states = devices_by_state(audience, period)
    sanitized, destroyed = _sanitized(audience, period)
    pipeline = db.session.scalar(select(func.count(Prescription.id)).where(_equipped(audience, period))) or 0
    impact = impact_figures(audience, period)
    return {
        "families_equipped": {"pipeline": pipeline,
                              "declared": declared_families(period, audience) if audience.network else 0},
        "devices_received": sum(states.values()),
        "devices_ready": states.get(DeviceState.READY, 0),
        "devices_delivered": states.get(DeviceState.DELIVERED, 0),
        "devices_harvested": states.get(DeviceState.HARVESTED, 0),
        "devices_recycled": states.get(DeviceState.RECYCLED, 0),
        "drives_sanitized": sanitized,
        "drives_destroyed": destroyed,
        "co2e_avoided_kg": impact["co2e_avoided_kg"],
        "weight_diverted_kg": impact["weight_diverted_kg"],
    }


def protect_summary(figures: dict, suppress: bool) -> dict:
    """Return the summary as it may leave its structure: counts rounded or hidden, and so what derives from them."""
    if not suppress:
        return figures
    result = {key: protected(value, True) if isinstance(value, int) else value for key, value in figures.items()}
    result["families_equipped"] = {k: protected(v, True) for k, v in figures["families_equipped"].items()}
    reused = figures["devices_delivered"] + figures["devices_harvested"]
    result["co2e_avoided_kg"] = derived(figures["co2e_avoided_kg"], figures["devices_delivered"], True, -2)
    result["weight_diverted_kg"] = derived(figures["weight_diverted_kg"], reused, True, -1)
    return result


def impact_figures(audience: Audience, period: Period) -> dict:
    """Return the weight kept out of waste and the CO2e avoided by the devices reused, with the factors used."""
    factors = factors_by_type()
    reused = (DeviceState.DELIVERED, DeviceState.HARVESTED)
    rows = [row for row in _device_counts(audience, period) if row[1] in reused]
    weight = co2e = 0.0
    for kind, state, count, weighed, with_weight in rows:
        factor = factors.get(kind)
        weight += float(weighed or 0) + (float(factor.weight_kg) if factor else 0.0) * (count - with_weight)
        if state is DeviceState.DELIVERED and factor is not None:
            co2e += count * float(factor.co2e_avoided_kg)
    return {"weight_diverted_kg": round(weight, 1), "co2e_avoided_kg": round(co2e, 1),
            "factors": [factors[k] for k in DeviceType if k in factors]}


def families_by(audience: Audience, period: Period, *columns) -> list[tuple]:
    """Return the households equipped in the period counted by columns, largest first."""
    return db.session.execute(select(*columns, func.count(Prescription.id)).where(_equipped(audience, period))
                              .group_by(*columns).order_by(func.count(Prescription.id).desc())).all()


def families_by_place(audience: Audience, period: Period, level: str = "commune") -> list[tuple[str, int, int]]:
    """Return (place, pipeline, declared) of the families equipped in the period per commune today (« Rennes
    (35238) », former codes counted in it), EPCI or département (``level``), largest first; partners' declared
    families for network audiences only, 0 otherwise; a code the registry does not know stays as the bare code."""
    counts = {code: (int(count), 0) for code, count in db.session.execute(
        select(Prescription.insee_code, func.count(Prescription.id))
        .where(_equipped(audience, period)).group_by(Prescription.insee_code)).all()}
    if audience.network:
        for code, count in db.session.execute(_declared(period, audience, PartnerReportLine.insee_code)).all():
            counts[code] = (counts.get(code, (0, 0))[0], int(count))
    return group_by_place(counts, level)


def families_by_month(audience: Audience, period: Period) -> list[tuple[str, int, int]]:
    """Return (YYYY-MM, pipeline, declared) for each month of the period."""
    month = month_of(Prescription.equipped_at)
    pipeline = dict(db.session.execute(select(month, func.count(Prescription.id))
                                       .where(_equipped(audience, period)).group_by(month)).all())
    declared = {}
    if audience.network:
        declared = {key.isoformat()[:7] if isinstance(key, date) else str(key)[:7]: int(value) for key, value in
                    db.session.execute(_declared(period, audience, PartnerReport.month)).all()}
    months = sorted(set(pipeline) | set(declared))
    return [(m, int(pipeline.get(m, 0)), declared.get(m, 0)) for m in months]


def sanitizations_by(audience: Audience, period: Period) -> list[tuple]:
    """Return the sanitization records of the period counted by level, technique and result."""
    query = select(Sanitization.level, Sanitization.technique, Sanitization.result, func.count(Sanitization.id))
    if audience.workshop_id:  # the drives tell the workshop; other audiences need no join
        query = query.join(Drive, Drive.id == Sanitization.drive_id)
    return db.session.execute(
        query.where(_sanitizations(audience, period))
        .group_by(Sanitization.level, Sanitization.technique, Sanitization.result)
        .order_by(Sanitization.level, Sanitization.technique)).all()


def devices_by_donor(audience: Audience, period: Period) -> list[tuple]:
    """Return the devices received in the period counted by donor kind and name, largest first.

    Devices are counted per collection first, so that only one row per collection meets the donors.
    """
    per_donation = (select(Device.donation_id, func.count().label("devices"))
                    .where(_devices(audience, period)).group_by(Device.donation_id).subquery())
    total = func.sum(per_donation.c.devices)
    return db.session.execute(
        select(Donor.kind, Donor.name, total)
        .join(Donation, Donation.id == per_donation.c.donation_id).join(Donor, Donor.id == Donation.donor_id)
        .group_by(Donor.kind, Donor.name).order_by(total.desc())).all()


def median_days(audience: Audience, period: Period) -> float | None:
    """Return the median days from acceptance to equipment of the households equipped in the period, as the
    audience may see it (None when there is none, or fewer than 5 households outside their structure)."""
    equipped = (_equipped(audience, period), Prescription.decided_at.is_not(None))
    if db.session.get_bind().dialect.name == "postgresql":  # the median in the database, not 100,000 rows read
        days = func.extract("epoch", Prescription.equipped_at - Prescription.decided_at) / 86400
        median, households = db.session.execute(
            select(func.percentile_cont(0.5).within_group(days), func.count()).where(*equipped)).one()
        return derived(None if median is None else round(float(median), 1), households, audience.suppress)
    waits = sorted((equipped_at - decided).total_seconds() / 86400 for decided, equipped_at in db.session.execute(
        select(Prescription.decided_at, Prescription.equipped_at).where(*equipped)))
    if not waits:
        return None
    middle = len(waits) // 2
    median = round(waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2, 1)
    return derived(median, len(waits), audience.suppress)


def waiting_list(audience: Audience) -> dict:
    """Return how many accepted households wait for a device now, and since how many days at most (None when
    fewer than 5 wait and the figure leaves their structure); the count is exact, protect it before it leaves."""
    count, oldest = db.session.execute(select(func.count(Prescription.id), func.min(Prescription.decided_at))
                                       .where(_households(audience),
                                              Prescription.status == PrescriptionStatus.ACCEPTED)).one()
    days = (datetime.now(timezone.utc) - oldest).days if oldest else 0
    return {"count": count, "oldest_days": derived(days, count, audience.suppress) if count else None}


def parts_exchanged(audience: Audience, period: Period) -> dict:
    """Return the requests received between workshops in the period, and the units exchanged."""
    if audience.prescriber_id or audience.places:
        return {"requests": 0, "units": 0}
    condition = and_(PartRequest.status == RequestStatus.RECEIVED, PartRequest.updated_at >= period.start,
                     PartRequest.updated_at < period.end)
    if audience.workshop_id:
        condition = and_(condition, or_(PartRequest.asker_id == audience.workshop_id,
                                        PartRequest.owner_id == audience.workshop_id))
    requests, units = db.session.execute(select(func.count(PartRequest.id), func.coalesce(func.sum(
        PartRequest.quantity), 0)).where(condition)).one()
    return {"requests": requests, "units": int(units)}


def structure_names(ids) -> dict[int, str]:
    """Return the names of structures by id."""
    return dict(db.session.execute(select(Structure.id, Structure.name).where(Structure.id.in_(list(ids)))).all())
