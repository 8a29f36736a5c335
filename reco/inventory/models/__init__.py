"""The inventory's models: devices and drives, sanitization, diagnosis, repairs, scan batches."""
from reco.inventory.models.batches import ScanBatch
from reco.inventory.models.devices import (
    LEFT_WORKBENCH,
    Accessory,
    Device,
    DeviceExit,
    DeviceState,
    DeviceType,
    Drive,
    DriveInterface,
    Grade,
    Location,
    LocationKind,
    storage_recount,
)
from reco.inventory.models.diagnosis import Check, CheckResult, Diagnosis, FaultType, HardwareReport
from reco.inventory.models.repairs import Barrier, Repair, RepairStatus
from reco.inventory.models.sanitization import (
    DestructionMethod,
    ErasureLog,
    Sanitization,
    SanitizationLevel,
    SanitizationResult,
    SanitizationTool,
    Technique,
    Verification,
)

__all__ = [
    "LEFT_WORKBENCH", "Accessory", "Barrier", "Check", "CheckResult", "DestructionMethod", "Device", "DeviceExit",
    "DeviceState", "DeviceType", "Diagnosis", "Drive", "DriveInterface", "ErasureLog", "FaultType", "Grade",
    "HardwareReport", "Location", "LocationKind", "Repair", "RepairStatus", "Sanitization", "SanitizationLevel",
    "SanitizationResult", "SanitizationTool", "ScanBatch", "Technique", "Verification", "storage_recount",
]
