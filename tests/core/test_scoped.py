"""scoped() keeps in a list exactly the objects can() accepts, for every action, role and scoped model; so does a
statement built once with the user's values as parameters."""
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from reco.accounts.models import Role, Structure, User
from reco.core.audit import record_event
from reco.core.notices import Notice
from reco.core.permissions import (RULES, SCOPE_PARAMETERS, can, scope_clause, scope_of, scope_parameters,
                                   scoped)
from reco.core.time import utcnow
from reco.donations.models import Donation, Donor
from reco.extensions import db
from reco.inventory.locations import create_location
from reco.inventory.models import Device, Drive, Location
from reco.parts.models import Condition, MoveKind, PartRequest, PartType, StockLevel, StockMove
from reco.parts.stock import add_stock
from reco.prescriptions.models import PartnerReport, Prescription, Reservation, Visit, VisitStatus
from tests.factories import make_device, make_donation, make_donor, make_prescription, make_structure, make_user

#: Every model a list reads through scoped().
MODELS = (Structure, User, Donor, Donation, Device, Drive, Location, StockLevel, StockMove, PartRequest,
          Prescription, Visit, PartnerReport, Notice)


def _network():
    """Seed two structures of each kind with objects of every scoped model; return the users, one per role."""
    workshops = [make_structure("workshop") for _ in range(2)]
    prescribers = [make_structure("prescriber") for _ in range(2)]
    installers = [make_structure("installer") for _ in range(2)]
    partners = [make_structure("partner") for _ in range(2)]
    users = {role: make_user(role, structure=structure) for role, structure in (
        (Role.SUPERVISOR, workshops[0]), (Role.TECHNICIAN, workshops[0]), (Role.PRESCRIBER, prescribers[0]),
        (Role.INSTALLER, installers[0]), (Role.PARTNER, partners[0]), (Role.VIEWER, partners[0]),
        (Role.ADMIN, partners[1]))}
    technician = users[Role.TECHNICIAN]
    part = PartType(category="ram", name="4 GB DDR3L")
    db.session.add(part)
    for workshop, other in zip(workshops, reversed(workshops)):
        donation = make_donation(make_donor(workshop))
        today = make_device(donation, drives=[{"serial": f"S-{workshop.id}", "capacity_gb": "128"}])
        earlier = make_device(donation)
        make_device(donation)  # received by nobody in particular
        today.received_by_id = earlier.received_by_id = technician.id
        earlier.received_at = utcnow() - timedelta(days=2)
        create_location(workshop, by=users[Role.SUPERVISOR], name="Shelf")
        add_stock(workshop, part, quantity=3, condition=Condition.UNTESTED, kind=MoveKind.RECEIVED, by=None)
        db.session.add(PartRequest(part_type_id=part.id, condition=Condition.UNTESTED, quantity=1,
                                   asker_id=workshop.id, owner_id=other.id))
        for prescriber in prescribers:
            writer = make_user(Role.PRESCRIBER, structure=prescriber)
            make_prescription(writer, workshop, status="draft")
            make_prescription(writer, workshop, status="submitted")
            at_home = make_prescription(writer, workshop, status="accepted")
            make_prescription(writer, workshop, status="accepted", visit_wanted=False)
            reservation = Reservation(prescription_id=at_home.id, device_id=today.id,
                                      released_at=utcnow() if prescriber is prescribers[1] else None)
            db.session.add(reservation)
            db.session.flush()
            for installer, status in ((installers[0], VisitStatus.SCHEDULED), (installers[0], VisitStatus.DONE),
                                      (installers[1], VisitStatus.SCHEDULED)):
                db.session.add(Visit(prescription_id=at_home.id, reservation_id=reservation.id,
                                     workshop_id=workshop.id, installer_id=installer.id, status=status))
    for partner in partners:
        db.session.add(PartnerReport(structure_id=partner.id, month=date(2026, 1, 1)))
    event = record_event(None, workshops[0], "noticed")
    for user in (technician, users[Role.INSTALLER], make_user(Role.TECHNICIAN, structure=workshops[1])):
        db.session.add(Notice(user_id=user.id, event_id=event.id, subject="x", url="/"))
    db.session.commit()
    return users


def _allowed(user, action, model):
    """Return (ids can() accepts, ids scoped() keeps, ids the parameter form keeps) of ``model``; None when all fail
    on what it lacks."""
    rows = db.session.scalars(select(model)).unique().all()
    assert rows, f"the dataset has no {model.__name__}"
    try:
        accepted = {row.id for row in rows if can(user, action, row)}
    except AttributeError:
        with pytest.raises(AttributeError):
            db.session.scalars(scoped(select(model), action, user)).all()
        with pytest.raises(AttributeError):
            scope_clause(model, scope_of(user, action), SCOPE_PARAMETERS)
        return None
    built_once = select(model.id)
    clause = scope_clause(model, scope_of(user, action), SCOPE_PARAMETERS)
    if clause is not None:
        built_once = built_once.where(clause)
    return (accepted, set(db.session.scalars(scoped(select(model.id), action, user))),
            set(db.session.scalars(built_once, scope_parameters(user))))


def test_scoped_keeps_exactly_what_can_accepts(ctx):
    users = _network()
    differences, compared = [], set()
    for action in RULES:
        for model in MODELS:
            for role, user in users.items():
                found = _allowed(user, action, model)
                if found is None:
                    continue
                compared.add(action)
                accepted, kept, bound = found
                if not accepted == kept == bound:
                    differences.append(f"{action} {model.__name__} {role.value}: can {sorted(accepted)}, "
                                       f"scoped {sorted(kept)}, with parameters {sorted(bound)}")
    assert differences == []
    assert compared == set(RULES)


def test_the_dataset_reaches_every_scope(ctx):
    users = _network()
    supervisor, technician, installer = users[Role.SUPERVISOR], users[Role.TECHNICIAN], users[Role.INSTALLER]

    def kept(action, model, user):
        return db.session.scalar(scoped(select(func.count(model.id)), action, user))

    # Workshops never see drafts: 2 prescribers x 3 sent prescriptions, of 2 x 4.
    assert kept("prescription.view", Prescription, supervisor) == 6
    assert kept("prescription.view", Prescription, users[Role.PRESCRIBER]) == 8  # their structure's, drafts too
    assert kept("prescription.contact", Prescription, supervisor) == 2  # handed over at the workshop
    assert kept("device.correct", Device, technician) == 1  # received by them, today, in their workshop
    assert kept("device.correct", Device, supervisor) == 3
    assert kept("visit.contact", Visit, installer) == 4 and kept("visit.view", Visit, installer) == 8
    assert kept("part_request.view", PartRequest, supervisor) == 2
    assert kept("part_request.answer", PartRequest, supervisor) == 1
    assert kept("notice.view", Notice, technician) == 1
    assert kept("structure.view", Structure, users[Role.ADMIN]) == db.session.scalar(select(func.count(Structure.id)))


def test_no_rule_inactive_or_anonymous_means_no_row(ctx):
    users = _network()
    assert db.session.scalars(scoped(select(Device), "device.view", users[Role.PRESCRIBER])).all() == []
    supervisor = users[Role.SUPERVISOR]
    assert db.session.scalars(scoped(select(Device), "device.view", supervisor)).all() != []
    supervisor.active = False
    assert db.session.scalars(scoped(select(Device), "device.view", supervisor)).all() == []


def test_scoped_reads_the_acting_user_by_default(app, ctx):
    users = _network()
    with app.test_request_context():
        g.api_user = users[Role.TECHNICIAN]
        mine = set(db.session.scalars(scoped(select(Donor.id), "donor.view")))
    assert mine == set(db.session.scalars(select(Donor.id).where(
        Donor.workshop_id == users[Role.TECHNICIAN].structure_id))) != set()
