"""Where the time of a request goes: each case of the network benchmark profiled in-process, with its SQL statements.

For each case, the statements one request sends (authentication included, counted on the database connection) and
the functions that took the most time over REQUESTS requests (cProfile), on the benchmark's generated network.
Usage: python -m bench.profile [case ...]   (cases: reference, logged_in, layout, api, page, devices, waiting,
       prescriber, intake)
  RECO_BENCH_NETWORK_URL  the database (default postgresql://postgres@127.0.0.1:5432/reco_bench)
  RECO_BENCH_REQUESTS     requests profiled per case (default 200)
"""
from __future__ import annotations

import cProfile
import io
import pstats
import sys

from bench.cases import REQUESTS, cases, setup_cases, statements
from bench.reference import add_reference_routes
from bench.network import URL
from reco import create_app
from reco.config import database_url

SHOWN = 14  #: functions listed per case


def main(names: list[str]) -> None:
    """Profile every case named (all by default) and print its statements and top functions."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(URL), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    add_reference_routes(app)
    setup = setup_cases(app)
    for name, request in cases(app, setup).items():
        if names and name not in names:
            continue
        request(0)  # warm up: templates compiled, connections open
        with statements(app) as sent:
            answer = request(1)
        assert answer.status_code == 200, (name, answer.status_code)
        profile = cProfile.Profile()
        profile.enable()
        for n in range(2, REQUESTS + 2):
            request(n)
        profile.disable()
        print(f"\n== {name}: {len(sent)} SQL statements per request")
        for statement in sent:
            print(f"   {statement}")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats("tottime").print_stats(SHOWN)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main(sys.argv[1:])
