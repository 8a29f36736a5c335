"""A median, a longest wait, a weight or a CO2e drawn from fewer than 5 households or devices never leaves the
workshop: every output that shows one is listed here and checked with 1 household and with 5."""
import csv
import html
import io
import re
from datetime import timedelta

import openpyxl
import pypdfium2
import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from reco.accounts.models import Role
from reco.core.documents import Document
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import record_handover
from reco.reports.figures import derived
from reco.reports.tables import TABLES
from tests.conftest import login_as
from tests.factories import (
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)

DEVICES_HIDDEN = "non publié (moins de 5 appareils)"
HOUSEHOLDS_HIDDEN = "non publié (moins de 5 foyers)"
KG = re.compile(r"\d\s?kg")


def _world(n: int) -> dict:
    """Equip ``n`` households with the devices of one donation, and leave ``n`` others waiting."""
    workshop = make_structure("workshop")
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    prescriber = make_user(Role.PRESCRIBER)
    donation = make_donation(make_donor(workshop, name="Armor Conseil"))
    for days in range(10, 10 + n):
        prescription = make_prescription(prescriber, workshop, status="accepted", visit_wanted=False)
        device = make_ready_device(workshop)
        device.donation = donation
        reserve_device(prescription, device, by=supervisor)
        record_handover(prescription, by=supervisor, internet_connected=True, no_signature_reason="Attestation papier")
        prescription.decided_at = prescription.equipped_at - timedelta(days=days)
    for days in range(40, 40 + n):
        waiting = make_prescription(prescriber, workshop, status="accepted")
        waiting.decided_at = utcnow() - timedelta(days=days, hours=1)
    db.session.commit()
    return {"n": n, "supervisor": supervisor, "viewer": make_user(Role.VIEWER), "donation": donation}


def _spaced(text: str) -> str:
    """Return ``text`` with its runs of spaces and line breaks as one space (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _text(pdf: bytes) -> str:
    """Return the text of a PDF, its lines joined by single spaces."""
    document = pypdfium2.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return _spaced(text)


def _headline(client) -> str:
    """Return the text of the dashboard's headline figures."""
    page = client.get("/reports").get_data(as_text=True)
    section = re.search(r'<section class="headline">(.*?)</section>', page, re.S).group(1)
    return _spaced(html.unescape(re.sub(r"<[^>]+>", " ", section)))


def _dashboard(client, world):
    login_as(client, world["viewer"])
    text = _headline(client)
    median = re.search(r"(\S+) jours entre l'acceptation et l'équipement \(médiane\)", text).group(1)
    if world["n"] < 5:
        assert median == "—" and "(médiane) " + HOUSEHOLDS_HIDDEN in text, text
        assert "attente la plus longue\u00a0: " + HOUSEHOLDS_HIDDEN in text, text
        assert not KG.search(text) and text.count(DEVICES_HIDDEN) == 2, text
    else:
        assert median == "12", text  # 10 to 14 days
        assert "attente la plus longue\u00a0: 44 jours" in text, text
        assert "10 kg évités aux déchets" in text and "400 kg CO2e évités" in text, text
        assert "non publié" not in text, text
    login_as(client, world["supervisor"])  # inside the workshop: exact
    text = _headline(client)
    assert "non publié" not in text and f"{2 * world['n']} kg évités" in text and f"{81 * world['n']} kg CO2e" in text


def _table_exports(client, world):
    login_as(client, world["viewer"])
    for key in TABLES:
        response = client.get(f"/reports/tables/{key}.csv")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/tables/{key}.xlsx").data)).active
        for table in (rows, [[cell.value for cell in row] for row in sheet.iter_rows()]):
            header = " ".join(str(cell) for cell in table[0]).lower()
            assert not re.search(r"kg|co2|médiane|attente|délai", header), (key, header)  # would be checked here
            assert not [cell for row in table[1:] for cell in row if str(cell) in ("1", "2", "3", "4")], (key, table)


def _api_summary(client, world):
    body = client.get("/api/v1/reports/summary",
                      headers={"Authorization": f"Bearer {make_token(world['viewer'])}"}).get_json()
    if world["n"] < 5:
        assert body["weight_diverted_kg"] is None and body["co2e_avoided_kg"] is None, body
        assert body["not_published"] == ["weight_diverted_kg", "co2e_avoided_kg"], body
    else:
        assert (body["weight_diverted_kg"], body["co2e_avoided_kg"], body["not_published"]) == (10, 400, []), body
    inside = client.get("/api/v1/reports/summary",
                        headers={"Authorization": f"Bearer {make_token(world['supervisor'])}"}).get_json()
    assert inside["co2e_avoided_kg"] == 81 * world["n"] and inside["not_published"] == [], inside


def _annual_report(client, world):
    login_as(client, world["viewer"])
    text = _text(client.get(f"/reports/annual.pdf?year={local_today().year}").data)
    weight = re.search(r"Poids évité aux déchets \(kg\) (\S+)", text).group(1)
    co2e = re.search(r"CO2e évité \(kg\) (\S+)", text).group(1)
    if world["n"] < 5:
        assert (weight, co2e) == ("non", "non") and text.count(DEVICES_HIDDEN) == 2, text
    else:
        assert (weight, co2e) == ("10", "400") and "non publié" not in text, text


def _donor_text(client, world) -> bytes:
    """Issue the donor report as the workshop's supervisor and return its PDF (a donor reads it: never exact)."""
    login_as(client, world["supervisor"])
    assert client.post(f"/donations/{world['donation'].id}/documents/donor_report").status_code == 302
    document = db.session.scalars(select(Document).where(Document.kind == "donor_report")
                                  .order_by(Document.id.desc())).first()
    return client.get(f"/documents/{document.id}.pdf").data


def _check_donor_report(text: str, n: int):
    impact = re.search(r"Impact (Poids .*?) Les facteurs", text).group(1)  # the factors' sources cite kg per device
    if n < 5:
        assert not KG.search(impact) and impact.count(DEVICES_HIDDEN) == 2, impact
    else:
        assert re.fullmatch(r"Poids évité aux déchets\s: 10 kg\. Gaz à effet de serre évités\s: 400 kg CO2e\.", impact)


def _donor_report(client, world):
    _check_donor_report(_text(_donor_text(client, world)), world["n"])


def _api_donor_report(client, world):
    response = client.get(f"/api/v1/donations/{world['donation'].id}/report.pdf",
                          headers={"Authorization": f"Bearer {make_token(world['supervisor'])}"})
    _check_donor_report(_text(response.data), world["n"])


def _verify(client, world):
    pdf = _donor_text(client, world)
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(pdf), "r.pdf", content_type="application/pdf")})
    page = client.post("/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    lines = re.findall(r"<li>(.*?)</li>", page.get_data(as_text=True), re.S)
    _check_donor_report(_spaced(" ".join(html.unescape(line) for line in lines)), world["n"])


#: Every output that shows a median, a longest wait, a weight or a CO2e, by endpoint, with its check.
OUTPUTS = {
    "reports.dashboard": _dashboard,
    "reports.export_table": _table_exports,
    "api.reports_summary": _api_summary,
    "reports.annual": _annual_report,
    "donations.issue_document": _donor_report,
    "api.donor_report_pdf": _api_donor_report,
    "core.verify_file": _verify,
}
#: The outputs of figures and documents that show none of them, and why.
WITHOUT = {
    "reports.impact": "families per month: counts only, protected as counts",
    "reports.export_list": "the workshop's own lists, row by row, for its supervisor",
    "reports.export_network_list": "devices, erasures and repairs row by row for the coordinator, no household",
    "reports.factors": "the factors, not figures of the network's devices",
    "donations.document_pdf": "the kept documents checked above (donor report, annual report), as issued",
    "api.document_pdf": "the kept documents checked above (donor report, annual report), as issued",
    "core.verify": "names a kept document, none of its figures",
}


def test_every_output_of_figures_and_documents_is_checked(app):
    modules = ("reco.reports.views", "reco.api.reports")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if app.view_functions[rule.endpoint].__module__ in modules}
    endpoints |= {"donations.issue_document", "donations.document_pdf", "core.verify", "core.verify_file"}
    assert endpoints - set(OUTPUTS) - set(WITHOUT) == set(), "add the new output to OUTPUTS or WITHOUT"
    assert not set(OUTPUTS) & set(WITHOUT)


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_figures_from_fewer_than_5_households_or_devices_never_leave_the_workshop(ctx, client, output, n):
    OUTPUTS[output](client, _world(n))


def test_one_function_decides():
    assert [derived(81.0, n, True) for n in (0, 1, 4, 5)] == [None, None, None, 81.0]
    assert derived(81.0, 1, False) == 81.0 and derived(None, 9, True) is None
    assert derived(405.0, 5, True, -2) == 400 and derived(12.5, 7, True, -1) == 10
