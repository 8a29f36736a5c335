"""Figures by commune as it is today, by EPCI and by département, filtered by them, and drawn so that colour is
never the only way to tell pipeline from declared families."""
import html
import re

import pypdfium2
import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Rect
from reportlab.lib import colors

from reco.accounts.models import Role
from reco.core.pdf import register_fonts
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.prescriptions.models import PrescriptionStatus
from reco.prescriptions.partner_reports import submit_partner_report
from reco.reports.annual import annual_content, families_chart
from reco.reports.figures import Period, audience_of, families_by_place, summary
from tests.conftest import login_as
from tests.factories import make_prescription, make_structure, make_token, make_user

RENNES_METROPOLE = "243500139"
CHATEAUGIRON_COMMUNAUTE = "243500659"
#: Where the households of the world live: INSEE code as stored, how many. 35209 (Ossé) and 35254
#: (Saint-Aubin-du-Pavail) are former communes of Châteaugiron (35069); 13201 is a district of Marseille;
#: 35182 is a code the registry does not hold.
HOUSEHOLDS = {"35238": 4, "35051": 3, "35069": 1, "35209": 1, "35254": 1, "13201": 1, "13055": 1, "35182": 1}


def _equip(prescriber, workshop, code: str, typed: str = "Rennes") -> None:
    """Record one household of ``code`` (as stored, whatever the forms check today) equipped now."""
    prescription = make_prescription(prescriber, workshop, commune="Rennes", insee_code="35238")
    prescription.commune, prescription.insee_code = typed, code
    prescription.status = PrescriptionStatus.EQUIPPED
    prescription.equipped_at = utcnow()


@pytest.fixture
def world(ctx):
    workshop = make_structure("workshop")
    prescriber = make_user(Role.PRESCRIBER)
    for code, count in HOUSEHOLDS.items():
        for n in range(count):
            _equip(prescriber, workshop, code, typed="RENNES CEDEX" if code == "35238" and n else "Rennes")
    partner = make_user(Role.PARTNER, structure=make_structure("partner"))
    report = submit_partner_report(partner.structure, by=partner, month=local_today().isoformat()[:7], lines=[
        {"insee_code": "35238", "device_type": "laptop", "families": 12, "accompanied": 3},
        {"insee_code": "35069", "device_type": "tablet", "families": 2, "accompanied": 0}])
    report.lines[1].insee_code = "35254"  # stored under a former code of Châteaugiron
    db.session.commit()
    return {"workshop": workshop, "supervisor": make_user(Role.SUPERVISOR, structure=workshop),
            "viewer": make_user(Role.VIEWER)}


def _today() -> Period:
    return Period(local_today().replace(day=1), local_today())


def _table(page: str, key: str) -> list[list[str]]:
    section = re.search(rf'<section class="report-table" id="{key}">(.*?)</section>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _summary(client, user, **query):
    return client.get("/api/v1/reports/summary", headers={"Authorization": f"Bearer {make_token(user)}"},
                      query_string=query)


def test_a_commune_is_one_row_under_its_name_whatever_code_or_spelling_it_was_stored_with(world):
    workshop = audience_of(world["supervisor"])
    assert families_by_place(workshop, _today()) == [
        ("Rennes (35238)", 4, 0), ("Cesson-Sévigné (35051)", 3, 0), ("Châteaugiron (35069)", 3, 0),
        ("Marseille (13055)", 2, 0), ("35182", 1, 0)]
    network = audience_of(world["viewer"])
    assert families_by_place(network, _today()) == [
        ("Rennes (35238)", 4, 12), ("Châteaugiron (35069)", 3, 2), ("Cesson-Sévigné (35051)", 3, 0),
        ("Marseille (13055)", 2, 0), ("35182", 1, 0)]


def test_families_by_epci_and_by_departement_keep_codes_the_registry_does_not_know(world):
    network = audience_of(world["viewer"])
    assert families_by_place(network, _today(), "epci") == [
        ("Rennes Métropole", 7, 12), ("CC Pays de Châteaugiron Communauté", 3, 2),
        ("Métropole d'Aix-Marseille-Provence", 2, 0), ("35182", 1, 0)]
    assert families_by_place(network, _today(), "departement") == [
        ("Ille-et-Vilaine (35)", 10, 14), ("Bouches-du-Rhône (13)", 2, 0), ("35182", 1, 0)]


def test_the_tables_protect_each_group_after_adding_its_communes_up(client, world):
    """Counts under 5 are hidden after a group adds its communes up; hidden ones are ranked by name, not by count."""
    login_as(client, world["viewer"])
    page = client.get("/reports").get_data(as_text=True)
    assert _table(page, "families_commune") == [
        ["Rennes (35238)", "< 5", "10"], ["35182", "< 5", "0"], ["Cesson-Sévigné (35051)", "< 5", "0"],
        ["Châteaugiron (35069)", "< 5", "< 5"], ["Marseille (13055)", "< 5", "0"]]
    assert _table(page, "families_epci") == [
        ["Rennes Métropole", "5", "10"], ["35182", "< 5", "0"], ["CC Pays de Châteaugiron Communauté", "< 5", "< 5"],
        ["Métropole d'Aix-Marseille-Provence", "< 5", "0"]]
    assert _table(page, "families_departement") == [
        ["Ille-et-Vilaine (35)", "10", "15"], ["35182", "< 5", "0"], ["Bouches-du-Rhône (13)", "< 5", "0"]]
    login_as(client, world["supervisor"])
    page = client.get("/reports").get_data(as_text=True)
    assert _table(page, "families_epci")[0] == ["Rennes Métropole", "7"]
    csv = client.get("/reports/tables/families_departement.csv?sep=comma").data.decode("utf-8-sig")
    assert csv.splitlines()[1:] == ['"Ille-et-Vilaine (35)",10', '"Bouches-du-Rhône (13)",2', '"35182",1']


@pytest.mark.parametrize(("query", "pipeline", "place"), [
    ({"epci": RENNES_METROPOLE}, 7, "Rennes Métropole"),
    ({"epci": CHATEAUGIRON_COMMUNAUTE}, 3, "CC Pays de Châteaugiron Communauté"),
    ({"departement": "35"}, 10, "Ille-et-Vilaine (35)"),
    ({"departement": "13", "epci": RENNES_METROPOLE}, 0, "Rennes Métropole, Bouches-du-Rhône (13)"),
    ({"commune": "35209"}, 3, "Châteaugiron (35069)"),
    ({"commune": "13055"}, 2, "Marseille (13055)"),
    ({"commune": "13201", "departement": "13"}, 2, "Marseille (13055), Bouches-du-Rhône (13)"),
])
def test_the_figures_of_an_epci_a_departement_or_a_commune_and_its_former_codes(client, world, query, pipeline,
                                                                                 place):
    body = _summary(client, world["supervisor"], **query).get_json()
    assert body["families_equipped"]["pipeline"] == pipeline and body["place"] == place
    login_as(client, world["supervisor"])
    for url in ("/reports", "/impact"):
        page = client.get(url, query_string=query).get_data(as_text=True)
        assert f"Seulement les foyers de\u00a0:</strong> {html.escape(place)}" in page, url
    if "epci" in query:
        assert f'<option value="{query["epci"]}" selected>' in page


def test_the_network_sees_a_territory_with_its_small_counts_hidden(client, world):
    body = _summary(client, world["viewer"], epci=CHATEAUGIRON_COMMUNAUTE).get_json()
    assert body["families_equipped"] == {"pipeline": None, "declared": None}
    body = _summary(client, world["viewer"], epci=RENNES_METROPOLE).get_json()
    assert body["families_equipped"] == {"pipeline": 5, "declared": 10}
    login_as(client, world["viewer"])
    page = client.get("/impact", query_string={"departement": "35"}).get_data(as_text=True)
    assert _table(page, "families_month")[0][1:] == ["10", "15"]
    network = audience_of(world["viewer"], epci=RENNES_METROPOLE)
    assert summary(network, _today())["families_equipped"] == {"pipeline": 7, "declared": 12}


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"epci": "123456789"}, "epci", "123456789 n’est pas le SIREN d’un EPCI."),
    ({"epci": "Rennes"}, "epci", "RENNES n’est pas le SIREN d’un EPCI."),
    ({"departement": "99"}, "departement", "99 n’est pas le code d’un département français."),
    ({"departement": "Ille"}, "departement", "ILLE n’est pas le code d’un département français."),
    ({"commune": "35999"}, "commune", "35999 n’est le code INSEE d’aucune commune française."),
    ({"commune": "35000"}, "commune", "35000 est un code postal\u00a0: donnez le code INSEE de la commune "
                                      "(Rennes (35238))."),
])
def test_a_territory_the_registry_does_not_know_is_refused_in_french(client, world, query, field, message):
    response = _summary(client, world["viewer"], **query)
    assert response.status_code == 422
    assert response.get_json()["message"] == message and response.get_json()["fields"] == {field: [message]}
    login_as(client, world["viewer"])
    for url in ("/reports", "/impact"):
        refused = client.get(url, query_string=query)
        assert refused.status_code == 302
        assert html.escape(message, quote=False) in client.get(refused.location).get_data(as_text=True)
    assert _summary(client, world["viewer"], departement="2a").status_code == 200


def test_the_api_documents_the_territory_filters(client):
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/reports/summary"]["get"]
    names = {parameter["name"]: parameter["description"] for parameter in documented["parameters"]}
    assert {"commune", "epci", "departement"} <= set(names) and "SIREN" in names["epci"]
    assert "place" in client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Summary"]["properties"]


def test_the_monthly_chart_stacks_pipeline_and_declared_told_apart_without_colour(client, world):
    login_as(client, world["viewer"])
    page = client.get("/impact").get_data(as_text=True)
    chart = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', page, re.S).group(1)
    assert "Par le circuit du réseau" in legend and "Déclarées par les partenaires" in legend and "hachuré" in legend
    assert '<pattern id="fill-families_month-1"' in chart
    pipeline, declared = (re.findall(rf'<rect [^>]*data-series="{n}"', chart) for n in (0, 1))
    assert len(pipeline) == 1 and len(declared) == 1
    assert 'fill="url(#fill-families_month-1)"' in declared[0] and "url(" not in pipeline[0]
    x, width = (float(re.search(rf'{name}="([\d.]+)"', pipeline[0]).group(1)) for name in ("x", "width"))
    assert float(re.search(r' x="([\d.]+)"', declared[0]).group(1)) == x + width  # stacked after the pipeline
    assert ">15 + 15</text>" in chart  # values written on the bar
    assert 'aria-labelledby="chart-families_month chart-families_month-desc"' in chart
    assert re.search(r"<desc [^>]*>Barres empilées\u00a0: Par le circuit du réseau \(plein\), Déclarées par les "
                     r"partenaires \(hachuré\)\. .* – Par le circuit du réseau 15, "
                     r"Déclarées par les partenaires 15\.</desc>", chart)


def test_every_chart_says_its_values_in_text(client, world):
    login_as(client, world["supervisor"])
    page = client.get("/reports").get_data(as_text=True)
    charts = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert len(charts) >= 6 and "chart-legend" not in page  # one series each for a workshop: nothing to tell apart
    for chart in charts:
        bars = re.findall(r"<rect [^>]*>", chart)
        labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" font-size="12" fill="#1b1f24">([^<]+)</text>', chart)
        assert "<desc " in chart and len(labels) == len(bars) and all(re.fullmatch(r"\d+", label) for label in labels)


def test_the_annual_report_gives_funders_their_epci_and_departement(world):
    content = annual_content(audience_of(world["viewer"]), local_today().year)
    tables = {title: rows for title, _columns, rows in content["tables"]}
    assert tables["Familles équipées par EPCI"][0] == ["Rennes Métropole", "5", "10"]
    assert tables["Familles équipées par département"][0] == ["Ille-et-Vilaine (35)", "10", "15"]


def _shapes(group):
    for shape in getattr(group, "contents", []):
        yield shape
        yield from _shapes(shape)


def test_the_annual_chart_stacks_declared_outlined_on_the_pipeline_filled_with_the_counts_written(app):
    with app.test_request_context():
        register_fonts()
        drawing = families_chart([["2026-01", 15, 10], ["2026-02", None, 25]])
        shapes = list(_shapes(drawing.contents[0].draw()))
    bars = [shape for shape in shapes if isinstance(shape, Rect) and shape.height > 0 and shape.width < 200]
    filled = [bar for bar in bars if bar.fillColor == colors.HexColor("#0b5c8e")]
    outlined = [bar for bar in bars if bar.fillColor == colors.white and bar.strokeDashArray]
    assert len(filled) == 1 and len(outlined) == 2
    assert outlined[0].y == pytest.approx(filled[0].y + filled[0].height)  # stacked on the pipeline
    document = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    written = document[0].get_textpage().get_text_range().split()
    document.close()
    assert {"15", "10", "25"} <= set(written)  # each part's count written on it
