"""Talking to Reco's API with urllib: bearer token, timeouts, JSON answers and errors told in French."""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field

TIMEOUT = 30


class Offline(Exception):
    """Reco could not be reached (network down, server stopped, timeout)."""


@dataclass
class Response:
    """An answer of Reco: status, headers and the JSON body (None when it is not JSON)."""

    status: int
    headers: dict = field(default_factory=dict)
    data: object = None

    @property
    def ok(self) -> bool:
        """Tell whether the request succeeded (2xx)."""
        return 200 <= self.status < 300

    def message(self) -> str:
        """Return what went wrong, in the words Reco gave (French for a French user), with its reasons."""
        data = self.data if isinstance(self.data, dict) else {}
        text = str(data.get("message") or "").strip() or DEFAULT_MESSAGES.get(self.status, "")
        problems = [str(p) for p in data.get("problems") or [] if str(p) not in text]
        return " ".join([text or f"Reco a répondu {self.status}."] + problems)


DEFAULT_MESSAGES = {
    401: "Le jeton du banc est refusé (révoqué ou mal copié) : créez-en un nouveau dans Reco, Mon compte.",
    403: "Le jeton du banc ne permet pas cette action.",
    404: "Reco ne connaît pas cette adresse ou cette machine.",
    413: "Le fichier est trop gros pour Reco.",
}


class Client:
    """Reco's API at ``url`` with a bench token; counts its round trips."""

    def __init__(self, url: str, token: str, timeout: float = TIMEOUT):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout
        self.round_trips = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        """Send one request and return Reco's answer, whatever its status; raise Offline when unreachable."""
        request = urllib.request.Request(self.url + path, data=body, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", "Accept-Language": "fr",
            **(headers or {})})
        self.round_trips += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return _response(error.code, error.headers, error.read())
        except (urllib.error.URLError, http.client.HTTPException, socket.timeout, ConnectionError, OSError) as error:
            raise Offline(f"Reco est injoignable ({getattr(error, 'reason', error)}).") from None

    def get(self, path: str) -> Response:
        """GET ``path``."""
        return self.request("GET", path)


def _response(status: int, headers, raw: bytes) -> Response:
    """Build a Response, reading the body as JSON when it is."""
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        data = None
    return Response(status, {k.lower(): v for k, v in (headers or {}).items()}, data)
