"""The agent's settings: an INI file on the stick ([reco] url, token; [erase] method, verify, rounds)."""
from __future__ import annotations

import configparser
import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: nwipe's methods (nwipe --help) a workshop may choose.
METHODS = ("zero", "one", "prng", "random", "stream", "dodshort", "dod3pass", "dod522022m", "dod", "gutmann", "ops2")
VERIFY = ("last", "all", "off")
#: Where the file is looked for when --config is not given: beside the program, then on the live system's medium.
FILE_NAME = "reco-agent.ini"


class ConfigError(Exception):
    """The settings file is missing or wrong: the message says what to fix, in French."""


@dataclass
class Config:
    """What the agent needs: Reco's address, the bench token, the erase policy and where to spool."""

    url: str
    token: str
    method: str = "zero"
    verify: str = "last"
    rounds: int = 1
    path: Path | None = None

    @property
    def spool_dir(self) -> Path:
        """The spool folder, beside the settings file (on the stick)."""
        return (self.path.parent if self.path else Path.cwd()) / "reco-spool"


def candidates() -> list[Path]:
    """Return the places a settings file is looked for, in order."""
    places = []
    if os.environ.get("RECO_AGENT_CONFIG"):
        places.append(Path(os.environ["RECO_AGENT_CONFIG"]))
    program = Path(os.path.abspath(sys.argv[0]))
    places += [program.parent / FILE_NAME, Path("/media/reco-banc") / FILE_NAME, Path("/run/live/medium") / FILE_NAME,
               Path("/lib/live/mount/medium") / FILE_NAME, Path.cwd() / FILE_NAME]
    return places


def load(path: str | Path | None = None) -> Config:
    """Read the settings file, checking every value."""
    if path is None:
        path = next((p for p in candidates() if p.is_file()), None)
        if path is None:
            raise ConfigError("Fichier de réglages introuvable (reco-agent.ini) : copiez-le sur la clé à côté de "
                              "reco-agent.pyz, ou donnez son chemin avec --config.")
    path = Path(path)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise ConfigError(f"Impossible de lire {path} : {error}") from None
    url = parser.get("reco", "url", fallback="").strip().rstrip("/")
    token = parser.get("reco", "token", fallback="").strip()
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{path} : [reco] url doit être l'adresse de Reco, par exemple https://reco.example.org")
    if not token:
        raise ConfigError(f"{path} : [reco] token manque. Créez un jeton « banc » dans Reco, Mon compte, "
                          "et collez-le ici.")
    method = parser.get("erase", "method", fallback="zero").strip().lower()
    verify = parser.get("erase", "verify", fallback="last").strip().lower()
    rounds = parser.get("erase", "rounds", fallback="1").strip()
    if method not in METHODS:
        raise ConfigError(f"{path} : [erase] method doit être l'une de {', '.join(METHODS)}.")
    if verify not in VERIFY:
        raise ConfigError(f"{path} : [erase] verify doit valoir last, all ou off.")
    if not rounds.isdecimal() or not 1 <= int(rounds) <= 100:
        raise ConfigError(f"{path} : [erase] rounds est un nombre de passes, de 1 à 100.")
    return Config(url=url, token=token, method=method, verify=verify, rounds=int(rounds), path=path)
