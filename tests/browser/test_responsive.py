"""Every page, as every demo role, reflows at 320 px, keeps its targets large enough and passes axe-core.

WCAG 2.1 SC 1.4.10 (reflow: no horizontal scroll at 320 CSS px), WCAG 2.2 SC 2.5.8 (targets of at least
24 × 24 px, inline links in a sentence excepted) and 44 × 44 px on the mediator's and technician's pages (a
phone at a family's door, a tablet on the workbench), and no serious or critical axe-core violation.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.demo import DEMO_PASSWORD, USERS, load_demo
from reco.extensions import db
from tests.core.test_routes import ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.committed]

ANONYMOUS = "anonymous"
WIDTHS = (320, 390, 1024)
AXE_WIDTH = 390
HEIGHT = 844
LARGE_TARGETS = {Role.INSTALLER.value, Role.TECHNICIAN.value}

#: GET endpoints that answer something other than an HTML page, and so are not measured.
NOT_PAGES = {
    "static": "stylesheets, scripts and icons",
    "core.service_worker": "the service worker's script",
    "donations.document_pdf": "a PDF document",
    "prescriptions.document_pdf": "a PDF document",
    "prescriptions.export": "a JSON download of the household's data",
    "prescriptions.export_pdf": "a PDF download of the household's data",
    "inventory.repairs_export": "a CSV or XLSX download",
    "reports.annual": "a PDF document",
    "reports.export_list": "a CSV or XLSX download",
    "reports.export_network_list": "a CSV or XLSX download",
    "reports.export_table": "a CSV or XLSX download",
    "labels.devices_pdf": "a PDF of labels",
    "labels.locations_pdf": "a PDF of labels",
}
#: The JSON API (/api/v1) is for scripts: no page there.
API = "api."

#: The pages loaded for each endpoint, with {names} filled from the demo network (see `demo_pages`), and the status
#: when it is not 200. Who loads them is every role the route matrix of tests/core/test_routes.py lets GET the
#: endpoint.
PAGES = {
    "core.home": ["/"],
    "core.scan": ["/scan", ("/scan?code=INCONNU-42", 404)],
    "core.notices": ["/notices"],
    "core.verify": ["/verify", "/verify/{fingerprint}"],
    "accounts.login": ["/login"],
    "accounts.account": ["/account"],
    "accounts.structures": ["/admin/structures"],
    "accounts.new_structure": ["/admin/structures/new"],
    "accounts.structure": ["/structures/{own}"],
    "accounts.edit_structure": ["/admin/structures/{workshop}/edit"],
    "accounts.users": ["/admin/users"],
    "accounts.new_user": ["/admin/users/new"],
    "accounts.user": ["/admin/users/{technician}"],
    "accounts.edit_user": ["/admin/users/{technician}/edit"],
    "donations.donors": ["/donors"],
    "donations.new_donor": ["/donors/new"],
    "donations.donor": ["/donors/{donor}"],
    "donations.edit_donor": ["/donors/{donor}/edit"],
    "donations.donations": ["/donations"],
    "donations.new_donation": ["/donors/{donor}/donations/new"],
    "donations.donation": ["/donations/{donation}"],
    "donations.edit_donation": ["/donations/{donation}/edit"],
    "donations.import_upload": ["/donations/{collected}/import"],
    "donations.import_preview": ["/donations/{collected}/import/{draft}"],
    "inventory.intake": ["/donations/{collected}/intake"],
    "inventory.devices": ["/devices"],
    "inventory.device": ["/devices/{received}", "/devices/{ready}", "/devices/{in_repair}"],
    "inventory.diagnosis": ["/devices/{received}/diagnosis"],
    "inventory.secure_erase": ["/devices/{received}/drives/{drive}/secure-erase"],
    "inventory.destruction": ["/devices/{received}/drives/{drive}/destruction"],
    "inventory.repair": ["/devices/{received}/repairs"],
    "inventory.close": ["/devices/{in_repair}/repairs/{repair}"],
    "inventory.exit_device": ["/devices/{received}/exit/recycled"],
    "inventory.correct": ["/devices/{received}/correct"],
    "inventory.locations": ["/locations"],
    "inventory.location": ["/locations/{location}"],
    "inventory.batch": ["/batch"],
    "labels.devices": ["/labels/devices?tag={ready}"],
    "labels.locations": ["/labels/locations"],
    "labels.printer": ["/structures/{workshop}/label-printer"],
    "parts.stock": ["/parts"],
    "parts.catalogue": ["/parts/catalogue"],
    "parts.new_part_type": ["/parts/catalogue/new"],
    "parts.part_type": ["/parts/types/{part_type}"],
    "parts.drives": ["/parts/drives"],
    "parts.harvest": ["/devices/{received}/harvest"],
    "parts.repair_parts": ["/devices/{in_repair}/repairs/{repair}/parts"],
    "parts.bin_labels": ["/parts/bin-labels"],
    "parts.bank": ["/parts/bank"],
    "parts.request_page": ["/parts/requests/{part_request}"],
    "prescriptions.prescriptions": ["/prescriptions"],
    "prescriptions.new_prescription": ["/prescriptions/new"],
    "prescriptions.prescription": ["/prescriptions/{submitted}", "/prescriptions/{accepted}",
                                   "/prescriptions/{reserved}"],
    "prescriptions.edit_prescription": ["/prescriptions/{draft_prescription}/edit"],
    "prescriptions.personal_data_log": ["/admin/personal-data"],
    "communes.to_correct_page": ["/communes/to-correct"],
    "prescriptions.inbox": ["/prescriptions/inbox"],
    "prescriptions.waiting_list": ["/waiting-list"],
    "prescriptions.handover": ["/prescriptions/{reserved}/handover"],
    "prescriptions.visits": ["/visits"],
    "prescriptions.week": ["/visits/week"],
    "prescriptions.visit": ["/visits/{visit}"],
    "prescriptions.report": ["/visits/{visit}/report"],
    "prescriptions.return_view": ["/devices/{ready}/return"],
    "prescriptions.partner_reports": ["/partner-reports"],
    "prescriptions.new_partner_report": ["/partner-reports/new"],
    "prescriptions.partner_report": ["/partner-reports/{partner_report}"],
    "reports.dashboard": ["/reports"],
    "reports.impact": ["/impact"],
    "reports.factors": ["/admin/impact-factors"],
}

#: The demo account each role logs in with.
ACCOUNTS = {role: next(email for email, _name, user_role, _structure in USERS if user_role == role)
            for role in dict.fromkeys(user[2] for user in USERS)}


def get_endpoints(app) -> set[str]:
    """Return every endpoint a browser can GET."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def readers(endpoint: str) -> set[str]:
    """Return the roles (and ANONYMOUS) the route matrix lets GET ``endpoint`` with a 200."""
    roles = set()
    for name, method, _path, per_role, default, anonymous in ROUTES:
        if name == endpoint and method == "GET":
            roles |= {role.value for role in Role if per_role.get(role, default) == 200}
            roles |= {ANONYMOUS} if anonymous == 200 else set()
    return roles


def demo_objects() -> dict:
    """Add to the demo network what some pages need (a repair, a part request, an import draft, a document)."""
    from reco.accounts.services import find_structure_by_name, find_user_by_email
    from reco.donations.models import Donation, Donor, ImportDraft
    from reco.donations.pdf import issue_collection_receipt
    from reco.inventory.models import Device, DeviceState, Location
    from reco.inventory.repairs import record_repair
    from reco.parts.bank import ask_parts
    from reco.parts.models import PartType
    from reco.prescriptions.models import PartnerReport, Prescription, Visit

    workshop = find_structure_by_name("Atelier Démo")
    supervisor, technician = find_user_by_email("supervisor@demo.reco"), find_user_by_email("technician@demo.reco")
    devices = db.session.scalars(select(Device).where(Device.workshop_id == workshop.id).order_by(Device.id)).all()
    received = next(d for d in devices if d.state is DeviceState.RECEIVED and d.drives)
    in_repair = next(d for d in devices if d.state is DeviceState.DIAGNOSED)
    repair = record_repair(in_repair, by=technician, problem="Charnière gauche cassée, l'écran ne tient plus",
                           fault_type="case_chassis")
    donor = db.session.scalar(select(Donor).where(Donor.name == "Armor Conseil SAS"))
    donation, collected = db.session.scalars(select(Donation).where(Donation.donor_id == donor.id)
                                             .order_by(Donation.id)).all()
    draft = ImportDraft(donation_id=collected.id, user_id=supervisor.id, filename="inventaire-armor-conseil.csv",
                        data="Type;Marque;Modèle;N° de série;Étiquette;Date d'achat\n"
                             "portable;Dell;Latitude 7490;5CG7123XYZ0987654321;ARM-INV-0100;2018-03-01\n"
                             "écran;Dell;P2214H;CN-0V8MXP-74445-3AB-0001;ARM-INV-0101;2019-01-15\n".encode())
    db.session.add(draft)
    ram = db.session.scalar(select(PartType).where(PartType.name == "RAM DDR4 SO-DIMM 8 Go"))
    part_request = ask_parts(by=find_user_by_email("supervisor2@demo.reco"), owner=workshop, part_type=ram,
                             condition="tested_ok", quantity=1, note="Pour un ProBook 430 G4 à 4 Go")
    document = issue_collection_receipt(donation, by=supervisor)
    prescriptions = {status: db.session.scalar(select(Prescription.id).where(Prescription.status == status)
                                               .order_by(Prescription.id).limit(1))
                     for status in ("draft", "submitted", "accepted", "reserved")}
    db.session.flush()
    return {
        "workshop": workshop.id, "technician": technician.id, "donor": donor.id, "donation": donation.id,
        "collected": collected.id, "draft": draft.id, "received": received.tag, "drive": received.drives[0].id,
        "ready": next(d for d in devices if d.state is DeviceState.READY).tag, "in_repair": in_repair.tag,
        "repair": repair.id, "location": db.session.scalar(select(Location.id).where(
            Location.workshop_id == workshop.id).order_by(Location.id).limit(1)),
        "part_type": ram.id, "part_request": part_request.id, "fingerprint": document.fingerprint,
        "draft_prescription": prescriptions["draft"], "submitted": prescriptions["submitted"],
        "accepted": prescriptions["accepted"], "reserved": prescriptions["reserved"],
        "visit": db.session.scalar(select(Visit.id).limit(1)),
        "partner_report": db.session.scalar(select(PartnerReport.id).limit(1)),
        "structures": {role: find_user_by_email(email).structure_id for role, email in ACCOUNTS.items()},
    }


def demo_pages(objects: dict) -> dict[str, list[tuple[str, int]]]:
    """Return the paths each role (and ANONYMOUS) loads, with their status, home first."""
    pages = {role: [] for role in [*ACCOUNTS, ANONYMOUS]}
    for endpoint, paths in PAGES.items():
        for role in sorted(readers(endpoint)):
            for path, status in (entry if isinstance(entry, tuple) else (entry, 200) for entry in paths):
                pages[role].append((path.format(**objects, own=objects["structures"].get(role)), status))
    return pages


def log_in(page, base: str, role: str) -> None:
    """Log in through the form as the demo account of ``role`` (nothing for ANONYMOUS)."""
    if role == ANONYMOUS:
        return
    page.goto(f"{base}/login")
    page.fill("#email", ACCOUNTS[role])
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


#: Runs in the page: the elements that reach past the viewport, and the targets smaller than the minimum.
MEASURE = r"""([minimum]) => {
  const viewport = document.documentElement.clientWidth;
  const name = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      const classes = [...node.classList].slice(0, 2).map((c) => "." + c).join("");
      const same = node.parentElement ? [...node.parentElement.children].filter((c) => c.tagName === node.tagName) : [];
      part += classes + (same.length > 1 ? `:nth-of-type(${same.indexOf(node) + 1})` : "");
      parts.unshift(part);
    }
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim()
      .slice(0, 30);
    return parts.join(" > ") + (text ? ` "${text}"` : "");
  };
  const size = (r) => `${Math.round(r.width * 10) / 10}×${Math.round(r.height * 10) / 10}`;
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  const overflow = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!shown(el) || r.right <= viewport + 0.5 || r.width === 0 || clipped(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right <= viewport + 0.5 || el.parentElement === document.body) {
      overflow.push(`${name(el)} ${size(r)} reaches x=${Math.round(r.right)}`);
    }
  }
  const inSentence = (link) => {
    if (link.tagName !== "A" || getComputedStyle(link).display !== "inline") return false;
    let block = link.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (text.data.trim() && !text.parentElement.closest("a, button, label, select, option")) return true;
    }
    return false;
  };
  const area = (el) => {
    let r = el.getBoundingClientRect();
    if (el.type === "checkbox" || el.type === "radio") {
      for (const label of el.labels || []) {
        const l = label.getBoundingClientRect();
        const near = l.left - r.right < 12 && r.left - l.right < 12 && l.top < r.bottom && r.top < l.bottom;
        if (label.contains(el) || near) {
          const left = Math.min(r.left, l.left), top = Math.min(r.top, l.top);
          r = {width: Math.max(r.right, l.right) - left, height: Math.max(r.bottom, l.bottom) - top};
        }
      }
    }
    return r;
  };
  const small = [];
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex='0']";
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (!shown(el) || el.disabled || r.right <= 0 || r.bottom <= 0 || r.left >= viewport || inSentence(el)) continue;
    const a = area(el);
    if (a.width < minimum - 0.5 || a.height < minimum - 0.5) small.push(`${name(el)} ${size(a)}`);
  }
  const close = [];
  for (const cancel of document.querySelectorAll("form a[href]")) {
    if (!["Annuler", "Cancel"].includes(cancel.innerText.trim()) || !shown(cancel)) continue;
    const c = cancel.getBoundingClientRect();
    for (const submit of cancel.closest("form").querySelectorAll("button[type=submit], input[type=submit]")) {
      const s = submit.getBoundingClientRect();
      const gap = Math.max(c.left - s.right, s.left - c.right, c.top - s.bottom, s.top - c.bottom);
      if (shown(submit) && gap < 24) close.push(`${name(cancel)} ${Math.round(gap)} px from ${name(submit)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport, overflow: overflow.slice(0, 5), small, close};
}"""


def measure(page, minimum: int) -> dict:
    """Measure the page as it is laid out now."""
    return page.evaluate(MEASURE, [minimum])


def check_width(page, role: str, url: str, width: int) -> list[str]:
    """Resize to ``width`` and return what is wrong there, each problem naming the role, URL and width."""
    page.set_viewport_size({"width": width, "height": HEIGHT})
    minimum = 44 if role in LARGE_TARGETS else 24
    found = measure(page, minimum)
    where = f"{role} {url} at {width} px"
    problems = []
    if found["scrollWidth"] > found["viewport"]:
        problems.append(f"{where}: scrolls sideways, {found['scrollWidth']} px wide for {found['viewport']}: "
                        + "; ".join(found["overflow"]))
    problems += [f"{where}: target under {minimum}×{minimum} px: {target}" for target in found["small"]]
    problems += [f"{where}: cancel link beside the submit button (under 24 px): {pair}" for pair in found["close"]]
    return problems


def check_menu(page, role: str, url: str, width: int) -> list[str]:
    """Open the header's menu on a narrow screen and check it reflows too."""
    page.set_viewport_size({"width": width, "height": HEIGHT})
    toggle = page.locator(".menu-toggle")
    if not toggle.is_visible():
        return [f"{role} {url} at {width} px: no menu button in the header"]
    toggle.click()
    problems = [f"{problem} (menu open)" for problem in check_width(page, role, url, width)]
    if page.locator(".main-nav").count() and not page.locator(".main-nav").is_visible():
        problems.append(f"{role} {url} at {width} px: the menu button does not show the main menu")
    toggle.click()
    return problems


def check_axe(page, axe, role: str, url: str) -> list[str]:
    """Run axe-core and return its serious and critical violations."""
    page.set_viewport_size({"width": AXE_WIDTH, "height": HEIGHT})
    results = axe.run(page).response
    return [f"{role} {url} at {AXE_WIDTH} px: axe {violation['impact']} {violation['id']} ({violation['help']}): "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in results["violations"] if violation["impact"] in ("serious", "critical")]


def check_pages(context, base: str, role: str, paths: list[tuple[str, int]], axe=None, seen=None) -> list[str]:
    """Log in as ``role``, load each page once and return every problem found at each width.

    axe-core runs on the pages not in ``seen`` (a page several roles load is checked once), then adds them there.
    """
    seen = set() if seen is None else seen
    page = context.new_page()
    page.set_viewport_size({"width": AXE_WIDTH, "height": HEIGHT})
    log_in(page, base, role)
    problems = []
    page.on("request", lambda request: None if request.url.startswith(base) else problems.append(
        f"{role} {page.url}: the page or axe-core fetched {request.url}"))
    for index, (path, status) in enumerate(paths):
        page.set_viewport_size({"width": AXE_WIDTH, "height": HEIGHT})
        response = page.goto(base + path)
        if response.status != status or page.url != base + path:
            problems.append(f"{role} {path}: answered {response.status} at {page.url}, not the page")
            continue
        if axe is not None and path not in seen:
            seen.add(path)
            problems += check_axe(page, axe, role, path)
        for width in WIDTHS:
            problems += check_width(page, role, path, width)
        if index == 0 and role != ANONYMOUS:
            problems += check_menu(page, role, path, 320)
    page.close()
    return problems


def check_without_javascript(chromium, base: str) -> list[str]:
    """Without JavaScript the header shows everything (no Menu button) and still reflows at 320 px."""
    context = chromium.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 320, "height": HEIGHT})
    try:
        page = context.new_page()
        log_in(page, base, Role.TECHNICIAN.value)
        problems = check_width(page, "technician without JavaScript", "/", 320)
        hidden = [selector for selector in ("#scan-code", ".main-nav", ".user-box button[type=submit]")
                  if not page.locator(selector).is_visible()]
        if page.locator(".menu-toggle").is_visible() or hidden:
            problems.append(f"technician without JavaScript / at 320 px: a Menu button, or hidden: {hidden}")
        return problems
    finally:
        context.close()


@pytest.fixture
def pages(app):
    """The demo network with a few more objects, committed for the live server; the paths of each role."""
    with app.app_context():
        load_demo()
        objects = demo_objects()
        db.session.commit()
    return demo_pages(objects)


def test_every_page_is_measured_or_excluded_with_a_reason(app):
    endpoints = {endpoint for endpoint in get_endpoints(app) if not endpoint.startswith(API)}
    assert endpoints - set(PAGES) - set(NOT_PAGES) == set(), "add these pages to PAGES (or to NOT_PAGES, saying why)"
    assert set(PAGES) - endpoints == set()
    assert [endpoint for endpoint in PAGES if not readers(endpoint)] == [], "no role can GET these pages"


def test_every_page_reflows_with_large_targets_and_no_serious_axe_violation(live_server, chromium, pages):
    from axe_playwright_python.sync_playwright import Axe

    axe, seen, problems = Axe(), set(), []
    for role, paths in pages.items():
        context = chromium.new_context(locale="fr-FR")
        try:
            problems += check_pages(context, live_server, role, paths, axe, seen)
        finally:
            context.close()
    problems += check_without_javascript(chromium, live_server)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)

