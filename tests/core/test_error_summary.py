"""A refused form says so at the top of the page, links each error to its field, and keeps what was typed."""
import re
from html.parser import HTMLParser

import pytest
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, Form, HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from reco.core.error_summary import error_summary
from reco.core.forms import MultiCheckboxField
from reco.donations.models import DonationStatus
from reco.extensions import db
from reco.prescriptions.models import Visit
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user
from tests.scenarios import reserved_household


class _Page(HTMLParser):
    """The parts of a page an error summary is about: the ids, the summary's links, the attributes of inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.links, self.inputs, self.in_summary = set(), [], {}, 0
        self.summary_attrs = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
            if tag in ("input", "select", "textarea"):
                self.inputs[attrs["id"]] = attrs
        if attrs.get("id") == "error-summary":
            self.summary_attrs = attrs
            self.in_summary = 1
        elif self.in_summary and tag == "div":
            self.in_summary += 1
        elif self.in_summary and tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self.in_summary and tag == "div":
            self.in_summary -= 1


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def _summary(html: str) -> str:
    return re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)


def _assert_summary_leads_to_fields(html: str, *targets: str) -> _Page:
    """The summary, before the page's h1, links each error to an input of the page, marked invalid and described."""
    page = _Page(html)
    assert page.summary_attrs is not None and page.summary_attrs["tabindex"] == "-1"
    assert "data-error-summary" in page.summary_attrs
    assert html.index('id="error-summary"') < html.index("<h1")
    assert [link.removeprefix("#") for link in page.links] == list(targets)
    for target in targets:
        field = page.inputs[target]
        if field.get("type") not in ("radio", "checkbox") or "aria-invalid" in field:
            assert field["aria-invalid"] == "true"
            error_ids = [i for i in field["aria-describedby"].split() if i.endswith("-error")]
            assert error_ids and all(i in page.ids for i in error_ids)
    return page


def test_a_refused_login_is_summed_up_in_french_with_the_email_kept(client, ctx):
    response = client.post("/login", data={"email": "awa.diop@example.org", "password": ""},
                           headers={"Accept-Language": "fr-FR"})
    html = response.get_data(as_text=True)
    assert _title(html).startswith("Erreur\u00a0: ")
    assert "Il y a un problème" in _summary(html)
    page = _assert_summary_leads_to_fields(html, "password")
    assert page.inputs["email"]["value"] == "awa.diop@example.org" and "aria-invalid" not in page.inputs["email"]
    assert 'id="password-error">Indiquez votre mot de passe.</p>' in html


def test_a_refused_login_is_summed_up_in_english(client, ctx):
    response = client.post("/login", data={"email": "", "password": ""}, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert _title(html).startswith("Error: ")
    assert "There is a problem" in _summary(html)
    _assert_summary_leads_to_fields(html, "email", "password")


def test_a_page_without_refusal_has_no_summary_and_a_plain_title(client, ctx):
    html = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert "error-summary" not in html and not _title(html).startswith("Erreur")
    assert 'aria-invalid' not in html


def test_wrong_credentials_are_said_at_the_top_with_the_focus_and_the_title(client, ctx):
    html = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password"},
                       headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert _title(html).startswith("Erreur\u00a0: ")
    assert re.search(r'<div class="flashes" tabindex="-1" data-error-summary>\s*<p class="flash flash-error" '
                     r'role="alert">Adresse e-mail ou mot de passe incorrect.</p>', html)
    assert 'value="nobody@example.org"' in html


def test_a_refused_collection_links_the_count_and_keeps_everything_typed(client, ctx):
    user = make_user("supervisor")
    donor = make_donor(user.structure)
    login_as(client, user)
    response = client.post(f"/donors/{donor.id}/donations/new", data={
        "planned_date": "2026-12-01", "pickup_address": "3 rue de la Gare, Rennes", "count_laptop": "-2",
        "count_desktop": "4", "notes": "Quai de chargement à l'arrière"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = _assert_summary_leads_to_fields(html, "count_laptop")
    assert _title(html).startswith("Erreur\u00a0: ")
    assert page.inputs["planned_date"]["value"] == "2026-12-01"
    assert page.inputs["pickup_address"]["value"] == "3 rue de la Gare, Rennes"
    assert page.inputs["count_laptop"]["value"] == "-2" and page.inputs["count_desktop"]["value"] == "4"
    assert re.search(r">\s*Quai de chargement à l&#39;arrière</textarea>", html)


def test_a_refusal_of_the_whole_collection_is_plain_text_in_the_summary(client, ctx):
    user = make_user("supervisor")
    login_as(client, user)
    donation = make_donation(make_donor(user.structure), notes="Avant")
    donation.status = DonationStatus.CLOSED
    db.session.commit()
    html = client.post(f"/donations/{donation.id}/edit", data={"notes": "Après"}).get_data(as_text=True)
    summary = _summary(html)
    assert "collecte est clôturée" in summary and "<a " not in summary
    assert re.search(r">\s*Après</textarea>", html)


@pytest.fixture
def visit(ctx, client):
    """A visit asked for a household, its mediator logged in."""
    chain = reserved_household()
    login_as(client, chain["supervisor"])
    client.post(f"/prescriptions/{chain['prescription'].id}/visits", data={"installer_id": chain["installer"].id})
    login_as(client, chain["mediator"])
    return db.session.scalars(db.select(Visit)).one()


def test_a_refused_visit_report_links_its_field_and_keeps_the_answers(client, visit):
    response = client.post(f"/visits/{visit.id}/report", data={
        "internet_connected": "y", "internet_problem": "x" * 501, "accounts": ["email"],
        "digital_level": "training", "comments": "Box à réinstaller"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = _assert_summary_leads_to_fields(html, "internet_problem")
    assert page.inputs["internet_problem"]["aria-describedby"] == "internet_problem-help internet_problem-error"
    assert "checked" in page.inputs["internet_connected"]
    checked = {attrs["value"] for attrs in page.inputs.values() if "checked" in attrs}
    assert {"email", "training"} <= checked
    assert re.search(r">\s*Box à réinstaller</textarea>", html)


def test_a_refused_small_form_is_said_at_the_top_of_the_page_it_returns_to(client, visit):
    response = client.post(f"/visits/{visit.id}/schedule", data={"scheduled_on": "2020-01-01", "slot": "morning"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"], headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert _title(html).startswith("Erreur\u00a0: ")
    flashes = re.search(r'<div class="flashes"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in flashes and "data-error-summary" in flashes
    assert html.index('class="flashes"') < html.index("<h1")
    assert "La date de la visite ne peut pas être déjà passée." in html


class _LineForm(Form):
    part = StringField("Pièce")
    quantity = IntegerField("Unités")


class _ListsForm(FlaskForm):
    key = HiddenField()
    level = RadioField("Niveau", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
    accounts = MultiCheckboxField("Comptes", choices=[SelectChoice("email", "E-mail")])
    lines = FieldList(FormField(_LineForm), min_entries=2)


def test_each_kind_of_field_leads_to_the_control_a_person_fills_in(app):
    with app.test_request_context(method="POST"):
        form = _ListsForm(meta={"csrf": False})
        form.form_errors.append("Refusé.")
        form.key.errors = ["Clé absente."]
        form.level.errors = ["Choisissez un niveau."]
        form.accounts.errors = ["Un compte au moins."]
        form.lines.errors = ["Une ligne au moins."]
        form.lines[1].quantity.errors = ["Au moins 1."]
        links = [(link.message, link.target) for link in error_summary([form])]
        said = [_("%(key)s: %(value)s", key=key, value=value) for key, value in (
            ("Niveau", "Choisissez un niveau."), ("Comptes", "Un compte au moins."), ("Lines", "Une ligne au moins."),
            ("Unités (ligne 2)", "Au moins 1."))]
    assert links == [("Refusé.", None), ("Clé absente.", None), (said[0], "level-0"), (said[1], "accounts-0"),
                     (said[2], "lines-0-part"), (said[3], "lines-1-quantity")]


def test_a_refused_intake_links_a_drive_inside_its_list_and_lets_the_summary_take_the_focus(client, ctx):
    user = make_user("technician")
    donation = make_donation(make_donor(user.structure))
    login_as(client, user)
    response = client.post(f"/donations/{donation.id}/intake", data={
        "type": "laptop", "brand": "Dell", "model": "Latitude E5530", "drives-0-serial": "S" * 81,
        "drives-0-model": "ST500", "notes": "Rayure au capot"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = _assert_summary_leads_to_fields(html, "drives-0-serial")
    assert re.search(r"<details\s+open", html)  # the drives' box opens on its error
    assert page.inputs["brand"]["value"] == "Dell" and page.inputs["drives-0-model"]["value"] == "ST500"
    assert "data-autofocus" not in page.inputs["intake-code"]  # the summary takes the focus, not the scan field


def test_a_refused_form_among_several_on_a_page_links_its_prefixed_field(client, ctx):
    user = make_user("supervisor")
    login_as(client, user)
    device = make_device(make_donation(make_donor(user.structure)))
    response = client.post(f"/devices/{device.tag}/void", data={"void-reason": "x" * 2001, "void-confirm": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    _assert_summary_leads_to_fields(html, "void-reason")
    assert "type" in _Page(html).inputs and "aria-invalid" not in _Page(html).inputs["type"]
