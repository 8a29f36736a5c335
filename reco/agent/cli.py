"""reco-agent: describe the machine to Reco (no argument), wipe its drives (erase), send what waits (sync)."""
from __future__ import annotations

import argparse
import json
import time
import urllib.parse

from . import VERSION, drives, erase as erasing, machine
from .client import Client, Offline
from .config import ConfigError, load
from .screen import GREEN, RED, Screen
from .spool import Delivery, Spool

STATES = {"received": "Réceptionné", "diagnosed": "Diagnostiqué", "in_repair": "En réparation", "wiped": "Effacé",
          "ready": "Prêt", "reserved": "Réservé", "delivered": "Remis", "harvested": "Démonté pour pièces",
          "recycled": "Recyclé", "voided": "Annulé"}
#: What to do when Reco refuses a report, by its error code.
TODO = {
    "report_mismatch": "vérifiez l'étiquette : ce rapport décrit une autre machine. Si c'est bien celle-ci, "
                       "confirmez-le sur la page de la machine dans Reco.",
    "erasure_mismatch": "le journal ne décrit pas le disque enregistré : relancez « reco-agent » pour décrire "
                        "la machine, puis l'effacement.",
    "log_already_recorded": "ce journal est déjà enregistré : rien à faire.",
}
FAILED_TODO = ("relancez « reco-agent erase ». Si l'échec se répète, le disque est à détruire : sortez-le, "
               "détruisez-le et enregistrez la destruction dans Reco.")
UNVERIFIED_TODO = "effacement non vérifié : mettez verify = last dans reco-agent.ini et relancez l'effacement."


class Bench:
    """One run of the agent: settings, Reco, the spool and the screen."""

    def __init__(self, config, screen: Screen, args):
        self.config, self.screen, self.args = config, screen, args
        self.client = Client(config.url, config.token)
        self.spool = Spool(config.spool_dir)
        #: The round trips of each report sent, the run's and nwipe's seconds (for the benchmark).
        self.report_trips: list[int] = []
        self.seconds = self.nwipe_seconds = 0.0

    def post(self, path: str, body: bytes, content_type: str, label: str) -> Delivery:
        """Spool a report, then send the spool in order; return what became of this report."""
        record = self.spool.add("POST", path, body, content_type, label)
        before = self.client.round_trips
        mine = None
        for delivery in self.spool.flush(self.client):
            if delivery.record.key == record.key:
                mine = delivery
            elif delivery.state == "sent":
                self.screen.ok(f"Envoyé depuis la clé : {delivery.record.label}")
        self.report_trips.append(self.client.round_trips - before)
        return mine or Delivery(record, None, "kept", "des envois plus anciens attendent sur la clé")

    def get(self, path: str):
        """GET from Reco; None when it cannot be reached."""
        try:
            return self.client.get(path)
        except Offline:
            return None


def normalise(code: str | None) -> str:
    """Return a scanned or typed code as Reco compares them: upper case, no spaces."""
    return "".join((code or "").split()).upper()


def show_delivery(bench: Bench, delivery: Delivery, what: str) -> None:
    """Say what became of a report."""
    screen = bench.screen
    if delivery.state == "sent":
        replay = " (déjà reçu auparavant)" if delivery.response.headers.get("idempotent-replay") else ""
        screen.ok(f"{what} : reçu par Reco{replay}")
    elif delivery.state == "kept" and delivery.response is not None:
        screen.warn(f"{what} : gardé sur la clé. {delivery.reason} Ensuite : reco-agent sync")
    elif delivery.state == "kept":
        screen.warn(f"{what} : gardé sur la clé, Reco est injoignable. Quand le réseau revient : reco-agent sync")
    else:
        code = (delivery.response.data or {}).get("error") if isinstance(delivery.response.data, dict) else None
        screen.fail(f"{what} : refusé par Reco. {delivery.reason}",
                    TODO.get(code, "lisez le motif ci-dessus ; le rapport est gardé dans reco-spool/failed "
                                   "sur la clé."))


def identify(bench: Bench, serial: str | None, system=None) -> tuple[str | None, dict | None]:
    """Return the machine's tag and its device in Reco: the tag given, the serial, a scan, or a new intake."""
    screen = bench.screen
    if bench.args.tag:
        answer = bench.get("/api/v1/devices/" + urllib.parse.quote(normalise(bench.args.tag), safe=""))
        if answer is None:
            screen.warn("Reco est injoignable : les rapports seront gardés sur la clé.")
            return normalise(bench.args.tag), None
        if answer.ok:
            return answer.data["tag"], answer.data
        screen.fail(answer.message(), "scannez l'étiquette collée sur la machine.")
        return None, None
    if serial:
        answer = bench.get("/api/v1/devices/" + urllib.parse.quote(serial, safe=""))
        if answer is not None and answer.ok:
            screen.ok(f"Machine reconnue par son numéro de série {serial}")
            return answer.data["tag"], answer.data
        if answer is None:
            screen.warn("Reco est injoignable : scannez l'étiquette pour garder les rapports sur la clé.")
        elif answer.status == 409:
            screen.warn(answer.message())
        else:
            screen.warn(f"Reco ne connaît pas le numéro de série {serial}.")
    else:
        screen.warn("Cette machine ne donne pas de numéro de série lisible.")
    for _attempt in range(3):
        code = normalise(screen.ask("Scannez l'étiquette de la machine (numéro d'inventaire),\n"
                                    "ou appuyez sur Entrée pour la recevoir dans un don ouvert :"))
        if not code:
            return receive(bench, system)
        answer = bench.get("/api/v1/devices/" + urllib.parse.quote(code, safe=""))
        if answer is None:
            screen.warn("Reco est injoignable : les rapports seront gardés sur la clé.")
            return code, None
        if answer.ok:
            return answer.data["tag"], answer.data
        screen.fail(answer.message(), "vérifiez l'étiquette et scannez-la de nouveau.")
    return None, None


def receive(bench: Bench, system) -> tuple[str | None, dict | None]:
    """Receive the machine into an open donation the technician chooses; return its new tag."""
    screen = bench.screen
    answer = bench.get("/api/v1/donations/open")
    if answer is None or not answer.ok:
        screen.fail(answer.message() if answer else "Reco est injoignable : impossible de recevoir la machine.",
                    "rebranchez le réseau, ou scannez l'étiquette d'une machine déjà reçue.")
        return None, None
    donations = answer.data if isinstance(answer.data, list) else []
    if not donations:
        screen.fail("Aucun don n'est ouvert dans Reco.", "créez le don dans Reco, puis relancez reco-agent.")
        return None, None
    screen.title("Dons ouverts")
    for number, donation in enumerate(donations, 1):
        screen.line(f"  {number}. {_donation_name(donation)} "
                    f"(reçus {donation.get('received')} / annoncés {donation.get('declared')})")
    choice = screen.ask("Numéro du don de cette machine :")
    if not choice.isdecimal() or not 1 <= int(choice) <= len(donations):
        screen.fail("Ce numéro n'est pas dans la liste : la machine n'est pas reçue.", "relancez reco-agent.")
        return None, None
    body = {"donation_id": donations[int(choice) - 1]["id"], "type": system.type if system else "other",
            "brand": system.vendor if system else "", "model": system.model if system else "",
            "serial": system.serial if system else None}
    if not body["serial"] and not (body["brand"] and body["model"]):
        screen.line("La machine ne donne ni numéro de série ni modèle lisibles.")
        body["donor_tag"] = normalise(screen.ask("Scannez l'étiquette du donateur (ou Entrée s'il n'y en a pas) :"))
        if not body["donor_tag"]:
            body["brand"] = body["brand"] or screen.ask("Marque inscrite sur la machine :")
            body["model"] = body["model"] or screen.ask("Modèle inscrit sur la machine :")
    delivery = bench.post("/api/v1/devices", json.dumps(body).encode(), "application/json", "réception de la machine")
    data = delivery.response.data if delivery.response is not None else None
    if delivery.state == "sent":
        screen.ok(f"Machine reçue : {_donation_name(donations[int(choice) - 1])}")
        return data["tag"], data
    if delivery.state == "refused" and isinstance(data, dict) and data.get("tag"):
        return data["tag"], None
    show_delivery(bench, delivery, "Réception de la machine")
    return None, None


def _donation_name(donation: dict) -> str:
    """Name a donation as the list shows it: reference, donor and date."""
    when = donation.get("date") or donation.get("collected_at") or donation.get("planned_date") \
        or (donation.get("created_at") or "")[:10]
    donor = donation.get("donor") or donation.get("donor_name")
    return " — ".join(str(part) for part in (donation.get("reference"), donor, when) if part)


def show_device(bench: Bench, device: dict | None, tag: str) -> None:
    """Show the tag in large type, the state, the drives with their SMART health and what is left before ready."""
    screen = bench.screen
    screen.big(tag)
    if device is None:
        screen.warn("État inconnu : Reco est injoignable.")
        return
    screen.line(f"État : {STATES.get(device.get('state'), device.get('state'))}")
    screen.title("Disques")
    if not device.get("drives"):
        screen.line("Aucun disque enregistré dans Reco.")
    for drive in device.get("drives") or []:
        name = " ".join(filter(None, [drive.get("device_path"), drive.get("model"), _size(drive.get("capacity_bytes")),
                                      f"n° {drive['serial']}" if drive.get("serial") else ""]))
        erased = "effacé" if drive.get("sanitized") else "pas encore effacé"
        if drive.get("failing"):
            screen.fail(f"{name} : SMART signale un disque défaillant ({erased})",
                        "ne pas réutiliser ce disque : remplacez-le, puis détruisez-le ou mettez-le au recyclage.")
        elif drive.get("smart_passed"):
            screen.ok(f"{name} : SMART bon ({erased})")
        else:
            screen.line(f"[ ?? ] {name} : SMART inconnu ({erased})")
    screen.title("Avant « Prêt »")
    missing = device.get("ready_missing") or []
    for sentence in missing:
        screen.line(f"  • {sentence}")
    if not missing:
        screen.ok("Rien ne manque.")


def _size(count) -> str:
    """Return a size in decimal units."""
    if not count:
        return ""
    for unit, factor in (("To", 10 ** 12), ("Go", 10 ** 9), ("Mo", 10 ** 6)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}".replace(".", ",")
    return f"{count} octets"


def label(bench: Bench, tag: str) -> None:
    """Print the label through Reco; without a printer, show its QR code and the tag in large type."""
    screen = bench.screen
    if bench.args.no_label:
        return
    screen.title("Étiquette")
    try:
        printed = bench.client.request("POST", f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}/label/print")
    except Offline:
        printed = None
    if printed is not None and printed.ok and (printed.data or {}).get("sent"):
        screen.ok(f"Étiquette imprimée sur {(printed.data or {}).get('printer') or 'l’imprimante de l’atelier'}.")
        return
    if printed is not None and printed.status in (404, 405, 409):  # no printer set, or a Reco without printing
        screen.line("Pas d'imprimante d'étiquettes dans Reco : recopiez le numéro ci-dessous sur l'étiquette.")
    elif printed is not None:
        screen.warn(f"L'étiquette n'est pas imprimée : {printed.message()}")
    qr = bench.get(f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}/label-qr")
    if qr is not None and qr.ok:
        screen.qr(qr.data.get("modules") or [])
        screen.line(qr.data.get("url", ""))
    screen.line(f"Numéro à écrire sur l'étiquette : {tag}")


def report(bench: Bench) -> int:
    """Describe the machine to Reco: lshw, one smartctl per drive, then the device's state."""
    screen = bench.screen
    screen.title("Reco — description de la machine")
    system = machine.describe_system()
    screen.line(f"Machine : {' '.join(filter(None, [system.vendor, system.model])) or 'modèle inconnu'}, "
                f"numéro de série : {system.serial or 'illisible'}")
    loop_only = drives.only_loop(bench.args.only_loop)
    mounted = drives.proc_mounts()
    chosen = bench.args.device or []
    disks = [disk for disk in drives.list_disks() if drives.is_part_of_machine(disk, mounted)
             or (loop_only and disk.type == "loop" and disk.path in chosen)]
    smarts = [machine.smart(disk.path) for disk in disks]
    tag, device = identify(bench, system.serial, system)
    if tag is None:
        return 1
    refused = 0
    delivery = bench.post(f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}/hardware-reports", system.report,
                          "application/json", f"description lshw de {tag}")
    show_delivery(bench, delivery, "Description de la machine (lshw)")
    refused += delivery.state == "refused"
    if delivery.state == "sent":
        device = delivery.response.data.get("device") or device
    for disk, smart in zip(disks, smarts):
        if not smart.readable:
            screen.warn(f"{disk.label} : pas de SMART lisible ({smart.message or 'smartctl ne dit rien'}) — "
                        "disque virtuel ou sans SMART, pas de rapport SMART.")
            continue
        delivery = bench.post(f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}/hardware-reports", smart.report,
                              "application/json", f"SMART {disk.path} de {tag}")
        show_delivery(bench, delivery, f"SMART de {disk.label}")
        refused += delivery.state == "refused"
        if delivery.state == "sent":
            device = delivery.response.data.get("device") or device
    show_device(bench, device, tag)
    label(bench, tag)
    return 1 if refused else 0


def erase(bench: Bench) -> int:
    """Wipe every drive of the machine but the boot stick and the running system, once the tag is confirmed."""
    screen = bench.screen
    config = bench.config
    screen.title("Reco — effacement des disques")
    loop_only = drives.only_loop(bench.args.only_loop)
    if loop_only:
        screen.warn("Mode test : seuls des périphériques loop peuvent être effacés.")
    try:
        wipe, excluded = drives.plan(drives.list_disks(), drives.proc_mounts(), loop_only=loop_only,
                                     chosen=bench.args.device)
    except drives.RefusedDevice as error:
        screen.fail(str(error), "choisissez un disque de la liste de la machine.")
        return 2
    for disk, reason in excluded:
        screen.line(f"  Exclu : {disk.label} — {reason}")
    if not wipe:
        screen.fail("Aucun disque à effacer.", "vérifiez que les disques de la machine sont branchés.")
        return 1
    screen.line("Disques à effacer :")
    for disk in wipe:
        screen.line(f"  → {disk.label}", RED)
    serial = None if bench.args.tag else machine.describe_system().serial
    tag, _device = identify(bench, serial)
    if tag is None:
        return 1
    typed = bench.args.yes_tag if bench.args.yes_tag is not None else screen.ask(
        f"TOUT SERA EFFACÉ. Pour confirmer, scannez ou tapez le numéro d'inventaire de cette machine :")
    if normalise(typed) != normalise(tag):
        screen.fail(f"« {typed} » n'est pas {tag} : rien n'a été effacé.",
                    "scannez l'étiquette collée sur cette machine.")
        return 1
    screen.line(f"Effacement en cours (méthode {config.method}, vérification {config.verify}, "
                f"{config.rounds} passe(s)) : ne pas éteindre la machine.")
    done = erasing.wipe([disk.path for disk in wipe], config.method, config.verify, config.rounds,
                        config.spool_dir.parent / "reco-logs")
    bench.nwipe_seconds = done.seconds
    if not done.log:
        screen.fail(f"nwipe n'a écrit aucun journal (code {done.returncode}).", "relancez reco-agent erase.")
        return 1
    query = {"filename": done.log_path.name}
    if any(not disk.serial for disk in wipe):  # the agent wiped these very drives of the machine whose tag was typed
        query["confirm_anonymised"] = "1"
    delivery = bench.post(f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}/erasure-logs?"
                          f"{urllib.parse.urlencode(query)}", done.log, "text/plain; charset=utf-8",
                          f"journal nwipe de {tag}")
    failures = show_erasure(bench, delivery, done, wipe)
    answer = bench.get(f"/api/v1/devices/{urllib.parse.quote(tag, safe='')}") if delivery.state == "sent" else None
    if answer is not None and answer.ok:
        screen.title("Avant « Prêt »")
        for sentence in answer.data.get("ready_missing") or []:
            screen.line(f"  • {sentence}")
    return 1 if failures else 0


def show_erasure(bench: Bench, delivery: Delivery, done, wipe) -> int:
    """Show each wiped drive in green or red with what to do; return how many failed."""
    screen = bench.screen
    screen.title("Résultat de l'effacement")
    if delivery.state == "sent":
        data = delivery.response.data or {}
        failures = 0
        for drive in data.get("drives") or []:
            name = " ".join(filter(None, [drive.get("device_path"), drive.get("serial")]))
            if drive.get("passing"):
                screen.ok(f"{name} : effacé et vérifié ({drive.get('method')})")
            else:
                failures += 1
                erased = drive.get("result") == "success"
                screen.fail(f"{name} : {'non vérifié' if erased else 'ÉCHEC de l’effacement'}",
                            UNVERIFIED_TODO if erased else FAILED_TODO)
        for drive in data.get("unmatched") or []:
            failures += 1
            screen.fail(f"{drive.get('device_path')} : ce disque n'est pas enregistré dans Reco pour cette machine",
                        "lancez « reco-agent » sans argument pour décrire la machine, puis relancez l'effacement.")
        return failures
    show_delivery(bench, delivery, "Journal d'effacement")
    failures = 0
    for disk in wipe:
        status = done.statuses.get(disk.path, "inconnu")
        if status == "Erased":
            screen.line(f"  {disk.label} : effacé selon nwipe (à confirmer par Reco)", GREEN)
        else:
            failures += 1
            screen.fail(f"{disk.label} : {status}", FAILED_TODO)
    return failures


def sync(bench: Bench) -> int:
    """Send everything waiting on the stick, in order, each exactly once."""
    screen = bench.screen
    screen.title("Reco — envoi de ce qui attend sur la clé")
    if not bench.spool.pending():
        screen.ok("Rien n'attend sur la clé.")
        return 0
    deliveries = bench.spool.flush(bench.client)
    for delivery in deliveries:
        show_delivery(bench, delivery, delivery.record.label or delivery.record.url_path)
    left = len(bench.spool.pending())
    refused = sum(d.state == "refused" for d in deliveries)
    screen.line(f"{sum(d.state == 'sent' for d in deliveries)} envoyé(s), {refused} refusé(s), {left} en attente.")
    return 0 if not left and not refused else 1


def parser() -> argparse.ArgumentParser:
    """The command line."""
    parse = argparse.ArgumentParser(
        prog="reco-agent", description="Poste du banc Reco : décrit la machine, efface ses disques, envoie à Reco.")
    parse.add_argument("command", nargs="?", default="report", choices=("report", "erase", "sync"),
                       help="report (par défaut) : décrire la machine ; erase : effacer ses disques ; "
                            "sync : envoyer ce qui attend sur la clé")
    parse.add_argument("--config", help="fichier de réglages (par défaut reco-agent.ini à côté du programme)")
    parse.add_argument("--tag", help="numéro d'inventaire de la machine (scanné), sans le demander")
    parse.add_argument("--yes-tag", dest="yes_tag", help="confirmation de l'effacement sans la demander (tests)")
    parse.add_argument("--only-loop", dest="only_loop", action="store_true",
                       help=f"mode test : n'effacer que des périphériques loop (aussi {drives.ONLY_LOOP_ENV}=1)")
    parse.add_argument("--device", action="append", help="limiter à ce disque (répétable)")
    parse.add_argument("--no-label", dest="no_label", action="store_true", help="ne pas imprimer l'étiquette")
    parse.add_argument("--version", action="version", version=f"reco-agent {VERSION}")
    return parse


def run(argv: list[str] | None = None, screen: Screen | None = None) -> tuple[int, Bench | None]:
    """Run the agent; return the exit status (0 all done, 1 something to fix, 2 cannot start) and the run."""
    args = parser().parse_args(argv)
    screen = screen or Screen()
    try:
        bench = Bench(load(args.config), screen, args)
    except ConfigError as error:
        screen.fail(str(error))
        return 2, None
    started = time.monotonic()
    try:
        status = {"report": report, "erase": erase, "sync": sync}[args.command](bench)
    except machine.ToolMissing as error:
        screen.fail(str(error))
        status = 2
    except KeyboardInterrupt:
        screen.fail("Interrompu.")
        status = 130
    bench.seconds = time.monotonic() - started
    return status, bench


def main(argv: list[str] | None = None) -> int:
    """The reco-agent command."""
    return run(argv)[0]
