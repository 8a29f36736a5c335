"""Hardware reports stay within bounds: drives per report as at intake, parts per report, fast refusals."""
import io
import json
import time

import pytest

from reco.extensions import db
from reco.inventory.hardware_reports import ReportNotRecognised, parse_hardware_report
from reco.inventory.intake import MAX_DRIVES
from reco.inventory.models import Device
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_token, make_user

GIB = 1024 ** 3
#: reco.inventory.hardware_reports.MAX_LSHW_NODES
MAX_LSHW_NODES = 5000


def _disk(n: int, usb: bool = False) -> dict:
    return {"id": f"disk:{n}", "class": "disk", "product": "ST500LM012", "serial": f"S{n:07d}", "size": 500 * GIB,
            "logicalname": f"/dev/sd{n}", "businfo": f"usb@1:{n}" if usb else f"scsi@0:0.0.{n}"}


def lshw_with(disks: int, usb: int = 0, extra: int = 0) -> bytes:
    """Return an lshw report of one machine with ``disks`` internal drives, ``usb`` USB ones, ``extra`` parts."""
    children = [_disk(n) for n in range(disks)] + [_disk(disks + n, usb=True) for n in range(usb)]
    children += [{"id": f"usb:{n}", "class": "bus", "description": "USB hub"} for n in range(extra)]
    return json.dumps({"id": "bench", "class": "system", "product": "Latitude", "vendor": "Dell", "serial": "S1",
                       "children": [{"id": "core", "class": "bus", "children": children}]}).encode()


def test_a_report_with_as_many_drives_as_intake_takes_is_read():
    report = parse_hardware_report(lshw_with(MAX_DRIVES, usb=2))
    assert len(report.drives) == MAX_DRIVES + 2


def test_a_report_with_more_drives_than_a_device_has_is_refused(english):
    with pytest.raises(ReportNotRecognised) as refused:
        parse_hardware_report(lshw_with(MAX_DRIVES + 1))
    assert f"at most {MAX_DRIVES}" in str(refused.value)


def test_thousands_of_disks_in_one_megabyte_are_refused_at_once():
    data = lshw_with(8000)
    assert len(data) > 1_000_000
    started = time.perf_counter()
    with pytest.raises(ReportNotRecognised):
        parse_hardware_report(data)
    assert time.perf_counter() - started < 2


def test_a_report_of_too_many_parts_is_refused():
    with pytest.raises(ReportNotRecognised) as refused:
        parse_hardware_report(lshw_with(1, extra=MAX_LSHW_NODES))
    assert str(MAX_LSHW_NODES) in str(refused.value)


def _bench_device(user) -> Device:
    return make_device(make_donation(make_donor(user.structure)), type="laptop", serial="S1")


def test_the_upload_page_explains_the_cap_in_french_and_records_nothing(client, ctx):
    user = make_user("technician")
    login_as(client, user)
    device = _bench_device(user)
    page = client.post(f"/devices/{device.tag}/hardware-report",
                       data={"file": (io.BytesIO(lshw_with(MAX_DRIVES + 1)), "lshw.json")},
                       content_type="multipart/form-data",
                       follow_redirects=True).get_data(as_text=True)
    assert f"un appareil en a au plus {MAX_DRIVES}" in page
    db.session.expire_all()
    assert db.session.get(Device, device.id).drives == []


def test_the_api_answers_422_json_over_the_cap(client, ctx):
    user = make_user("technician")
    device = _bench_device(user)
    response = client.post(f"/api/v1/devices/{device.tag}/hardware-reports", data=lshw_with(MAX_DRIVES + 1),
                           headers={"Authorization": f"Bearer {make_token(user)}", "Content-Type": "application/json"})
    assert response.status_code == 422
    assert "report" in response.get_json()["fields"]
    db.session.expire_all()
    assert db.session.get(Device, device.id).drives == []
