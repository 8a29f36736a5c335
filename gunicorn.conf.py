"""Settings gunicorn reads when started from the project's folder; the command line may override them."""
import os

workers = int(os.environ.get("RECO_WORKERS", "2"))
# A sync worker streaming the CSV export of a whole network (a million devices) answers for minutes:
# it must not be taken for a stuck one and killed after gunicorn's default 30 seconds.
timeout = int(os.environ.get("RECO_WORKER_TIMEOUT", "600"))
