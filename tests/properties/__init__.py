"""Property-based tests: whatever bytes a parser is given, it answers or refuses cleanly, and writes nothing half-way.

Every test here takes the ``reco-properties`` profile through ``examples(n)``: repeatable runs (derandomize),
no deadline, no example database, and a number of examples per test that keeps the folder near 30 seconds on
SQLite. The profile is applied to these tests only, so that loading this folder never changes the settings of
other Hypothesis tests of the suite. Function-scoped fixtures are allowed: the autouse ``database`` fixture is one,
and each example builds what it needs, so nothing carries over from one example to the next.
"""
from __future__ import annotations

from flask_babel import force_locale
from hypothesis import HealthCheck, settings

settings.register_profile("reco-properties", derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile("reco-properties")


def examples(count: int) -> settings:
    """Return the folder's profile trying ``count`` examples."""
    return settings(PROFILE, max_examples=count)


def assert_translated_refusal(app, error: Exception) -> str:
    """Check that a refusal has a message in French, translated from English; return the French one."""
    with app.app_context(), force_locale("fr"):
        french = str(error)
    with app.app_context(), force_locale("en"):
        english = str(error)
    assert french.strip() and english.strip()
    assert french != english, f"untranslated refusal: {english!r}"
    return french
