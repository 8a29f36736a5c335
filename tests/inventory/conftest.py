"""Fixtures of the workbench tests."""
import pytest

from tests.factories import make_user


@pytest.fixture
def english(app):
    """Messages in English, whatever the French catalogue says."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def technician(ctx):
    """A technician of a new workshop."""
    return make_user("technician")
