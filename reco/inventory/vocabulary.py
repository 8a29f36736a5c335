"""Names of device types, states, interfaces and accessories in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.inventory.models import Accessory, DeviceState, DeviceType, DriveInterface

TYPE_LABELS = {
    DeviceType.LAPTOP: _l("Laptop"),
    DeviceType.DESKTOP: _l("Desktop"),
    DeviceType.ALL_IN_ONE: _l("All-in-one"),
    DeviceType.TABLET: _l("Tablet"),
    DeviceType.SMARTPHONE: _l("Smartphone"),
    DeviceType.SCREEN: _l("Screen"),
    DeviceType.PRINTER: _l("Printer"),
    DeviceType.OTHER: _l("Other"),
}

STATE_LABELS = {
    DeviceState.RECEIVED: _l("Received"),
    DeviceState.DIAGNOSED: _l("Diagnosed"),
    DeviceState.IN_REPAIR: _l("In repair"),
    DeviceState.WIPED: _l("Wiped"),
    DeviceState.READY: _l("Ready"),
    DeviceState.RESERVED: _l("Reserved"),
    DeviceState.DELIVERED: _l("Delivered"),
    DeviceState.HARVESTED: _l("Harvested for parts"),
    DeviceState.RECYCLED: _l("Recycled"),
}

INTERFACE_LABELS = {
    DriveInterface.ATA_HDD: _l("Hard disk (ATA/SATA)"),
    DriveInterface.SATA_SSD: _l("SATA SSD"),
    DriveInterface.NVME: _l("NVMe SSD"),
    DriveInterface.EMMC: _l("eMMC"),
    DriveInterface.USB: _l("USB drive"),
}

ACCESSORY_LABELS = {
    Accessory.CHARGER: _l("Charger"),
    Accessory.POWER_CABLE: _l("Power cable"),
    Accessory.BATTERY: _l("Battery"),
    Accessory.KEYBOARD: _l("Keyboard"),
    Accessory.MOUSE: _l("Mouse"),
    Accessory.BAG: _l("Bag"),
    Accessory.STYLUS: _l("Stylus"),
}
