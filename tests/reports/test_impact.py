"""/impact: families equipped month by month, small counts hidden for the network; figures written the French way."""
import re

from flask_babel import format_date

from reco.accounts.models import Role
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.partner_reports import submit_partner_report
from reco.reports.models import ImpactFactor
from tests.conftest import login_as
from tests.factories import make_structure, make_user
from tests.reports.test_reports import network  # noqa: F401 (fixture)

TODAY = local_today()


def _rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_network_sees_each_month_with_counts_under_five_hidden(client, app, network):  # noqa: F811
    partner = make_user(Role.PARTNER, structure=make_structure("partner"))
    submit_partner_report(partner.structure, by=partner, month=TODAY.replace(day=1).isoformat()[:7],
                          lines=[{"insee_code": "35238", "device_type": "laptop", "families": 12, "accompanied": 3}])
    db.session.commit()
    login_as(client, make_user(Role.VIEWER))
    page = client.get("/impact").get_data(as_text=True)
    with app.test_request_context():
        month = format_date(TODAY, "MMM y")
    assert _rows(page) == [[month, "&lt; 5", "10"]]
    assert "Déclarées par les partenaires" in page


def test_a_workshop_sees_its_own_counts_in_full(client, network):  # noqa: F811
    login_as(client, network["supervisor"])
    page = client.get("/impact").get_data(as_text=True)
    assert [row[1:] for row in _rows(page)] == [["3"]] and "Déclarées par les partenaires" not in page
    assert client.get("/impact?from=2026-12-31&to=2026-01-01").status_code == 302


def test_figures_are_written_with_a_decimal_comma_in_french(client, network):  # noqa: F811
    db.session.get(ImpactFactor, "laptop").weight_kg = 2.5
    db.session.commit()
    login_as(client, make_user(Role.ADMIN))
    for url in ("/reports", "/admin/impact-factors"):
        page = client.get(url).get_data(as_text=True)
        assert "2,5" in page and not re.search(r">\s*\d+\.\d+\s*<", page), url
