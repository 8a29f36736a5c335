"""A prescription's text fields are as long as their columns allow, in the form, the service and the API's schema."""

import pytest
from flask_babel import gettext as _
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from reco.accounts.models import Role
from reco.communes.forms import CommuneChoiceField
from reco.core.errors import ValidationFailed
from reco.core.time import local_today
from reco.prescriptions.forms import PrescriptionForm
from reco.prescriptions.models import TEXT_LIMITS, Prescription
from reco.prescriptions.services import create_prescription
from tests.factories import HOUSEHOLD, make_structure, make_user

#: What the columns of a prescription's text fields hold (the comment's, a Text column, is said by its info).
COLUMNS = {column.name: column.type.length or column.info["max_length"]
           for column in Prescription.__table__.columns if column.name in TEXT_LIMITS}
#: A value one character too long that breaks no other rule of its field.
TOO_LONG = {"contact_phone": "06" + " " * (COLUMNS["contact_phone"] - 9) + "12345678"}


def test_the_limits_are_the_columns_lengths():
    assert TEXT_LIMITS == COLUMNS
    assert COLUMNS["contact_phone"] == 20 and COLUMNS["comment"] == 2000


def test_the_form_takes_each_text_field_as_long_as_its_column(app):
    with app.test_request_context():
        form = PrescriptionForm(meta={"csrf": False})
    typed = {f.name: f for f in form if isinstance(f, (StringField, TextAreaField))}
    assert isinstance(form.insee_code, CommuneChoiceField)  # chosen among the registry's communes, never typed
    assert set(typed) == set(COLUMNS) - {"insee_code"}
    for name, field in typed.items():
        assert [v.max for v in field.validators if isinstance(v, Length)] == [COLUMNS[name]], name


def test_the_api_schema_takes_each_text_field_as_long_as_its_column(client):
    properties = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["PrescriptionIn"]["properties"]
    assert {name: properties[name]["maxLength"] for name in COLUMNS} == COLUMNS


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_the_service_refuses_each_text_field_longer_than_its_column(ctx, name):
    prescriber = make_user(Role.PRESCRIBER)
    value = TOO_LONG.get(name, "x" * (COLUMNS[name] + 1))
    assert len(value) == COLUMNS[name] + 1
    with pytest.raises(ValidationFailed) as refused:
        create_prescription(by=prescriber, workshop=make_structure("workshop"), consent=True, submit=False,
                            consent_on=local_today(), **(HOUSEHOLD | {name: value}))
    limit = _("at most %(n)d characters", n=COLUMNS[name])
    assert refused.value.fields[name] == [{"postcode": _("A postcode has 5 digits.")}.get(name, limit)]
