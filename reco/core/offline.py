"""The service worker that keeps the visit pages a mediator opened, for a phone that loses the network."""
from pathlib import Path

from flask import Response, current_app

from reco.core import bp


@bp.route("/sw.js")
def service_worker():
    """Serve the service worker from the root, so that it answers for /visits/ too; public, like static files."""
    script = (Path(current_app.static_folder) / "sw.js").read_text(encoding="utf-8")
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})
