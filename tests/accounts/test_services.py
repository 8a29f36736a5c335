"""Rules on structures, users, passwords and tokens."""
import pytest

from reco.accounts.models import Role, Structure, User
from reco.accounts.services import (
    change_password,
    create_structure,
    create_user,
    set_user_active,
    update_structure,
    update_user,
    user_for_token,
)
from reco.core.audit import events_for
from reco.core.errors import ValidationFailed
from reco.extensions import db
from tests.factories import PASSWORD, make_structure, make_token, make_user

VALID = {"name": "Atelier Nord", "kinds": ["workshop"], "commune": "Saint-Malo", "insee_code": "35288",
         "tag_prefix": "nord"}


def _field_error(excinfo) -> set:
    return set(excinfo.value.fields)


def test_create_structure_normalises_and_records_an_event(ctx):
    admin = make_user("admin")
    structure = create_structure(by=admin, **VALID, siret="732 829 320 00074")
    assert structure.tag_prefix == "NORD"
    assert structure.siret == "73282932000074"
    (event,) = events_for(structure)
    assert (event.action, event.actor_id, event.details["name"]) == ("created", admin.id, "Atelier Nord")


@pytest.mark.parametrize("changes,field", [
    ({"name": "  "}, "name"),
    ({"insee_code": "7501"}, "insee_code"),
    ({"insee_code": "ABCDE"}, "insee_code"),
    ({"insee_code": "35000"}, "insee_code"),  # a postcode of Rennes, no commune's code
    ({"insee_code": "35238"}, "insee_code"),  # Rennes' code, not Saint-Malo's
    ({"insee_code": "", "commune": "Saint-Mâlo-sur-Mer"}, "commune"),
    ({"insee_code": "", "commune": ""}, "commune"),
    ({"siret": "73282932000075"}, "siret"),
    ({"siret": "1234"}, "siret"),
    ({"tag_prefix": ""}, "tag_prefix"),
    ({"tag_prefix": "N0RD"}, "tag_prefix"),
    ({"tag_prefix": "TOOLONG"}, "tag_prefix"),
])
def test_create_structure_refuses_bad_fields(ctx, changes, field):
    with pytest.raises(ValidationFailed) as excinfo:
        create_structure(by=None, **(VALID | changes))
    assert _field_error(excinfo) == {field}
    assert db.session.scalar(db.select(db.func.count()).select_from(Structure)) == 0


def test_corsican_insee_codes_and_la_poste_sirets_are_accepted(ctx):
    structure = create_structure(by=None, **(VALID | {"commune": "Ajaccio", "insee_code": "2a004",
                                                      "siret": "35600000000001"}))
    assert structure.insee_code == "2A004"


def test_names_and_prefixes_are_unique(ctx):
    create_structure(by=None, **VALID)
    with pytest.raises(ValidationFailed) as excinfo:
        create_structure(by=None, **(VALID | {"name": "atelier nord ", "tag_prefix": "SUD"}))
    assert _field_error(excinfo) == {"name"}
    with pytest.raises(ValidationFailed) as excinfo:
        create_structure(by=None, **(VALID | {"name": "Atelier Sud"}))
    assert _field_error(excinfo) == {"tag_prefix"}


def test_a_structure_cannot_lose_the_kind_its_users_need(ctx):
    user = make_user("technician")
    with pytest.raises(ValidationFailed) as excinfo:
        update_structure(user.structure, by=None, kinds=["partner"])
    assert _field_error(excinfo) == {"kinds"}


def test_update_structure_records_what_changed(ctx):
    structure = make_structure("prescriber")
    update_structure(structure, by=None, commune="fougeres", insee_code="")
    event = events_for(structure)[0]
    assert event.action == "updated"
    assert event.details["changes"] == {"commune": ["Rennes", "Fougères"], "insee_code": ["35238", "35115"]}


@pytest.mark.parametrize("role,kinds,ok", [
    ("technician", ["workshop"], True), ("technician", ["prescriber"], False),
    ("supervisor", ["workshop", "installer"], True), ("prescriber", ["workshop"], False),
    ("prescriber", ["prescriber"], True), ("installer", ["installer"], True), ("installer", ["partner"], False),
    ("partner", ["partner"], True), ("admin", [], True), ("viewer", [], True), ("viewer", ["workshop"], True),
])
def test_roles_must_fit_the_structure_kind(ctx, role, kinds, ok):
    structure = make_structure(*kinds) if kinds else make_structure("partner", is_partner=False)
    structure.kinds = set(kinds)
    db.session.commit()
    if ok:
        assert create_user(by=None, email="a@b.org", name="A", structure=structure, role=role,
                           password="long enough password").role == Role(role)
    else:
        with pytest.raises(ValidationFailed) as excinfo:
            create_user(by=None, email="a@b.org", name="A", structure=structure, role=role,
                        password="long enough password")
        assert _field_error(excinfo) == {"role"}


@pytest.mark.parametrize("fields,field", [
    ({"email": "not-an-email"}, "email"), ({"name": " "}, "name"), ({"password": "short"}, "password"),
    ({"password": "same@example.org", "email": "same@example.org"}, "password"), ({"locale": "de"}, "locale"),
])
def test_create_user_refuses_bad_fields(ctx, fields, field):
    structure = make_structure()
    data = {"email": "new@example.org", "name": "New", "role": "technician", "password": "long enough password"}
    with pytest.raises(ValidationFailed) as excinfo:
        create_user(by=None, structure=structure, **(data | fields))
    assert _field_error(excinfo) == {field}


def test_emails_are_unique_whatever_their_case(ctx):
    make_user(email="taken@example.org")
    with pytest.raises(ValidationFailed) as excinfo:
        create_user(by=None, email="TAKEN@example.org", name="X", structure=make_structure(),
                    role="technician", password="long enough password")
    assert _field_error(excinfo) == {"email"}


def test_update_user_checks_the_role_against_the_new_structure(ctx):
    user = make_user("technician")
    with pytest.raises(ValidationFailed):
        update_user(user, by=None, structure=make_structure("prescriber"))


def test_deactivation_keeps_the_user_and_records_it(ctx):
    admin = make_user("admin")
    user = make_user("technician")
    set_user_active(user, False, by=admin)
    db.session.commit()
    assert db.session.get(User, user.id).active is False
    assert [e.action for e in events_for(user)][0] == "deactivated"


def test_nobody_deactivates_themself(ctx):
    admin = make_user("admin")
    with pytest.raises(ValidationFailed):
        set_user_active(admin, False, by=admin)


def test_change_password_checks_the_current_one_and_ends_other_sessions(ctx):
    user = make_user()
    version = user.session_version
    with pytest.raises(ValidationFailed) as excinfo:
        change_password(user, current="wrong", new="another long password")
    assert _field_error(excinfo) == {"current_password"}
    with pytest.raises(ValidationFailed) as excinfo:
        change_password(user, current=PASSWORD, new="short")
    assert _field_error(excinfo) == {"new_password"}
    change_password(user, current=PASSWORD, new="another long password")
    assert user.check_password("another long password")
    assert user.session_version == version + 1


def test_password_hashes_are_salted(ctx):
    a = create_user(by=None, email="a@example.org", name="A", structure=make_structure(), role="technician",
                    password="the same password")
    b = create_user(by=None, email="b@example.org", name="B", structure=make_structure(), role="technician",
                    password="the same password")
    assert a.password_hash != b.password_hash
    assert "the same password" not in a.password_hash


def test_token_lookup(ctx):
    user = make_user()
    token = make_token(user)
    assert user_for_token(token) == user
    assert user_for_token(token + "x") is None
    assert user_for_token(token.upper()) is None


def test_a_structure_keeps_its_street_address_and_refuses_a_bad_postcode(ctx):
    structure = create_structure(by=None, name="Atelier Adresse", kinds=["workshop"], commune="Rennes",
                                 insee_code="35238", tag_prefix="ADR", address=" 12 rue de Brest ", postcode="35000")
    assert (structure.address, structure.postcode) == ("12 rue de Brest", "35000")
    db.session.commit()
    for postcode in ("3500", "35 000", "ABCDE"):
        with pytest.raises(ValidationFailed) as refusal:
            update_structure(structure, by=None, postcode=postcode)
        assert "postcode" in refusal.value.fields
        db.session.rollback()
    update_structure(structure, by=None, address="14 rue de Brest")
    assert events_for(structure)[0].details["changes"]["address"] == ["12 rue de Brest", "14 rue de Brest"]


def test_a_structure_keeps_a_phone_written_with_digits_and_refuses_other_text(ctx):
    structure = create_structure(by=None, name="CCAS Téléphone", kinds=["prescriber"], commune="Rennes",
                                 insee_code="35238", phone="  02 99  00 12 34 ")
    assert structure.phone == "02 99 00 12 34"
    db.session.commit()
    for phone in ("appelez-nous", "12", "=HYPERLINK(1)", "02 99 00 12 34 poste 5"):
        with pytest.raises(ValidationFailed) as refusal:
            update_structure(structure, by=None, phone=phone)
        assert "phone" in refusal.value.fields
        db.session.rollback()
    update_structure(structure, by=None, phone="+33 2 99 00 12 34")
    assert events_for(structure)[0].details["changes"]["phone"] == ["02 99 00 12 34", "+33 2 99 00 12 34"]
