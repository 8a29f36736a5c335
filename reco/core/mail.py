"""Emails sent only once the request's changes are committed, and only when an SMTP server is configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from reco.extensions import db


def queue_mail(to: str, subject: str, body: str) -> None:
    """Queue an email for after the commit; nothing happens without RECO_SMTP_HOST."""
    if not current_app.config.get("RECO_SMTP_HOST") or not to:
        return
    message = EmailMessage()
    message["From"] = current_app.config["RECO_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = " ".join(subject.split())[:200]  # a header holds one line
    message.set_content(body)
    if has_request_context():
        session = db.session()
        transaction = session.get_nested_transaction() or session.get_transaction()
        g.setdefault("outbox", []).append((transaction, message))
    else:
        _send([message])


def send_queued_mail() -> None:
    """Send the emails queued during this request (called after a successful commit)."""
    outbox = g.pop("outbox", None)
    if outbox:
        _send([message for _transaction, message in outbox])


def _within(transaction, rolled_back) -> bool:
    """Tell whether ``transaction`` is ``rolled_back`` or one begun inside it."""
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back_mail(session, rolled_back) -> None:
    """Drop the emails queued inside a transaction that was rolled back: what they told did not happen."""
    if has_request_context() and g.get("outbox"):
        g.outbox = [(t, message) for t, message in g.outbox if not _within(t, rolled_back)]


def _send(messages: list[EmailMessage]) -> None:
    """Deliver ``messages``; a mail server that fails is logged and never fails the request."""
    config = current_app.config
    try:
        with smtplib.SMTP(config["RECO_SMTP_HOST"], config["RECO_SMTP_PORT"], timeout=10) as smtp:
            if config["RECO_SMTP_USER"]:
                smtp.starttls()
                smtp.login(config["RECO_SMTP_USER"], config["RECO_SMTP_PASSWORD"])
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("sending %d email(s) failed", len(messages))
