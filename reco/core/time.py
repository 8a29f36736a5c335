"""Time helpers: every stored timestamp is timezone-aware UTC."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime, TypeDecorator


#: The time zone of a network that sets none.
DEFAULT_ZONE = "Europe/Paris"


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(timezone.utc)


def local_zone() -> ZoneInfo:
    """Return the network's time zone (RECO_TIMEZONE), in which days are counted; Paris outside the application."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context()
                    else DEFAULT_ZONE)


def local_date(moment: datetime) -> date:
    """Return the calendar day of a moment in the network's time zone."""
    return moment.astimezone(local_zone()).date()


def local_today() -> date:
    """Return today's date in the network's time zone."""
    return local_date(utcnow())


def local_day_start(day: date) -> datetime:
    """Return the moment (UTC) a calendar day of the network's time zone begins."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is expected")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        """Attach UTC to what SQLite returns without a zone."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value
