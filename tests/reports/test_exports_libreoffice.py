"""Every export opened by LibreOffice in a French locale and read back: identifiers intact, numbers and dates
typed, no formula run, whatever the names and serial numbers hold."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from reco.accounts.models import Role
from reco.core.spreadsheet import PLAIN, XLSX_MIMETYPE, Column, Kind, Sheet, csv_stream, runs_as_formula
from reco.extensions import db
from reco.inventory.repairs import record_repair
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_ready_device, make_structure, make_user

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    not SOFFICE and os.environ.get("RECO_REQUIRE_BROWSER") != "1",
    reason="LibreOffice not found: install it with `apt-get install libreoffice-calc-nogui`")

HYPERLINK = '=HYPERLINK("http://x","y")'
#: Serial numbers a spreadsheet would take for numbers, dates or formulas.
SERIALS = ["1E5", "0012345", "12345678901234567890", "3/4", HYPERLINK, "@SUM(1)", "+33 6", "-42"]
#: LibreOffice's CSV import as a French office has it: ; UTF-8, French numbers and dates, quoted fields as text,
#: special numbers (dates) detected, and formulas evaluated (the worst case: nothing may run even then).
FRENCH_CSV = "CSV:59,34,76,1,,1036,true,true,false,false,false,-1,true"
PLAIN_CSV = "CSV:44,34,76,1,,1036,true,true,false,false,false,-1,true"
#: The same without « Format quoted field as text »: identifiers may then become numbers, but nothing runs.
UNTICKED_CSV = "CSV:59,34,76,1,,1036,false,false,false,false,false,-1,true"
#: 23:30 UTC is the next day in Paris, summer or winter.
LATE = (datetime.now(timezone.utc) - timedelta(days=10)).replace(hour=23, minute=30, second=0, microsecond=0)
PARIS_DAY = datetime.combine(LATE.date() + timedelta(days=1), datetime.min.time())


def test_the_formula_rule_quotes_what_a_spreadsheet_runs_and_nothing_else():
    runs = ["=1+2", " =A1", "@SUM(1)", "+A1", "-cmd|' /C calc'!A0", "-2+3", "- x(1)", "+HYPERLINK(1)", "\t=1"]
    stays = ["-42", "+33 6", '- Pro 14"', "-", "1E5", "3/4", "a=b", "Écran", "", "+3,5", "-.5"]
    assert [t for t in runs if not runs_as_formula(t)] == [] and [t for t in stays if runs_as_formula(t)] == []
    sheet = Sheet("x", [Column("a"), Column("b", Kind.DECIMAL), Column("c", Kind.DATE)],
                  [["=1\x07+2\r\n", Decimal("2.10"), LATE], ["Dupont; \"fils\"", None, None]])
    assert "".join(csv_stream(sheet)) == ('\ufeff"a";"b";"c"\r\n"\'=1+2\n";2,10;'
                                          f'{PARIS_DAY:%d/%m/%Y}\r\n"Dupont; ""fils""";;\r\n')
    assert "".join(csv_stream(sheet, PLAIN)).splitlines()[1] == f'"\'=1+2'
    assert "".join(csv_stream(sheet, PLAIN)).splitlines()[2] == f'",2.10,{PARIS_DAY:%Y-%m-%d}'


@pytest.fixture
def odd_network(ctx):
    """A workshop whose names and serial numbers hold everything a spreadsheet could misread."""
    workshop = make_structure("workshop", name="Atelier\x07 du Nord")
    donation = make_donation(make_donor(workshop, name="01053"))
    devices = []
    for n, serial in enumerate(SERIALS):
        device = make_ready_device(workshop, donor_tag=f"D-{n}")
        device.donation = donation
        device.serial, device.donor_tag, device.weight_kg = serial, "0012345" if n == 1 else f"D-{n}", Decimal("2.10")
        devices.append(device)
    devices[0].brand, devices[0].model, devices[0].received_at = '- Pro 14"', "-42", LATE
    devices[1].brand, devices[1].model = "Dell\x07 Inspiron", "Écran Vitré"
    for record in devices[0].drives[0].sanitizations:
        record.started_at, record.ended_at = LATE, LATE + timedelta(minutes=5)
    record_repair(devices[0], by=None, problem=HYPERLINK, fault_type="other", status="fixed")
    record_repair(devices[1], by=None, problem="@SUM(1)", fault_type="power_battery", status="fixed")
    devices[0].repairs[0].closed_at = LATE
    make_device(make_donation(make_donor(make_structure("workshop"))), serial="AUTRE-1")
    db.session.commit()
    return {"workshop": workshop, "devices": devices, "supervisor": make_user(Role.SUPERVISOR, structure=workshop)}


def _download(client, url: str, fmt: str) -> bytes:
    """Fetch an export and check its content type."""
    response = client.get(url)
    assert response.status_code == 200, url
    if fmt == "xlsx":
        assert response.content_type == XLSX_MIMETYPE
    else:
        assert response.content_type == "text/csv; charset=utf-8" and response.data.startswith(b"\xef\xbb\xbf")
    return response.data


def _convert(files: list[Path], infilter: str | None, out: Path, profile: Path) -> None:
    """Open files with LibreOffice in a French locale and save them as XLSX, all in one call."""
    user = profile / "user"
    if not user.exists():
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">'
            '<value>fr-FR</value></prop></item></oor:items>')
    command = [SOFFICE or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += [f"--infilter={infilter}"] if infilter else []
    subprocess.run([*command, "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)], check=True,
                   capture_output=True, timeout=120, env=os.environ | {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})


def _read(path: Path) -> list[dict]:
    """Read back a converted file: every cell typed as LibreOffice understood it, none a formula nor a link."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    assert all(cell.data_type != "f" and not cell.hyperlink for row in rows for cell in row), path.name
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, [cell.value for cell in row])) for row in rows[1:]]


def _text(value: str, fmt: str) -> str:
    """Return the text a cell must read: the value, after an apostrophe in a CSV if a spreadsheet would run it."""
    return "'" + value if fmt == "csv" and value[:1] in ("=", "@") else value


def test_every_export_opens_in_french_libreoffice_with_identifiers_numbers_and_dates_intact(
        client, odd_network, tmp_path):
    devices, workshop = odd_network["devices"], odd_network["workshop"]
    exports = {}
    login_as(client, odd_network["supervisor"])
    for fmt in ("csv", "xlsx"):
        for name in ("devices", "prescriptions", "sanitizations"):
            exports[f"{name}.{fmt}"] = _download(client, f"/reports/lists/{name}.{fmt}", fmt)
        exports[f"repairs.{fmt}"] = _download(client, f"/repairs.{fmt}", fmt)
        for key in ("devices_donor", "devices_type", "sanitization"):
            exports[f"table-{key}.{fmt}"] = _download(client, f"/reports/tables/{key}.{fmt}", fmt)
    login_as(client, make_user(Role.ADMIN))
    for fmt in ("csv", "xlsx"):
        for name in ("devices", "sanitizations", "repairs"):
            exports[f"network-{name}.{fmt}"] = _download(client, f"/reports/network/{name}.{fmt}", fmt)
    groups = {"fr": [], "plain": [], "xlsx": []}
    for file_name, data in exports.items():
        group = "xlsx" if file_name.endswith("xlsx") else "plain" if "repairs" in file_name else "fr"
        (tmp_path / group).mkdir(exist_ok=True)
        (tmp_path / group / file_name).write_bytes(data)
        groups[group].append(tmp_path / group / file_name)
    for group, infilter in (("fr", FRENCH_CSV), ("plain", PLAIN_CSV), ("xlsx", None)):
        _convert(groups[group], infilter, tmp_path / f"out-{group}", tmp_path / "profile")
    _convert(groups["fr"], UNTICKED_CSV, tmp_path / "out-unticked", tmp_path / "profile")
    unticked = sorted((tmp_path / "out-unticked").iterdir())
    assert len(unticked) == len(groups["fr"])
    for path in unticked:
        _read(path)  # which asserts that no cell is a formula

    def read(file_name):
        fmt = file_name.rsplit(".", 1)[1]
        group = "xlsx" if fmt == "xlsx" else "plain" if "repairs" in file_name else "fr"
        return _read(tmp_path / f"out-{group}" / file_name.replace(f".{fmt}", ".xlsx"))

    for fmt in ("csv", "xlsx"):
        for prefix in ("", "network-"):
            rows = {row["N° d'inventaire"]: row for row in read(f"{prefix}devices.{fmt}")}
            assert len(rows) == len(SERIALS) + (1 if prefix else 0)
            for device in devices:
                row = rows[device.tag]
                assert row["Numéro de série"] == _text(device.serial, fmt), (fmt, prefix, device.serial)
                assert row["Poids (kg)"] == 2.1 and row["Type"] == "Ordinateur portable"
                assert row["État"] == "Prêt" and row["État (code)"] == "ready" and row["Type (code)"] == "laptop"
                assert not prefix or row["Atelier"] == "Atelier du Nord"
            first = rows[devices[0].tag]
            assert (first["Marque"], first["Modèle"], first["Réceptionné le"]) == ('- Pro 14"', "-42", PARIS_DAY)
            assert isinstance(rows[devices[1].tag]["Réceptionné le"], datetime)
            assert rows[devices[1].tag]["N° d'inventaire du donateur"] == "0012345"
            assert (rows[devices[1].tag]["Marque"], rows[devices[1].tag]["Modèle"]) == ("Dell Inspiron", "Écran Vitré")

            erasures = read(f"{prefix}sanitizations.{fmt}")
            assert len(erasures) == len(SERIALS)
            first = next(row for row in erasures if row["N° d'inventaire"] == devices[0].tag)
            assert first["Début"] == PARIS_DAY.replace(minute=30) and first["Fin"] == PARIS_DAY.replace(minute=35)
            assert first["Technique"] == "Effacement par blocs" and first["Technique (code)"] == "block_erase"

            repairs = {row["id"]: row for row in read(f"{prefix}repairs.{fmt}")}
            assert len(repairs) == 2
            repair = repairs[f"{workshop.tag_prefix}-R{devices[0].repairs[0].id}"]
            assert repair["problem"] == _text(HYPERLINK, fmt) and repair["brand"] == '- Pro 14"'
            assert repair["event_date"] == PARIS_DAY and repair["group_identifier"] == "Atelier du Nord"
            assert repair["repair_status"] == "Fixed" and repair["product_category"] == "Laptop"
            assert repairs[f"{workshop.tag_prefix}-R{devices[1].repairs[0].id}"]["problem"] == _text("@SUM(1)", fmt)

        donors = read(f"table-devices_donor.{fmt}")
        assert [(row["Donateur"], row["Nombre"]) for row in donors] == [("01053", len(SERIALS))]
        assert read(f"table-devices_type.{fmt}")[0]["Nombre"] == len(SERIALS)
        assert read(f"table-sanitization.{fmt}")[0]["Nombre"] == len(SERIALS)
        assert read(f"prescriptions.{fmt}") == []


def test_a_prescription_keeps_its_insee_code_and_its_dates(client, ctx, tmp_path):
    from tests.factories import make_prescription

    workshop = make_structure("workshop")
    prescription = make_prescription(make_user(Role.PRESCRIBER), workshop, status="accepted")
    prescription.insee_code, prescription.commune, prescription.submitted_at = "01053", "Bourg-en-Bresse", LATE
    db.session.commit()
    login_as(client, make_user(Role.SUPERVISOR, structure=workshop))
    for fmt in ("csv", "xlsx"):
        (tmp_path / fmt).mkdir()
        data = _download(client, f"/reports/lists/prescriptions.{fmt}", fmt)
        (tmp_path / fmt / f"prescriptions.{fmt}").write_bytes(data)
        _convert([tmp_path / fmt / f"prescriptions.{fmt}"], FRENCH_CSV if fmt == "csv" else None,
                 tmp_path / f"out-{fmt}", tmp_path / "profile")
        [row] = _read(tmp_path / f"out-{fmt}" / "prescriptions.xlsx")
        assert (row["Code INSEE"], row["Commune"], row["Foyer"]) == ("01053", "Bourg-en-Bresse", prescription.code)
        assert row["Envoyée le"] == PARIS_DAY and row["Personnes"] == 3
        assert row["QPV"] == "oui" and row["QPV (code)"] == "1" and row["Besoins (code)"] == "school"


def test_a_control_character_never_breaks_an_export(client, odd_network):
    login_as(client, odd_network["supervisor"])
    for url in ("/reports/lists/devices.xlsx", "/repairs.xlsx", "/reports/tables/devices_donor.xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).data)).worksheets[0]
        assert not any("\x07" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert "\x07" not in client.get("/repairs.csv").get_data(as_text=True)
