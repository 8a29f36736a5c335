"""Every route of the web UI and the API, as every role, on its own structure's objects and another's."""
import re

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import Event
from reco.core.documents import Document
from reco.donations.models import ImportDraft
from reco.extensions import db
from reco.inventory.models import Device, Drive, Location, Repair, Sanitization
from reco.parts.bank import ask_parts
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind
from reco.parts.stock import add_stock
from reco.prescriptions.partner_reports import submit_partner_report
from reco.prescriptions.pdf import handover_receipt_for
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import request_visit
from tests.conftest import login_as
from tests.factories import (
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)

ROLES = tuple(Role)
PR, IN, PA, V, A = Role.PRESCRIBER, Role.INSTALLER, Role.PARTNER, Role.VIEWER, Role.ADMIN
ANON = "anonymous"
ADMIN_ONLY = {Role.ADMIN: 200}
S, T = Role.SUPERVISOR, Role.TECHNICIAN
WORKSHOP = {S: 200, T: 200}
SUPERVISOR = {S: 200}
REPORTERS = {S: 200, T: 200, PR: 200, PA: 200, V: 200, A: 200}
CSV = "/api/v1/donations/{donation}/declared-items"

#: (endpoint, method, path with {own}/{other} structure ids, {self}/{colleague} user ids and {token} ids,
#:  expected status per role; roles not listed get `default`; ANON is the status without login)
ROUTES = [
    ("core.home", "GET", "/", {}, 200, 302),
    ("core.scan", "GET", "/scan", {Role.ADMIN: 200, Role.SUPERVISOR: 200, Role.TECHNICIAN: 200}, 403, 302),
    ("core.set_language", "POST", "/lang/en", {}, 302, 302),
    ("core.service_worker", "GET", "/sw.js", {}, 200, 200),
    ("accounts.login", "GET", "/login", {}, 302, 200),
    ("accounts.logout", "POST", "/logout", {}, 302, 302),
    ("accounts.account", "GET", "/account", {}, 200, 302),
    ("accounts.preferences", "POST", "/account/preferences", {}, 422, 302),
    ("accounts.password", "POST", "/account/password", {}, 422, 302),
    ("accounts.create_token", "POST", "/account/tokens", {}, 200, 302),
    ("accounts.revoke", "POST", "/account/tokens/{token}/revoke", {}, 302, 302),
    ("accounts.revoke", "POST", "/account/tokens/{colleague_token}/revoke", {Role.ADMIN: 302}, 403, 302),
    ("accounts.revoke_all", "POST", "/account/tokens/revoke-all", {}, 302, 302),
    ("accounts.structures", "GET", "/admin/structures", ADMIN_ONLY, 403, 302),
    ("accounts.new_structure", "GET", "/admin/structures/new", ADMIN_ONLY, 403, 302),
    ("accounts.new_structure", "POST", "/admin/structures/new", {Role.ADMIN: 422}, 403, 302),
    ("accounts.structure", "GET", "/structures/{own}", {}, 200, 302),
    ("accounts.structure", "GET", "/structures/{other}", ADMIN_ONLY, 403, 302),
    ("accounts.edit_structure", "GET", "/admin/structures/{other}/edit", ADMIN_ONLY, 403, 302),
    ("accounts.edit_structure", "POST", "/admin/structures/{other}/edit", {Role.ADMIN: 302}, 403, 302),
    ("accounts.users", "GET", "/admin/users", ADMIN_ONLY, 403, 302),
    ("accounts.new_user", "GET", "/admin/users/new", ADMIN_ONLY, 403, 302),
    ("accounts.new_user", "POST", "/admin/users/new", {Role.ADMIN: 422}, 403, 302),
    ("accounts.user", "GET", "/admin/users/{colleague}", ADMIN_ONLY, 403, 302),
    ("accounts.edit_user", "GET", "/admin/users/{colleague}/edit", ADMIN_ONLY, 403, 302),
    ("accounts.edit_user", "POST", "/admin/users/{colleague}/edit", {Role.ADMIN: 422}, 403, 302),
    ("accounts.set_active", "POST", "/admin/users/{colleague}/active", {Role.ADMIN: 302}, 403, 302),
    ("api.me", "GET", "/api/v1/me", {}, 200, 401),
    ("api.structure", "GET", "/api/v1/structures/{own}", {}, 200, 401),
    ("api.structure", "GET", "/api/v1/structures/{other}", ADMIN_ONLY, 403, 401),
    ("api.openapi", "GET", "/api/v1/openapi.json", {}, 200, 200),
    ("core.verify", "GET", "/verify", {}, 200, 200),
    ("core.verify", "GET", "/verify/{fingerprint}", {}, 200, 200),
    ("core.verify_file", "POST", "/verify", {}, 422, 422),
    ("donations.donors", "GET", "/donors", WORKSHOP, 403, 302),
    ("donations.new_donor", "GET", "/donors/new", SUPERVISOR, 403, 302),
    ("donations.new_donor", "POST", "/donors/new", {S: 422}, 403, 302),
    ("donations.donor", "GET", "/donors/{donor}", WORKSHOP, 403, 302),
    ("donations.donor", "GET", "/donors/{other_donor}", {S: 404, T: 404}, 403, 302),
    ("donations.edit_donor", "GET", "/donors/{donor}/edit", SUPERVISOR, 403, 302),
    ("donations.edit_donor", "POST", "/donors/{donor}/edit", {S: 302}, 403, 302),
    ("donations.edit_donor", "POST", "/donors/{other_donor}/edit", {S: 404}, 403, 302),
    ("donations.donations", "GET", "/donations", WORKSHOP, 403, 302),
    ("donations.new_donation", "GET", "/donors/{donor}/donations/new", SUPERVISOR, 403, 302),
    ("donations.new_donation", "POST", "/donors/{donor}/donations/new", {S: 302}, 403, 302),
    ("donations.new_donation", "POST", "/donors/{other_donor}/donations/new", {S: 404}, 403, 302),
    ("donations.donation", "GET", "/donations/{donation}", WORKSHOP, 403, 302),
    ("donations.donation", "GET", "/donations/{other_donation}", {S: 404, T: 404}, 403, 302),
    ("donations.edit_donation", "GET", "/donations/{donation}/edit", SUPERVISOR, 403, 302),
    ("donations.edit_donation", "POST", "/donations/{donation}/edit", {S: 302}, 403, 302),
    ("donations.donation_status", "POST", "/donations/{donation}/status", {S: 302}, 403, 302),
    ("donations.donation_status", "POST", "/donations/{other_donation}/status", {S: 404}, 403, 302),
    ("donations.delete_declared_lines", "POST", "/donations/{donation}/declared-items/delete", {S: 302}, 403, 302),
    ("donations.delete_declared_lines", "POST", "/donations/{other_donation}/declared-items/delete", {S: 404}, 403,
     302),
    ("donations.issue_document", "POST", "/donations/{donation}/documents/collection_receipt", {S: 302}, 403,
     302),
    ("donations.issue_document", "POST", "/donations/{other_donation}/documents/donation_attestation", {S: 404}, 403,
     302),
    ("donations.document_pdf", "GET", "/documents/{document}.pdf", WORKSHOP, 403, 302),
    ("donations.document_pdf", "GET", "/documents/{other_document}.pdf", {S: 404, T: 404}, 403, 302),
    ("donations.import_upload", "GET", "/donations/{donation}/import", SUPERVISOR, 403, 302),
    ("donations.import_upload", "POST", "/donations/{donation}/import", {S: 422}, 403, 302),
    ("donations.import_upload", "GET", "/donations/{other_donation}/import", {S: 404}, 403, 302),
    ("donations.import_preview", "GET", "/donations/{donation}/import/{draft}", SUPERVISOR, 403, 302),
    ("donations.import_preview", "POST", "/donations/{donation}/import/{draft}", SUPERVISOR, 403, 302),
    ("inventory.intake", "GET", "/donations/{donation}/intake", WORKSHOP, 403, 302),
    ("inventory.intake", "POST", "/donations/{donation}/intake", {S: 422, T: 422}, 403, 302),
    ("inventory.intake", "GET", "/donations/{other_donation}/intake", {S: 404, T: 404}, 403, 302),
    ("inventory.intake_scan", "POST", "/donations/{donation}/intake/scan", {S: 302, T: 302}, 403, 302),
    ("inventory.intake_scan", "POST", "/donations/{other_donation}/intake/scan", {S: 404, T: 404}, 403, 302),
    ("inventory.devices", "GET", "/devices", WORKSHOP, 403, 302),
    ("inventory.device", "GET", "/devices/{device}", WORKSHOP, 403, 302),
    ("inventory.device", "GET", "/devices/{other_device}", {S: 404, T: 404}, 403, 302),
    ("api.create_donor_api", "POST", "/api/v1/donors", {S: 422}, 403, 401),
    ("api.create_donation_api", "POST", "/api/v1/donations", {S: 422}, 403, 401),
    ("api.open_donations", "GET", "/api/v1/donations/open", WORKSHOP, 403, 401),
    ("api.get_donation", "GET", "/api/v1/donations/{donation}", WORKSHOP, 403, 401),
    ("api.get_donation", "GET", "/api/v1/donations/{other_donation}", {S: 404, T: 404}, 403, 401),
    ("api.donor_report_pdf", "GET", "/api/v1/donations/{donation}/report.pdf", {S: 200}, 403, 401),
    ("api.donor_report_pdf", "GET", "/api/v1/donations/{other_donation}/report.pdf", {S: 404}, 403, 401),
    ("api.document_pdf", "GET", "/api/v1/documents/{document_number}.pdf", WORKSHOP, 404, 401),
    ("api.document_pdf", "GET", "/api/v1/documents/{other_document_number}.pdf", {}, 404, 401),
    ("api.import_declared_items_api", "POST", CSV, {S: 422}, 403, 401),
    ("api.import_declared_items_api", "POST", "/api/v1/donations/{other_donation}/declared-items", {S: 404}, 403, 401),
    ("api.receive_device_api", "POST", "/api/v1/devices", {S: 422, T: 422}, 403, 401),
    ("api.get_device", "GET", "/api/v1/devices/{device}", WORKSHOP, 403, 401),
    ("api.get_device", "GET", "/api/v1/devices/{other_device}", {S: 404, T: 404}, 403, 401),
    ("api.label_qr", "GET", "/api/v1/devices/{device}/label-qr", WORKSHOP, 403, 401),
    ("api.label_qr", "GET", "/api/v1/devices/{other_device}/label-qr", {S: 404, T: 404}, 403, 401),
    ("inventory.diagnosis", "GET", "/devices/{device}/diagnosis", WORKSHOP, 403, 302),
    ("inventory.diagnosis", "POST", "/devices/{device}/diagnosis", {S: 302, T: 302}, 403, 302),
    ("inventory.diagnosis", "GET", "/devices/{other_device}/diagnosis", {S: 404, T: 404}, 403, 302),
    ("inventory.hardware_report", "POST", "/devices/{device}/hardware-report", {S: 302, T: 302}, 403, 302),
    ("inventory.erasure_log", "POST", "/devices/{device}/erasure-log", {S: 302, T: 302}, 403, 302),
    ("inventory.secure_erase", "GET", "/devices/{device}/drives/{drive}/secure-erase", WORKSHOP, 403, 302),
    ("inventory.secure_erase", "POST", "/devices/{device}/drives/{drive}/secure-erase", {S: 422, T: 422}, 403,
     302),
    ("inventory.secure_erase", "GET", "/devices/{device}/drives/{other_drive}/secure-erase", {S: 404, T: 404},
     403, 302),
    ("inventory.destruction", "GET", "/devices/{device}/drives/{drive}/destruction", WORKSHOP, 403, 302),
    ("inventory.destruction", "POST", "/devices/{device}/drives/{drive}/destruction", {S: 422, T: 422}, 403,
     302),
    ("inventory.remove", "POST", "/devices/{device}/drives/{drive}/remove", {S: 302, T: 302}, 403, 302),
    ("inventory.validate", "POST", "/devices/{device}/sanitizations/{sanitization}/validate", {S: 302}, 403, 302),
    ("inventory.repair", "GET", "/devices/{device}/repairs", WORKSHOP, 403, 302),
    ("inventory.repair", "POST", "/devices/{device}/repairs", {S: 422, T: 422}, 403, 302),
    ("inventory.close", "GET", "/devices/{device}/repairs/{repair}", WORKSHOP, 403, 302),
    ("inventory.close", "POST", "/devices/{device}/repairs/{repair}", {S: 422, T: 422}, 403, 302),
    ("inventory.transition", "POST", "/devices/{device}/transition", {S: 302, T: 302}, 403, 302),
    ("inventory.transition", "POST", "/devices/{other_device}/transition", {S: 404, T: 404}, 403, 302),
    ("inventory.exit_device", "GET", "/devices/{device}/exit/harvested", {S: 302, T: 302}, 403, 302),
    ("inventory.exit_device", "GET", "/devices/{device}/exit/recycled", WORKSHOP, 403, 302),
    ("inventory.exit_device", "POST", "/devices/{device}/exit/recycled", {S: 422, T: 422}, 403, 302),
    ("inventory.exit_device", "GET", "/devices/{device}/exit/vanished", {S: 404, T: 404}, 403, 302),
    ("inventory.move", "POST", "/devices/{device}/move", {S: 302, T: 302}, 403, 302),
    ("inventory.correct", "GET", "/devices/{device}/correct", SUPERVISOR, 403, 302),
    ("inventory.correct", "POST", "/devices/{device}/correct", {S: 422}, 403, 302),
    ("inventory.correct", "GET", "/devices/{other_device}/correct", {S: 404, T: 404}, 403, 302),
    ("inventory.void", "POST", "/devices/{device}/void", {S: 422}, 403, 302),
    ("inventory.void", "POST", "/devices/{other_device}/void", {S: 404, T: 404}, 403, 302),
    ("inventory.merge", "POST", "/devices/{device}/merge", {S: 422}, 403, 302),
    ("inventory.merge", "POST", "/devices/{other_device}/merge", {S: 404}, 403, 302),
    ("inventory.locations", "GET", "/locations", WORKSHOP, 403, 302),
    ("inventory.location", "GET", "/locations/{location}", SUPERVISOR, 403, 302),
    ("inventory.location", "POST", "/locations/{location}", {S: 302}, 403, 302),
    ("inventory.location", "GET", "/locations/{other_location}", {S: 404}, 403, 302),
    ("inventory.locations", "POST", "/locations", {S: 422, T: 403}, 403, 302),
    ("inventory.batch", "GET", "/batch", WORKSHOP, 403, 302),
    ("inventory.batch", "POST", "/batch", {S: 302, T: 302}, 403, 302),
    ("inventory.batch_remove", "POST", "/batch/remove/1", {S: 302, T: 302}, 403, 302),
    ("inventory.batch_clear", "POST", "/batch/clear", {S: 302, T: 302}, 403, 302),
    ("inventory.batch_apply", "POST", "/batch/apply", {S: 302, T: 302}, 403, 302),
    ("inventory.repairs_export", "GET", "/repairs.csv", SUPERVISOR, 403, 302),
    ("inventory.repairs_export", "GET", "/repairs.xlsx", SUPERVISOR, 403, 302),
    ("inventory.repairs_export", "GET", "/repairs.pdf", {S: 404}, 403, 302),
    ("api.post_hardware_report", "POST", "/api/v1/devices/{device}/hardware-reports", {S: 422, T: 422}, 403, 401),
    ("api.post_hardware_report", "POST", "/api/v1/devices/{other_device}/hardware-reports", {S: 404, T: 404}, 403,
     401),
    ("api.post_erasure_log", "POST", "/api/v1/devices/{device}/erasure-logs", {S: 422, T: 422}, 403, 401),
    ("api.post_diagnosis", "POST", "/api/v1/devices/{device}/diagnosis", {S: 422, T: 422}, 403, 401),
    ("api.post_repair", "POST", "/api/v1/devices/{device}/repairs", {S: 422, T: 422}, 403, 401),
    ("api.post_transition", "POST", "/api/v1/devices/{device}/transitions", {S: 422, T: 422}, 403, 401),
    ("api.post_correction", "POST", "/api/v1/devices/{device}/corrections", {S: 422}, 403, 401),
    ("api.post_correction", "POST", "/api/v1/devices/{other_device}/corrections", {S: 404, T: 404}, 403, 401),
    ("api.post_void", "POST", "/api/v1/devices/{device}/void", {S: 422}, 403, 401),
    ("api.post_void", "POST", "/api/v1/devices/{other_device}/void", {S: 404, T: 404}, 403, 401),
    ("api.post_merge", "POST", "/api/v1/devices/{device}/merge", {S: 422}, 403, 401),
    ("api.post_merge", "POST", "/api/v1/devices/{other_device}/merge", {S: 404}, 403, 401),
    ("api.get_drive", "GET", "/api/v1/drives/{drive}", WORKSHOP, 403, 401),
    ("api.get_drive", "GET", "/api/v1/drives/{other_drive}", {S: 404, T: 404}, 403, 401),
    ("inventory.batch_remove", "POST", "/batch/remove/0", {S: 302, T: 302}, 403, 302),
    ("labels.devices", "GET", "/labels/devices?tag={device}", WORKSHOP, 403, 302),
    ("labels.devices", "POST", "/labels/devices", {S: 422, T: 422}, 403, 302),
    ("labels.locations", "GET", "/labels/locations", WORKSHOP, 403, 302),
    ("labels.locations", "POST", "/labels/locations", {S: 422, T: 422}, 403, 302),
    ("labels.send_devices", "POST", "/labels/devices/send", {S: 200, T: 200}, 403, 302),
    ("labels.send_locations", "POST", "/labels/locations/send", {S: 200, T: 200}, 403, 302),
    ("labels.devices_pdf", "GET", "/labels/devices.pdf?tag={device}", WORKSHOP, 403, 302),
    ("labels.devices_pdf", "GET", "/labels/devices.pdf?tag={other_device}", {S: 422, T: 422}, 403, 302),
    ("labels.locations_pdf", "GET", "/labels/locations.pdf", WORKSHOP, 403, 302),
    ("labels.printer", "GET", "/structures/{own}/label-printer", {S: 200, A: 200}, 403, 302),
    ("labels.printer", "POST", "/structures/{own}/label-printer", {S: 422, A: 422}, 403, 302),
    ("labels.printer", "GET", "/structures/{other}/label-printer", {A: 404}, 403, 302),
    ("api.print_device_label", "POST", "/api/v1/devices/{device}/label/print", {S: 409, T: 409}, 403, 401),
    ("api.print_device_label", "POST", "/api/v1/devices/{other_device}/label/print", {S: 404, T: 404}, 403, 401),
    ("api.label_formats", "GET", "/api/v1/label-formats", {}, 200, 401),
    ("api.labels_pdf", "GET", "/api/v1/labels.pdf?tags={device}&format=dymo-11354", WORKSHOP, 403, 401),
    ("api.labels_pdf", "GET", "/api/v1/labels.pdf?tags={other_device}&format=dymo-11354", {S: 422, T: 422}, 403,
     401),
    ("core.notices", "GET", "/notices", {}, 200, 302),
    ("prescriptions.prescriptions", "GET", "/prescriptions?status=submitted&search=1", {S: 200, PR: 200}, 403, 302),
    ("prescriptions.prescriptions", "POST", "/prescriptions", {S: 302, PR: 302}, 403, 302),
    ("prescriptions.new_prescription", "GET", "/prescriptions/new", {PR: 200}, 403, 302),
    ("prescriptions.new_prescription", "POST", "/prescriptions/new", {PR: 422}, 403, 302),
    ("prescriptions.prescription", "GET", "/prescriptions/{submitted}", {S: 200, PR: 200}, 403, 302),
    ("prescriptions.prescription", "GET", "/prescriptions/{accepted}", {S: 200, PR: 200}, 403, 302),
    ("prescriptions.prescription", "GET", "/prescriptions/{other_submitted}", {S: 404, PR: 404}, 403, 302),
    ("prescriptions.edit_prescription", "GET", "/prescriptions/{submitted}/edit", {PR: 200}, 403, 302),
    ("prescriptions.edit_prescription", "POST", "/prescriptions/{submitted}/edit", {PR: 422}, 403, 302),
    ("prescriptions.edit_prescription", "GET", "/prescriptions/{other_submitted}/edit", {PR: 404}, 403, 302),
    ("prescriptions.withdraw", "POST", "/prescriptions/{submitted}/withdraw", {PR: 302}, 403, 302),
    ("prescriptions.withdraw", "POST", "/prescriptions/{other_submitted}/withdraw", {PR: 404}, 403, 302),
    ("prescriptions.cancel", "POST", "/prescriptions/{accepted}/cancel", {S: 302, PR: 302}, 403, 302),
    ("prescriptions.cancel", "POST", "/prescriptions/{other_accepted}/cancel", {S: 404, PR: 404}, 403, 302),
    ("prescriptions.export", "GET", "/prescriptions/{accepted}/export.json", {PR: 200}, 403, 302),
    ("prescriptions.export", "GET", "/prescriptions/{other_accepted}/export.json", {PR: 404}, 403, 302),
    ("prescriptions.export_pdf", "GET", "/prescriptions/{accepted}/export.pdf", {PR: 200}, 403, 302),
    ("prescriptions.export_pdf", "GET", "/prescriptions/{other_accepted}/export.pdf", {PR: 404}, 403, 302),
    ("prescriptions.erase", "POST", "/prescriptions/{accepted}/erase", {PR: 302}, 403, 302),
    ("prescriptions.erase", "POST", "/prescriptions/{other_accepted}/erase", {PR: 404}, 403, 302),
    ("prescriptions.personal_data_log", "GET", "/admin/personal-data", ADMIN_ONLY, 403, 302),
    ("communes.to_correct_page", "GET", "/communes/to-correct", ADMIN_ONLY, 403, 302),
    ("prescriptions.inbox", "GET", "/prescriptions/inbox", SUPERVISOR, 403, 302),
    ("prescriptions.decide", "POST", "/prescriptions/{submitted}/decision", {S: 302}, 403, 302),
    ("prescriptions.decide", "POST", "/prescriptions/{other_submitted}/decision", {S: 404}, 403, 302),
    ("prescriptions.waiting_list", "GET", "/waiting-list", SUPERVISOR, 403, 302),
    ("prescriptions.reserve", "POST", "/prescriptions/{accepted}/reservation", {S: 302}, 403, 302),
    ("prescriptions.reserve", "POST", "/prescriptions/{other_accepted}/reservation", {S: 404}, 403, 302),
    ("prescriptions.release", "POST", "/prescriptions/{reserved}/release", {S: 302}, 403, 302),
    ("prescriptions.release", "POST", "/prescriptions/{other_reserved}/release", {S: 404}, 403, 302),
    ("prescriptions.handover_receipt", "POST", "/prescriptions/{reserved}/handover-receipt", {S: 302}, 403, 302),
    ("prescriptions.handover_receipt", "POST", "/prescriptions/{other_reserved}/handover-receipt", {S: 404}, 403,
     302),
    ("prescriptions.document_pdf", "GET", "/prescriptions/{reserved}/documents/{receipt}.pdf", SUPERVISOR, 403,
     302),
    ("prescriptions.document_pdf", "GET", "/prescriptions/{reserved}/documents/{document}.pdf", {S: 404}, 403, 302),
    ("prescriptions.document_pdf", "GET", "/prescriptions/{other_reserved}/documents/{other_receipt}.pdf", {S: 404},
     403, 302),
    ("donations.document_pdf", "GET", "/documents/{receipt}.pdf", {S: 404, T: 404}, 403, 302),
    ("api.create_prescription_api", "POST", "/api/v1/prescriptions", {PR: 422}, 403, 401),
    ("api.get_prescription", "GET", "/api/v1/prescriptions/{submitted}", {S: 200, PR: 200}, 403, 401),
    ("api.get_prescription", "GET", "/api/v1/prescriptions/{other_submitted}", {S: 404, PR: 404}, 403, 401),
    ("api.decide_prescription_api", "POST", "/api/v1/prescriptions/{submitted}/decision", {S: 422}, 403, 401),
    ("api.decide_prescription_api", "POST", "/api/v1/prescriptions/{other_submitted}/decision", {S: 404}, 403, 401),
    ("api.reserve_device_api", "POST", "/api/v1/prescriptions/{accepted}/reservation", {S: 422}, 403, 401),
    ("api.reserve_device_api", "POST", "/api/v1/prescriptions/{other_accepted}/reservation", {S: 404}, 403, 401),
    ("prescriptions.new_visit", "POST", "/prescriptions/{reserved}/visits", {S: 302, PR: 302}, 403, 302),
    ("prescriptions.new_visit", "POST", "/prescriptions/{other_reserved}/visits", {S: 404, PR: 404}, 403, 302),
    ("prescriptions.handover", "GET", "/prescriptions/{reserved}/handover", SUPERVISOR, 403, 302),
    ("prescriptions.handover", "POST", "/prescriptions/{reserved}/handover", {S: 422}, 403, 302),
    ("prescriptions.handover", "GET", "/prescriptions/{other_reserved}/handover", {S: 404}, 403, 302),
    ("prescriptions.visits", "GET", "/visits?status=requested", {S: 200, IN: 200}, 403, 302),
    ("prescriptions.week", "GET", "/visits/week?start=2026-01-05", {S: 200, IN: 200}, 403, 302),
    ("prescriptions.week", "GET", "/visits/week?start=nope", {S: 200, IN: 200}, 403, 302),
    ("prescriptions.visit", "GET", "/visits/{visit}", {S: 200, IN: 200}, 403, 302),
    ("prescriptions.visit", "GET", "/visits/{other_visit}", {S: 404, IN: 404}, 403, 302),
    ("prescriptions.schedule", "POST", "/visits/{visit}/schedule", {S: 302, IN: 302}, 403, 302),
    ("prescriptions.schedule", "POST", "/visits/{other_visit}/schedule", {S: 404, IN: 404}, 403, 302),
    ("prescriptions.missed", "POST", "/visits/{visit}/missed", {S: 302, IN: 302}, 403, 302),
    ("prescriptions.cancel_visit_view", "POST", "/visits/{visit}/cancel", {S: 302}, 403, 302),
    ("prescriptions.cancel_visit_view", "POST", "/visits/{other_visit}/cancel", {S: 404}, 403, 302),
    ("prescriptions.report", "GET", "/visits/{visit}/report", {IN: 200}, 403, 302),
    ("prescriptions.report", "POST", "/visits/{visit}/report", {IN: 422}, 403, 302),
    ("prescriptions.report", "POST", "/visits/{other_visit}/report", {IN: 404}, 403, 302),
    ("prescriptions.return_view", "GET", "/devices/{device}/return", WORKSHOP, 403, 302),
    ("prescriptions.return_view", "POST", "/devices/{device}/return", {S: 422, T: 422}, 403, 302),
    ("prescriptions.return_view", "GET", "/devices/{other_device}/return", {S: 404, T: 404}, 403, 302),
    ("prescriptions.partner_reports", "GET", "/partner-reports", {PA: 200}, 403, 302),
    ("prescriptions.new_partner_report", "GET", "/partner-reports/new?month=2026-01", {PA: 200}, 403, 302),
    ("prescriptions.new_partner_report", "POST", "/partner-reports/new", {PA: 422}, 403, 302),
    ("prescriptions.partner_report", "GET", "/partner-reports/{partner_report}", {PA: 200, A: 200}, 403, 302),
    ("prescriptions.partner_report", "GET", "/partner-reports/{other_partner_report}", {A: 200, PA: 404}, 403, 302),
    ("reports.dashboard", "GET", "/reports?from=2026-01-01&to=2026-12-31", REPORTERS,
     403, 302),
    ("reports.dashboard", "GET", "/reports?from=2026-12-31&to=2026-01-01", {r: 302 for r in REPORTERS},
     403, 302),
    ("reports.impact", "GET", "/impact?from=2026-01-01&to=2026-12-31", REPORTERS, 403, 302),
    ("reports.impact", "GET", "/impact?from=2026-12-31&to=2026-01-01", {r: 302 for r in REPORTERS}, 403, 302),
    ("reports.export_table", "GET", "/reports/tables/families_commune.csv", REPORTERS,
     403, 302),
    ("reports.export_table", "GET", "/reports/tables/devices_type.xlsx", REPORTERS,
     403, 302),
    ("reports.export_table", "GET", "/reports/tables/nothing.pdf", {r: 404 for r in REPORTERS}, 403,
     302),
    ("reports.export_list", "GET", "/reports/lists/devices.csv", SUPERVISOR, 403, 302),
    ("reports.export_list", "GET", "/reports/lists/passwords.csv", {S: 404}, 403, 302),
    ("reports.export_list", "GET", "/reports/lists/prescriptions.xlsx", SUPERVISOR, 403, 302),
    ("reports.export_list", "GET", "/reports/lists/devices.pdf", {S: 404}, 403, 302),
    ("reports.export_network_list", "GET", "/reports/network/devices.csv", ADMIN_ONLY, 403, 302),
    ("reports.export_network_list", "GET", "/reports/network/sanitizations.xlsx", ADMIN_ONLY, 403, 302),
    ("reports.export_network_list", "GET", "/reports/network/repairs.csv", ADMIN_ONLY, 403, 302),
    ("reports.export_network_list", "GET", "/reports/network/repairs.xlsx", ADMIN_ONLY, 403, 302),
    ("reports.export_network_list", "GET", "/reports/network/prescriptions.csv", {Role.ADMIN: 404}, 403, 302),
    ("reports.annual", "GET", "/reports/annual.pdf?year=2026", REPORTERS, 403, 302),
    ("reports.factors", "GET", "/admin/impact-factors", ADMIN_ONLY, 403, 302),
    ("reports.factors", "POST", "/admin/impact-factors", {A: 422}, 403, 302),
    ("api.reports_summary", "GET", "/api/v1/reports/summary?from=2026-01-01", REPORTERS,
     403, 401),
    ("donations.issue_document", "POST", "/donations/{donation}/documents/donor_report", {S: 302}, 403, 302),
    ("api.request_visit_api", "POST", "/api/v1/prescriptions/{reserved}/visits", {S: 422, PR: 422}, 403, 401),
    ("api.request_visit_api", "POST", "/api/v1/prescriptions/{other_reserved}/visits", {S: 404, PR: 404}, 403, 401),
    ("api.report_visit_api", "POST", "/api/v1/visits/{visit}/report", {IN: 422}, 403, 401),
    ("api.report_visit_api", "POST", "/api/v1/visits/{other_visit}/report", {IN: 404}, 403, 401),
    ("api.submit_partner_report_api", "POST", "/api/v1/partner-reports", {PA: 422}, 403, 401),
    ("parts.stock", "GET", "/parts?category=ram&attribute=generation=ddr4&q=ram", WORKSHOP, 403, 302),
    ("parts.add", "POST", "/parts/add", {S: 302, T: 302}, 403, 302),
    ("parts.change_level", "POST", "/parts/levels/{level}/discard", {S: 302, T: 302}, 403, 302),
    ("parts.change_level", "POST", "/parts/levels/{level}/melt", {S: 404, T: 404}, 403, 302),
    ("parts.change_level", "POST", "/parts/levels/{other_level}/count", {S: 404, T: 404}, 403, 302),
    ("parts.change_level", "POST", "/parts/levels/{level}/move", {S: 302, T: 302}, 403, 302),
    ("parts.change_level", "POST", "/parts/levels/{other_level}/move", {S: 404, T: 404}, 403, 302),
    ("parts.catalogue", "GET", "/parts/catalogue", WORKSHOP, 403, 302),
    ("parts.new_part_type", "GET", "/parts/catalogue/new", WORKSHOP, 403, 302),
    ("parts.new_part_type", "POST", "/parts/catalogue/new", {S: 422, T: 422}, 403, 302),
    ("parts.part_type", "GET", "/parts/types/{part_type}", WORKSHOP, 403, 302),
    ("parts.drives", "GET", "/parts/drives", WORKSHOP, 403, 302),
    ("parts.erase_drive", "POST", "/parts/drives/{bank_drive}/erase", {S: 302, T: 302}, 403, 302),
    ("parts.erase_drive", "POST", "/parts/drives/{other_bank_drive}/erase", {S: 404, T: 404}, 403, 302),
    ("parts.validate_drive", "POST", "/parts/drives/{bank_drive}/validate", {S: 302}, 403, 302),
    ("parts.validate_drive", "POST", "/parts/drives/{other_bank_drive}/validate", {S: 404}, 403, 302),
    ("parts.harvest", "GET", "/devices/{device}/harvest", WORKSHOP, 403, 302),
    ("parts.harvest", "POST", "/devices/{device}/harvest", {S: 302, T: 302}, 403, 302),
    ("parts.harvest", "GET", "/devices/{other_device}/harvest", {S: 404, T: 404}, 403, 302),
    ("parts.repair_parts", "GET", "/devices/{device}/repairs/{repair}/parts", WORKSHOP, 403, 302),
    ("parts.repair_parts", "POST", "/devices/{device}/repairs/{repair}/parts", {S: 302, T: 302}, 403, 302),
    ("parts.repair_parts", "GET", "/devices/{device}/repairs/{other_repair}/parts", {S: 404, T: 404}, 403, 302),
    ("parts.bin_labels", "GET", "/parts/bin-labels", WORKSHOP, 403, 302),
    ("parts.bin_labels", "POST", "/parts/bin-labels", {S: 422, T: 422}, 403, 302),
    ("parts.bank", "GET", "/parts/bank?attribute=generation:ddr4", WORKSHOP, 403, 302),
    ("parts.ask", "POST", "/parts/requests", {S: 302, T: 302}, 403, 302),
    ("parts.request_page", "GET", "/parts/requests/{part_request}", WORKSHOP, 403, 302),
    ("parts.request_page", "GET", "/parts/requests/{other_part_request}", {S: 404, T: 404}, 403, 302),
    ("parts.act", "POST", "/parts/requests/{part_request}/accept", {S: 302, T: 403}, 403, 302),
    ("parts.act", "POST", "/parts/requests/{part_request}/receive", {S: 403, T: 403}, 403, 302),
    ("parts.act", "POST", "/parts/requests/{part_request}/melt", {S: 404, T: 404}, 403, 302),
    ("parts.act", "POST", "/parts/requests/{other_part_request}/decline", {S: 404, T: 404}, 403, 302),
    ("api.parts_stock", "GET", "/api/v1/parts/stock?elsewhere=1&category=ram", WORKSHOP, 403, 401),
    ("api.create_part_request", "POST", "/api/v1/parts/requests", {S: 422, T: 422}, 403, 401),
    ("api.part_request_action", "POST", "/api/v1/parts/requests/{part_request}/accept", {S: 200, T: 403}, 403,
     401),
    ("api.part_request_action", "POST", "/api/v1/parts/requests/{other_part_request}/ship", {S: 404, T: 404}, 403,
     401),
]


PRESCRIPTION_OBJECTS = {"submitted", "accepted", "reserved", "receipt", "visit", "partner_report"}


def _prescriptions(workshop, prescriber_structure, installer, partner) -> dict:
    """Create prescriptions to ``workshop`` at each step, a visit asked of ``installer``, a report of ``partner``."""
    prescriber = make_user(PR, structure=prescriber_structure)
    supervisor = make_user(S, structure=workshop)
    submitted = make_prescription(prescriber, workshop)
    accepted = make_prescription(prescriber, workshop, status="accepted")
    reserved = make_prescription(prescriber, workshop, status="accepted")
    reserve_device(reserved, make_ready_device(workshop), by=supervisor)
    receipt = handover_receipt_for(reserved, by=supervisor)
    visited = make_prescription(prescriber, workshop, status="accepted")
    reserve_device(visited, make_ready_device(workshop), by=supervisor)
    visit = request_visit(visited, by=supervisor, installer=installer)
    report = submit_partner_report(partner, by=supervisor, month="2026-01", lines=[])
    db.session.commit()
    return {"submitted": submitted.id, "accepted": accepted.id, "reserved": reserved.id, "receipt": receipt.id,
            "visit": visit.id, "partner_report": report.id}


PARTS_OBJECTS = {"level", "part_type", "part_request", "bank_drive"}


def _parts(workshop, device) -> dict:
    """Create a part type, stock of ``workshop``, another workshop's request for it, and a drive in the bank."""
    supervisor = make_user(S, structure=workshop)
    part_type = create_part_type(by=supervisor, category="ram", name=f"RAM {workshop.tag_prefix}",
                                 attributes={"generation": "ddr4"})
    move = add_stock(workshop, part_type, quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=supervisor)
    asker = make_structure("workshop")
    request = ask_parts(by=make_user(S, structure=asker), owner=workshop, part_type=part_type, condition="tested_ok",
                        quantity=1)
    drive = Drive(workshop_id=workshop.id, serial=f"BANK-{workshop.id}", removed_from_id=device.id)
    db.session.add(drive)
    db.session.commit()
    return {"level": move.stock_level_id, "part_type": part_type.id, "part_request": request.id,
            "bank_drive": drive.id}


def _workshop_objects(structure, user) -> dict:
    """Create a donor, donation, device, document and import draft of ``structure``."""
    donor = make_donor(structure)
    donation = make_donation(donor)
    device = make_device(donation, drives=[{"serial": f"DRV-{structure.id}", "capacity_gb": "500"}])
    drive = device.drives[0]
    document = Document(number=f"D-{donation.id}", kind="collection_receipt", structure_id=structure.id,
                        object_type="donation", object_id=str(donation.id), fingerprint=f"{donation.id:064x}",
                        pdf=b"%PDF-1.4")
    draft = ImportDraft(donation_id=donation.id, user_id=user.id, filename="list.csv",
                        data="Type;Serial\nlaptop;ABC\n".encode())
    db.session.add_all([document, draft])
    sanitization = Sanitization(drive_id=drive.id, device_id=device.id, level="clear", technique="overwrite",
                                tool="nwipe", verification="last_pass", result="success")
    repair = Repair(device_id=device.id, problem="Écran noir", fault_type="integrated_screen")
    location = Location(workshop_id=structure.id, code=f"{structure.tag_prefix}-L0001", name="Étagère", kind="shelf")
    db.session.add_all([sanitization, repair, location])
    db.session.commit()
    return {"donor": donor.id, "donation": donation.id, "device": device.tag, "document": document.id,
            "document_number": document.number,
            "draft": draft.id, "fingerprint": document.fingerprint, "drive": drive.id,
            "sanitization": sanitization.id, "repair": repair.id, "location": location.id}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == {route[0] for route in ROUTES}


def _objects(client, role, path: str) -> tuple[dict, object, str]:
    """Create the objects ``path`` names, for a user of ``role`` (a technician for ANON); return ids, user, token."""
    structure = make_structure("workshop", "prescriber", "installer", "partner")
    user = make_user(Role.TECHNICIAN if role == ANON else role, structure=structure)
    colleague = make_user(Role.TECHNICIAN, structure=structure)
    make_token(colleague)
    token = make_token(user)
    ids = {"own": structure.id, "other": make_structure("partner").id, "self": user.id,
           "colleague": colleague.id, "token": user.tokens[0].id, "colleague_token": colleague.tokens[0].id}
    needed = set(re.findall(r"{(\w+)}", path))
    ids |= _workshop_objects(structure, user)
    other_workshop = make_structure("workshop")
    ids |= {f"other_{k}": v for k, v in _workshop_objects(other_workshop, make_user(S, other_workshop)).items()}
    if needed & PARTS_OBJECTS:
        ids |= _parts(structure, db.session.scalar(select(Device).where(Device.tag == ids["device"])))
    if needed & {f"other_{name}" for name in PARTS_OBJECTS}:
        other = _parts(other_workshop, db.session.scalar(select(Device).where(Device.tag == ids["other_device"])))
        ids |= {f"other_{k}": v for k, v in other.items()}
    if needed & PRESCRIPTION_OBJECTS:
        ids |= _prescriptions(structure, structure, structure, structure)
    if needed & {f"other_{name}" for name in PRESCRIPTION_OBJECTS}:
        other = _prescriptions(other_workshop, make_structure("prescriber"), make_structure("installer"),
                               make_structure("partner"))
        ids |= {f"other_{k}": v for k, v in other.items()}
    return ids, user, token


@pytest.mark.parametrize("role", [*ROLES, ANON])
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[1]} {r[2]}")
def test_route(app, ctx, client, route, role):
    endpoint, method, path, per_role, default, anonymous = route
    ids, user, token = _objects(client, role, path)
    headers = {}
    if role != ANON:
        if endpoint.startswith("api."):
            headers["Authorization"] = f"Bearer {token}"
        else:
            login_as(client, user)
    response = client.open(path.format(**ids), method=method, headers=headers)
    expected = anonymous if role == ANON else per_role.get(role, default)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]


ACCEPTED = {200, 302, 422}


def _allowed_role(route):
    """Return a role the route lets through (with or without a valid form), or None."""
    _endpoint, _method, _path, per_role, default, _anonymous = route
    return next((role for role in ROLES if per_role.get(role, default) in ACCEPTED), None)


#: The first entry of each form posted from the web pages that some role may send.
FORMS = list({route[0]: route for route in reversed(ROUTES)
              if route[1] == "POST" and not route[0].startswith("api.") and _allowed_role(route)}.values())


def test_every_form_of_the_web_pages_is_checked_for_csrf(app):
    posted = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.endpoint.startswith("api.")}
    assert {route[0] for route in FORMS} == posted - {"accounts.login"}  # the login form: tests/accounts


@pytest.mark.parametrize("route", FORMS, ids=lambda r: r[2])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, ctx, client, csrf_enabled, route):
    endpoint, _method, path, *_rest = route
    role = _allowed_role(route)
    ids, user, _token = _objects(client, role, path)
    login_as(client, user)
    before = db.session.scalar(select(func.count(Event.id)))
    response = client.post(path.format(**ids), data={})
    assert response.status_code == 400 and "ne venait pas de Reco" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == before
