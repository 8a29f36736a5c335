"""The spool on the stick: every report is written there before it is sent, and leaves it once Reco has it.

A record is one JSON file (method, path, headers with its Idempotency-Key, body), named so that they sort in the
order they were made. A 2xx removes it; a refusal that sending again cannot fix (4xx) moves it to failed/ with
Reco's reason; no network, a timeout or a server error keeps it for `reco-agent sync`. Reco answers a request sent
again with the same key with its first answer, so a report whose answer was lost on the way is recorded once.
"""
from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .client import Client, Offline, Response

#: Statuses worth sending again later: a token to replace (401), timeout, too many requests; server errors too.
RETRYABLE = {401, 408, 425, 429}


@dataclass
class Record:
    """One request waiting in the spool."""

    path: Path
    method: str
    url_path: str
    headers: dict
    body: bytes
    label: str

    @property
    def key(self) -> str:
        """The request's Idempotency-Key."""
        return self.headers["Idempotency-Key"]


@dataclass
class Delivery:
    """What became of a record: sent (with Reco's answer), refused (moved to failed/) or kept for later."""

    record: Record
    response: Response | None
    state: str  # "sent", "refused" or "kept"
    reason: str = ""


class Spool:
    """The spool folder and its failed/ subfolder."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.failed_dir = self.directory / "failed"

    def add(self, method: str, url_path: str, body: bytes, content_type: str, label: str = "") -> Record:
        """Write a request to the spool, with a new Idempotency-Key, and return it; safe against a power cut."""
        self.directory.mkdir(parents=True, exist_ok=True)
        headers = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": content_type}
        name = f"{time.time_ns():020d}-{headers['Idempotency-Key']}.json"
        document = {"method": method, "path": url_path, "headers": headers, "label": label,
                    "body": base64.b64encode(body).decode("ascii")}
        temporary = self.directory / (name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / name)
        return self._read(self.directory / name)

    def pending(self) -> list[Record]:
        """Return the records waiting, oldest first."""
        if not self.directory.is_dir():
            return []
        return [self._read(path) for path in sorted(self.directory.glob("*.json"))]

    def failed(self) -> list[Path]:
        """Return the records Reco refused, with their reasons beside them."""
        return sorted(self.failed_dir.glob("*.json")) if self.failed_dir.is_dir() else []

    @staticmethod
    def _read(path: Path) -> Record:
        """Read one record."""
        document = json.loads(path.read_text(encoding="utf-8"))
        return Record(path, document["method"], document["path"], document["headers"],
                      base64.b64decode(document["body"]), document.get("label", ""))

    def deliver(self, client: Client, record: Record) -> Delivery:
        """Send one record; remove it when Reco has it, set it aside when refused, keep it otherwise."""
        try:
            response = client.request(record.method, record.url_path, record.body, record.headers)
        except Offline as error:
            return Delivery(record, None, "kept", str(error))
        if response.ok:
            record.path.unlink(missing_ok=True)
            return Delivery(record, response, "sent")
        if response.status in RETRYABLE or response.status >= 500:
            return Delivery(record, response, "kept", response.message())
        self.failed_dir.mkdir(parents=True, exist_ok=True)
        reason = response.message()
        (self.failed_dir / (record.path.stem + ".reason.txt")).write_text(
            f"{response.status} {reason}\n{json.dumps(response.data, ensure_ascii=False)}\n", encoding="utf-8")
        os.replace(record.path, self.failed_dir / record.path.name)
        return Delivery(record, response, "refused", reason)

    def flush(self, client: Client) -> list[Delivery]:
        """Send every waiting record in order, stopping at the first one that must wait (order matters: a log
        is matched to the drives the reports before it described)."""
        deliveries = []
        for record in self.pending():
            delivery = self.deliver(client, record)
            deliveries.append(delivery)
            if delivery.state == "kept":
                break
        return deliveries
