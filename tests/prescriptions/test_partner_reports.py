"""Partners' monthly reports: checks, corrections that keep history, and the network's totals."""
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.errors import ValidationFailed
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import PartnerReport
from reco.prescriptions.partner_reports import submit_partner_report
from reco.reports.figures import Period, declared_families, shown
from tests.conftest import login_as
from tests.factories import make_structure, make_token, make_user

LAST_MONTH = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
LINE = {"insee_code": "35238", "commune": "Rennes", "device_type": "laptop", "families": 6, "accompanied": 4}


@pytest.fixture
def partner(ctx):
    return make_user(Role.PARTNER)


def _count():
    return db.session.scalar(select(func.count(PartnerReport.id)))


def test_a_month_reported_twice_becomes_a_correction_and_history_stays(partner):
    first = submit_partner_report(partner.structure, by=partner, month=LAST_MONTH.isoformat()[:7], lines=[LINE])
    second = submit_partner_report(partner.structure, by=partner, month=LAST_MONTH,
                                   lines=[LINE | {"families": 9}, LINE | {"device_type": "tablet", "families": 2,
                                                                          "accompanied": 0}])
    assert (first.version, second.version) == (1, 2)
    assert not first.current and second.current and second.families == 11
    assert declared_families(Period(LAST_MONTH, local_today())) == 11


@pytest.mark.parametrize("month, lines, field", [
    (local_today().replace(day=1) + timedelta(days=32), [LINE], "month"),
    ("2026-13", [LINE], "month"),
    ("octobre", [LINE], "month"),
    (None, [LINE], "month"),
    ("1999-12", [LINE], "month"),
    ("0000-01", [LINE], "month"),
    (LAST_MONTH, [LINE | {"families": -1}], "lines[0].families"),
    (LAST_MONTH, [LINE | {"families": "6"}], "lines[0].families"),
    (LAST_MONTH, [LINE | {"families": 2, "accompanied": 3}], "lines[0].accompanied"),
    (LAST_MONTH, [LINE | {"insee_code": "35000"}], "lines[0].insee_code"),
    (LAST_MONTH, [LINE | {"device_type": "toaster"}], "lines[0].device_type"),
    (LAST_MONTH, [LINE, LINE], "lines[1]"),
    (LAST_MONTH, ["nope"], "lines[0]"),
    (LAST_MONTH, "nope", "lines"),
    (LAST_MONTH, [LINE] * 201, "lines"),
])
def test_bad_reports_are_refused_and_nothing_is_written(partner, month, lines, field):
    with pytest.raises(ValidationFailed) as error:
        submit_partner_report(partner.structure, by=partner, month=month, lines=lines)
    assert field in error.value.fields
    assert _count() == 0


def test_small_counts_are_hidden_outside_the_structure():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "< 5", "< 5", "5", "10"]


def test_correcting_a_long_month_keeps_every_line(client, partner):
    lines = [LINE | {"insee_code": f"35{n:03d}", "commune": None, "families": 5} for n in range(101, 112)]
    submit_partner_report(partner.structure, by=partner, month=LAST_MONTH, lines=lines[:10] + [
        LINE | {"insee_code": "35238", "device_type": "screen", "families": 1, "accompanied": 0}])
    db.session.commit()
    login_as(client, partner)
    page = client.get(f"/partner-reports/new?month={LAST_MONTH.isoformat()[:7]}").get_data(as_text=True)
    assert page.count('name="lines-') >= 11 * 5 and 'selected value="screen"' in page


def test_the_partner_page_and_the_totals(client, partner):
    login_as(client, partner)
    response = client.post("/partner-reports/new", data={
        "month": LAST_MONTH.isoformat()[:7], "lines-0-commune": "Rennes", "lines-0-insee_code": "35238",
        "lines-0-device_type": "laptop", "lines-0-families": "7", "lines-0-accompanied": "3"})
    assert response.status_code == 302
    report = db.session.scalars(select(PartnerReport)).one()
    assert report.families == 7
    page = client.get(f"/partner-reports/new?month={LAST_MONTH.isoformat()[:7]}").get_data(as_text=True)
    assert 'value="35238"' in page
    refused = client.post("/partner-reports/new", data={"month": LAST_MONTH.isoformat()[:7],
                                                        "lines-0-insee_code": "00000", "lines-0-families": "2",
                                                        "lines-0-device_type": "laptop"})
    assert refused.status_code == 422 and _count() == 1
    viewer = make_user(Role.VIEWER)
    login_as(client, viewer)
    totals = client.get("/reports").get_data(as_text=True)
    months = totals.split('id="families_month"')[1].split("</section>")[0]
    assert format_date(LAST_MONTH, "MMM y", locale="fr") in months and "<td>5</td>" in months  # 7, rounded
    assert client.get(f"/partner-reports/{report.id}").status_code == 403
    login_as(client, make_user(Role.PARTNER))
    assert client.get(f"/partner-reports/{report.id}").status_code == 404


def test_the_api_takes_reports_and_corrections(client, partner):
    headers = {"Authorization": f"Bearer {make_token(partner)}"}
    body = {"month": LAST_MONTH.isoformat()[:7], "lines": [LINE]}
    first = client.post("/api/v1/partner-reports", headers=headers, json=body)
    assert first.status_code == 201 and first.get_json()["correction"] is False
    again = client.post("/api/v1/partner-reports", headers=headers, json=body | {"lines": [LINE | {"families": 8}]})
    assert again.get_json() | {"id": 0} == {"id": 0, "month": body["month"], "version": 2, "correction": True,
                                             "families": 8}
    future = (local_today().replace(day=1) + timedelta(days=32)).isoformat()[:7]
    assert client.post("/api/v1/partner-reports", headers=headers, json=body | {"month": future}).status_code == 422
    negative = client.post("/api/v1/partner-reports", headers=headers,
                           json=body | {"lines": [LINE | {"families": -2}]})
    assert negative.status_code == 422 and "lines[0].families" in negative.get_json()["fields"]
    supervisor = make_user(Role.SUPERVISOR, structure=make_structure("workshop"))
    assert client.post("/api/v1/partner-reports", json=body,
                       headers={"Authorization": f"Bearer {make_token(supervisor)}"}).status_code == 403
