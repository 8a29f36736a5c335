"""Benchmark: import of a donor inventory through the API, beside a baseline in the same run.

Baseline: reading the same CSV with the standard csv module. Measured: POST of the file to
/api/v1/donations/{id}/declared-items (parse, check, insert, commit), end to end.
Usage: python -m bench.inventory_import [LINES]
(RECO_BENCH_DATABASE_URL: a database it may empty; default a new SQLite file).
"""
from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time

from flask_migrate import upgrade
from sqlalchemy import text

from reco import create_app
from reco.config import database_url
from reco.extensions import db


def _inventory(lines: int) -> bytes:
    """Return a realistic French inventory of ``lines`` devices."""
    rows = ["N° de série;Marque;Modèle;Type;N° d'inventaire;Date d'achat"]
    rows += [f"SN{n:07d};Dell;Latitude E{5000 + n % 900};portable;INV-{n:07d};{1 + n % 28:02d}/03/2019"
             for n in range(lines)]
    return ("\n".join(rows) + "\n").encode("cp1252")


def _best(runs, action) -> float:
    """Return the best wall time of ``runs`` calls of ``action``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(lines: int = 5000) -> None:
    """Print lines per second of the baseline and of Reco's import, and their ratio."""
    folder = tempfile.mkdtemp()
    url = os.environ.get("RECO_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "RATELIMIT_ENABLED": False})
    data = _inventory(lines)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        from tests.factories import make_donation, make_donor, make_structure, make_token, make_user

        workshop = make_structure("workshop", tag_prefix="BEN")
        token = make_token(make_user("supervisor", structure=workshop))
        donations = [make_donation(make_donor(workshop)).id for _ in range(3)]
    client = app.test_client()
    pending = iter(donations)

    def reco_import():
        response = client.post(f"/api/v1/donations/{next(pending)}/declared-items", data=data,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
        assert response.status_code == 201, response.get_json()

    baseline = _best(3, lambda: list(csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";")))
    measured = _best(3, reco_import)
    print(f"{'case':<40}{'seconds':>10}{'lines/s':>12}")
    print(f"{'baseline: csv.reader only':<40}{baseline:>10.4f}{lines / baseline:>12.0f}")
    print(f"{'reco: API import, end to end':<40}{measured:>10.4f}{lines / measured:>12.0f}")
    print(f"ratio reco/baseline time: {measured / baseline:.1f}x on {url.split(':')[0]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
