"""Names of the parts bank's vocabularies in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.core.vocabulary import DETAIL_VALUE_LABELS
from reco.parts.models import Condition, MoveKind, PartCategory, RequestStatus

PART_CATEGORY_LABELS = {
    PartCategory.RAM: _l("Memory (RAM)"),
    PartCategory.STORAGE: _l("Storage (drive)"),
    PartCategory.BATTERY: _l("Battery"),
    PartCategory.CHARGER: _l("Charger"),
    PartCategory.SCREEN: _l("Screen"),
    PartCategory.KEYBOARD: _l("Keyboard"),
    PartCategory.OTHER: _l("Other"),
}

CONDITION_LABELS = {
    Condition.TESTED_OK: _l("tested, works"),
    Condition.UNTESTED: _l("not tested"),
    Condition.FAULTY: _l("faulty"),
}

MOVE_KIND_LABELS = {
    MoveKind.RECEIVED: _l("received with a donation"),
    MoveKind.HARVESTED: _l("harvested from a device"),
    MoveKind.USED: _l("used in a repair"),
    MoveKind.TRANSFER_OUT: _l("sent to another workshop"),
    MoveKind.TRANSFER_IN: _l("received from another workshop"),
    MoveKind.DISCARDED: _l("discarded"),
    MoveKind.CORRECTION: _l("inventory count"),
    MoveKind.MOVED: _l("moved to another place"),
}

REQUEST_STATUS_LABELS = {
    RequestStatus.REQUESTED: _l("asked"),
    RequestStatus.ACCEPTED: _l("accepted, set aside"),
    RequestStatus.SHIPPED: _l("shipped"),
    RequestStatus.RECEIVED: _l("received"),
    RequestStatus.DECLINED: _l("declined"),
    RequestStatus.CANCELLED: _l("cancelled"),
}

DETAIL_VALUE_LABELS.update({"part_request.from": REQUEST_STATUS_LABELS, "part_request.to": REQUEST_STATUS_LABELS})

ATTRIBUTE_LABELS = {
    "generation": _l("Generation (DDR3, DDR3L, DDR4...)"),
    "form_factor": _l("Form factor (SO-DIMM, DIMM, 2.5 inches, M.2...)"),
    "capacity_gb": _l("Capacity (GB)"),
    "interface": _l("Interface (SATA, NVMe...)"),
    "voltage": _l("Voltage (V)"),
    "capacity_wh": _l("Capacity (Wh)"),
    "wattage": _l("Power (W)"),
    "connector": _l("Connector"),
    "size_inches": _l("Size (inches)"),
    "resolution": _l("Resolution"),
    "layout": _l("Layout (AZERTY, QWERTY...)"),
}
