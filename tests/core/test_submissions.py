"""The key of a form is recorded once, even by two requests at the same moment."""
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from reco.core.submissions import AlreadySubmitted, Submission, claim_submission
from reco.extensions import db
from tests.factories import make_structure, make_user


@pytest.mark.committed
def test_two_sendings_of_one_key_at_the_same_moment_record_it_once(app):
    with app.app_context():
        structure = make_structure("workshop")
        user_id, structure_id = make_user(structure=structure).id, structure.id
        db.session.commit()
    barrier, results = threading.Barrier(2), []

    def send():
        with app.app_context():
            # Nothing read before: on SQLite a transaction holds the write lock from its start.
            user, structure = SimpleNamespace(id=user_id), SimpleNamespace(audit_type="structure", id=structure_id)
            barrier.wait(timeout=30)
            try:
                claim_submission("z" * 32, by=user, action="structure.test", obj=structure)
                time.sleep(0.3)  # the first one's transaction is still open when the other one inserts
                db.session.commit()
                results.append("recorded")
            except AlreadySubmitted as error:
                db.session.rollback()
                results.append(f"already {error.submission.id is not None}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["already True", "recorded"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 1


def test_without_a_key_nothing_is_recorded(ctx):
    structure = make_structure("workshop")
    assert claim_submission("", by=make_user(structure=structure), action="structure.test", obj=structure) is None
    assert db.session.scalar(select(func.count(Submission.id))) == 0
