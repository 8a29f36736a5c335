"""The drives of the machine (lsblk), and which must never be wiped: the boot stick and the running system."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .machine import run

#: Mount points of the running system: a drive holding one is never wiped.
SYSTEM_MOUNTS = ("/", "/run/live/medium", "/lib/live/mount/medium", "/run/initramfs/live", "/boot", "/boot/efi",
                 "/usr", "/var", "/home", "[SWAP]")
#: The live system's medium: the drive holding it is the boot stick.
LIVE_MEDIUM = ("/run/live/medium", "/lib/live/mount/medium", "/run/initramfs/live")
#: Environment variable that puts the agent in test mode (loop devices only), as --only-loop does.
ONLY_LOOP_ENV = "RECO_AGENT_ONLY_LOOP"
LSBLK = ["lsblk", "--json", "-b", "-o", "NAME,PATH,TYPE,SIZE,SERIAL,MODEL,TRAN,RM,MOUNTPOINTS"]


class RefusedDevice(Exception):
    """A device the agent must not touch was asked for (a non-loop device in test mode, an unknown path)."""


@dataclass
class Disk:
    """A whole drive as lsblk shows it, with every mount point of its partitions."""

    name: str
    path: str
    type: str
    size: int
    serial: str | None
    model: str
    transport: str
    removable: bool
    mounts: list[str] = field(default_factory=list)
    #: The device paths of the drive and its partitions (and what is stacked on them).
    members: list[str] = field(default_factory=list)

    @property
    def size_text(self) -> str:
        """The size in decimal units, as drives are sold."""
        for unit, factor in (("To", 10 ** 12), ("Go", 10 ** 9), ("Mo", 10 ** 6)):
            if self.size >= factor:
                return f"{self.size / factor:.1f} {unit}".replace(".", ",")
        return f"{self.size} octets"

    @property
    def label(self) -> str:
        """How the screen names the drive."""
        return " ".join(filter(None, [self.path, self.model or ("fichier en boucle" if self.type == "loop" else ""),
                                      self.size_text, f"n° {self.serial}" if self.serial else ""]))


def only_loop(flag: bool = False) -> bool:
    """Tell whether the agent is in test mode: loop devices only."""
    return flag or os.environ.get(ONLY_LOOP_ENV, "") not in ("", "0")


def list_disks(lsblk_json: bytes | None = None) -> list[Disk]:
    """Return the machine's drives and loop devices with a size (not RAM disks, not CD drives)."""
    raw = run(LSBLK, timeout=30).stdout if lsblk_json is None else lsblk_json
    devices = json.loads(raw.decode("utf-8") or "{}").get("blockdevices") or []
    disks = []
    for node in devices:
        kind, name = node.get("type") or "", node.get("name") or ""
        if kind not in ("disk", "loop") or not node.get("size") or name.startswith(("zram", "ram")):
            continue
        mounts, members = [], []
        _gather(node, mounts, members)
        disks.append(Disk(name=name, path=node.get("path") or f"/dev/{name}", type=kind, size=int(node["size"]),
                          serial=(node.get("serial") or "").strip() or None, model=(node.get("model") or "").strip(),
                          transport=node.get("tran") or "", removable=bool(node.get("rm")), mounts=mounts,
                          members=members))
    return disks


def _gather(node: dict, mounts: list[str], members: list[str]) -> None:
    """Collect the mount points and device paths of a node and everything below it."""
    members.append(node.get("path") or f"/dev/{node.get('name')}")
    mounts.extend(m for m in node.get("mountpoints") or [node.get("mountpoint")] if m)
    for child in node.get("children") or []:
        _gather(child, mounts, members)


def proc_mounts(text: str | None = None) -> dict[str, list[str]]:
    """Return the mount points of each mounted device from /proc/mounts (and the swap devices of /proc/swaps)."""
    if text is None:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        swaps = Path("/proc/swaps")
        if swaps.exists():
            text += "".join(f"{line.split()[0]} [SWAP] swap\n" for line in swaps.read_text().splitlines()[1:]
                            if line.split())
    mounted: dict[str, list[str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("/dev/"):
            mounted.setdefault(os.path.realpath(parts[0]) if parts[0].startswith("/dev/disk/") else parts[0],
                               []).append(parts[1].replace("\\040", " "))
    return mounted


def _mounts(disk: Disk, mounted: dict[str, list[str]]) -> set[str]:
    """Return every mount point of the disk and of what it holds."""
    return set(disk.mounts) | {m for member in disk.members for m in mounted.get(member, [])}


def is_part_of_machine(disk: Disk, mounted: dict[str, list[str]]) -> bool:
    """Tell whether a drive belongs to the machine: not the boot stick, not a USB drive, not a loop device."""
    return disk.type != "loop" and disk.transport != "usb" and not _mounts(disk, mounted) & set(LIVE_MEDIUM)


def exclusion(disk: Disk, mounted: dict[str, list[str]]) -> str | None:
    """Return why ``disk`` must not be wiped (in French), or None when it may be."""
    mounts = _mounts(disk, mounted)
    if mounts & set(LIVE_MEDIUM):
        return "clé de démarrage (le système de l'agent)"
    if mounts & set(SYSTEM_MOUNTS):
        return "porte le système en marche (" + ", ".join(sorted(mounts & set(SYSTEM_MOUNTS))) + ")"
    if mounts:
        return "une partition est montée (" + ", ".join(sorted(mounts)) + ")"
    if disk.transport == "usb":
        return "disque USB branché : ce n'est pas un disque de la machine"
    return None


def plan(disks: list[Disk], mounted: dict[str, list[str]], *, loop_only: bool,
         chosen: list[str] | None = None) -> tuple[list[Disk], list[tuple[Disk, str]]]:
    """Split the drives into those to wipe and those excluded with the reason.

    In test mode only loop devices are ever wiped; ``chosen`` limits the wipe to these paths, each of which must be
    a drive of the list (and a loop device in test mode), or nothing is done.
    """
    by_path = {disk.path: disk for disk in disks}
    for path in chosen or []:
        if loop_only and not is_loop(path):
            raise RefusedDevice(f"{path} n'est pas un périphérique loop : en mode test, l'agent n'efface que des "
                                "périphériques loop. Rien n'a été effacé.")
        if path not in by_path:
            raise RefusedDevice(f"{path} n'est pas un disque de cette machine. Rien n'a été effacé.")
    wipe, excluded = [], []
    for disk in disks:
        if chosen is not None and disk.path not in chosen:
            continue
        reason = exclusion(disk, mounted)
        if reason is None and loop_only and disk.type != "loop":
            reason = "mode test : seuls les périphériques loop sont effacés"
        if reason is None and not loop_only and disk.type == "loop":
            continue  # a loop device is a file of the live system, not a drive of the machine
        if reason:
            excluded.append((disk, reason))
        else:
            wipe.append(disk)
    return wipe, excluded


def is_loop(path: str) -> bool:
    """Tell whether ``path`` is a loop device (its kernel name is loopN and it has loop attributes)."""
    name = os.path.basename(os.path.realpath(path))
    return name.startswith("loop") and name[4:].isdecimal() and Path(f"/sys/block/{name}/loop").is_dir()
