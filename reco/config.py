"""Settings read from RECO_* environment variables."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from reco.core.time import DEFAULT_ZONE

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The application cannot start with the configuration it was given."""


def database_url(url: str) -> str:
    """Return a SQLAlchemy URL, choosing psycopg 3 for plain PostgreSQL URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret(instance_path: Path) -> str:
    """Return the development secret key kept in the instance folder, creating it once.

    Written aside then linked in place: workers starting together all end up with the first key written, whole.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        with tempfile.NamedTemporaryFile("w", dir=instance_path, prefix=".secret-") as draft:
            draft.write(secrets.token_hex(32))
            draft.flush()
            try:
                os.link(draft.name, key_file)
            except FileExistsError:
                pass
    return key_file.read_text().strip()


def ensure_instance_folder(instance_path: Path) -> None:
    """Create the instance folder and check that it is writable."""
    try:
        instance_path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=instance_path, prefix=".write-test-") as probe:
            probe.write(b"ok")  # a name of its own: workers starting together do not remove each other's
            probe.flush()
    except OSError as exc:
        raise ConfigurationError(
            f"Le dossier d'instance {instance_path} n'est pas accessible en écriture ({exc.strerror}). "
            f"/ The instance folder {instance_path} is not writable."
        ) from exc


def _whole_number(env, name: str, default: str) -> int:
    """Return a whole-number setting, or refuse to start with a clear message."""
    value = env.get(name, default)
    if not value.isdigit():
        raise ConfigurationError(f"{name} doit être un nombre entier, pas « {value} ». "
                                 f"/ {name} must be a whole number.")
    return int(value)


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from the environment."""
    env = os.environ if environ is None else environ
    reco_env = env.get("RECO_ENV", "development")
    if reco_env not in ("development", "production"):
        raise ConfigurationError(
            f"RECO_ENV doit valoir « development » ou « production », pas « {reco_env} ». "
            f"/ RECO_ENV must be development or production."
        )
    production = reco_env == "production"
    secret = env.get("RECO_SECRET_KEY", "")
    if production and len(secret) < 32:
        raise ConfigurationError(
            "RECO_SECRET_KEY est obligatoire en production (au moins 32 caractères aléatoires). "
            "/ RECO_SECRET_KEY is required in production (at least 32 random characters)."
        )
    if production and not env.get("RECO_BASE_URL", "").startswith(("https://", "http://")):
        raise ConfigurationError(
            "RECO_BASE_URL est obligatoire en production (adresse publique du site, imprimée sur les documents "
            "et les étiquettes). / RECO_BASE_URL is required in production (the site's public address).")
    if not secret:
        secret = _development_secret(instance_path)
    default_db = f"sqlite:///{instance_path / 'reco.sqlite3'}"
    signing_key, signing_cert = env.get("RECO_SIGNING_KEY", ""), env.get("RECO_SIGNING_CERT", "")
    if bool(signing_key) != bool(signing_cert):
        raise ConfigurationError(
            "RECO_SIGNING_KEY et RECO_SIGNING_CERT vont ensemble (fichiers PEM de la clé et du certificat). "
            "/ RECO_SIGNING_KEY and RECO_SIGNING_CERT go together (PEM files of the key and the certificate).")
    return {
        "RECO_ENV": reco_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("RECO_DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": _whole_number(env, "RECO_MAX_UPLOAD_MB", "20") * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": env.get("RECO_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RECO_LOGIN_LIMIT": env.get("RECO_LOGIN_LIMIT", "10 per 10 minutes"),
        "RECO_LOGIN_ADDRESS_LIMIT": env.get("RECO_LOGIN_ADDRESS_LIMIT", "50 per 10 minutes"),
        "RECO_BASE_URL": env.get("RECO_BASE_URL", "http://127.0.0.1:5000"),
        "RECO_PROXY_COUNT": _whole_number(env, "RECO_PROXY_COUNT", "0"),
        #: Strict-Transport-Security max-age in seconds, sent in production and on any HTTPS request; 0: never.
        "RECO_HSTS_SECONDS": _whole_number(env, "RECO_HSTS_SECONDS", "31536000" if production else "0"),
        "RECO_RETENTION_MONTHS": _whole_number(env, "RECO_RETENTION_MONTHS", "24"),
        "RECO_SMTP_HOST": env.get("RECO_SMTP_HOST", ""),
        "RECO_SMTP_PORT": _whole_number(env, "RECO_SMTP_PORT", "587"),
        "RECO_SMTP_USER": env.get("RECO_SMTP_USER", ""),
        "RECO_SMTP_PASSWORD": env.get("RECO_SMTP_PASSWORD", ""),
        "RECO_MAIL_FROM": env.get("RECO_MAIL_FROM", "reco@localhost"),
        "RECO_SIGNING_KEY": signing_key or str(instance_path / "signing" / "key.pem"),
        "RECO_SIGNING_CERT": signing_cert or str(instance_path / "signing" / "cert.pem"),
        "RECO_SIGNING_KEY_PASSWORD": env.get("RECO_SIGNING_KEY_PASSWORD", ""),
        #: no key configured: Reco creates its own key and self-signed certificate in the instance folder
        "RECO_SIGNING_GENERATE": not signing_key,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": env.get("RECO_TIMEZONE", DEFAULT_ZONE),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "reco" / "translations"),
        "WTF_CSRF_TIME_LIMIT": None,
    }
