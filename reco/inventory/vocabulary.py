"""Names of device types, states, interfaces and accessories in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.inventory.models import (
    Accessory,
    Barrier,
    Check,
    CheckResult,
    DestructionMethod,
    DeviceState,
    DeviceType,
    DriveInterface,
    FaultType,
    Grade,
    LocationKind,
    RepairStatus,
    SanitizationLevel,
    SanitizationResult,
    SanitizationTool,
    Technique,
    Verification,
)

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
    DeviceState.VOIDED: _l("Voided"),
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

GRADE_LABELS = {
    Grade.A: _l("A: like new, hardly any mark"),
    Grade.B: _l("B: light marks of use"),
    Grade.C: _l("C: visible marks, works fully"),
    Grade.PARTS_ONLY: _l("Parts only"),
}

CHECK_LABELS = {
    Check.POWER_ON: _l("Powers on"),
    Check.SCREEN: _l("Screen"),
    Check.KEYBOARD: _l("Keyboard"),
    Check.POINTING_DEVICE: _l("Touchpad or mouse"),
    Check.PORTS: _l("Ports (USB, video, network)"),
    Check.WIFI: _l("Wi-Fi"),
    Check.WEBCAM: _l("Webcam"),
    Check.AUDIO: _l("Sound"),
    Check.BATTERY: _l("Battery"),
    Check.CHARGER: _l("Charger"),
}

RESULT_LABELS = {CheckResult.OK: _l("OK"), CheckResult.FAULTY: _l("Faulty"),
                 CheckResult.NOT_APPLICABLE: _l("Not applicable")}

FAULT_LABELS = {
    FaultType.BOOT: _l("Boot"),
    FaultType.CASE: _l("Case or chassis"),
    FaultType.CONFIGURATION: _l("Configuration"),
    FaultType.KEYBOARD: _l("Integrated keyboard"),
    FaultType.POINTING_DEVICE: _l("Integrated pointing device"),
    FaultType.SCREEN: _l("Integrated screen"),
    FaultType.STORAGE: _l("Internal storage"),
    FaultType.OPERATING_SYSTEM: _l("Operating system"),
    FaultType.OVERHEATING: _l("Overheating"),
    FaultType.PERFORMANCE: _l("Performance"),
    FaultType.PORTS: _l("Ports, slots, connectors"),
    FaultType.POWER: _l("Power or battery"),
    FaultType.SYSTEM_BOARD: _l("System board"),
    FaultType.MALWARE: _l("Virus or malware"),
    FaultType.OTHER: _l("Other"),
    FaultType.UNKNOWN: _l("Unknown"),
}

REPAIR_STATUS_LABELS = {RepairStatus.FIXED: _l("Fixed"), RepairStatus.REPAIRABLE: _l("Repairable"),
                        RepairStatus.END_OF_LIFE: _l("End of life")}

BARRIER_LABELS = {
    Barrier.PARTS_NOT_AVAILABLE: _l("Spare parts not available"),
    Barrier.PARTS_TOO_EXPENSIVE: _l("Spare parts too expensive"),
    Barrier.CANNOT_OPEN: _l("No way to open the product"),
    Barrier.NO_INFORMATION: _l("Repair information not available"),
    Barrier.NO_EQUIPMENT: _l("Lack of equipment"),
    Barrier.WORN_OUT: _l("Item too worn out"),
}

LEVEL_LABELS = {SanitizationLevel.CLEAR: _l("Clear"), SanitizationLevel.PURGE: _l("Purge"),
                SanitizationLevel.DESTROY: _l("Destroy")}

TECHNIQUE_LABELS = {Technique.OVERWRITE: _l("Overwrite"), Technique.BLOCK_ERASE: _l("Block erase"),
                    Technique.CRYPTO_ERASE: _l("Cryptographic erase"), Technique.DESTRUCTION: _l("Destruction")}

SANITIZATION_RESULT_LABELS = {SanitizationResult.SUCCESS: _l("Success"), SanitizationResult.FAILED: _l("Failed")}

VERIFICATION_LABELS = {Verification.NONE: _l("None"), Verification.LAST_PASS: _l("Last pass"),
                       Verification.ALL_PASSES: _l("All passes")}

DESTRUCTION_LABELS = {DestructionMethod.SHRED: _l("Shredded"), DestructionMethod.DRILL: _l("Drilled"),
                      DestructionMethod.CRUSH: _l("Crushed"), DestructionMethod.DEGAUSS: _l("Degaussed")}

LOCATION_KIND_LABELS = {LocationKind.SHELF: _l("Shelf"), LocationKind.BIN: _l("Bin"), LocationKind.AREA: _l("Area")}

#: Erasure programs keep their own names; « other » is said in the user's language.
TOOL_LABELS = {SanitizationTool.NWIPE: "nwipe", SanitizationTool.HDPARM: "hdparm",
               SanitizationTool.NVME_CLI: "nvme-cli", SanitizationTool.OTHER: _l("Other")}
