"""An email queued in a change that is rolled back is never sent; the others are, once committed."""
import smtplib

import pytest

from reco.core.mail import queue_mail, send_queued_mail
from reco.extensions import db


@pytest.fixture
def sent(app, monkeypatch):
    """Collect the subjects of the emails handed to the SMTP server."""
    subjects = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            subjects.append(message["Subject"])

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "RECO_SMTP_HOST", "smtp.example.org")
    return subjects


def test_an_email_queued_in_a_rolled_back_savepoint_is_dropped_the_others_kept(app, ctx, sent):
    with app.test_request_context():
        db.session.begin()
        queue_mail("a@example.org", "before", "kept")
        savepoint = db.session.begin_nested()
        queue_mail("b@example.org", "inside", "dropped")
        savepoint.rollback()
        queue_mail("c@example.org", "after", "kept")
        send_queued_mail()
    assert sent == ["before", "after"]


def test_a_request_whose_change_is_rolled_back_sends_nothing(app, ctx, sent):
    with app.test_request_context():
        db.session.begin()
        queue_mail("a@example.org", "refused", "dropped")
        db.session.rollback()
        send_queued_mail()
    assert sent == []
