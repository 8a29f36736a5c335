"""The application as gunicorn serves it, plus the reference routes the network benchmark compares against."""
from flask import abort, jsonify
from sqlalchemy import select

from reco.extensions import db
from reco.inventory.models import Device
from wsgi import app


@app.route("/bench/baseline")
def baseline():
    """Answer a fixed JSON body: the cost of the server, Flask and the application's hooks, without the work."""
    return jsonify(tag="GNA-000001", type="laptop", state="ready", workshop="Atelier généré 1")


@app.route("/bench/one-query/<tag>")
def one_query(tag: str):
    """Answer one device row read by its tag in one statement, with no login: the most any database route can do."""
    row = db.session.execute(select(Device.tag, Device.type, Device.state, Device.workshop_id)
                             .where(Device.tag == tag)).one_or_none()
    if row is None:
        abort(404)
    return jsonify(tag=row.tag, type=row.type.value, state=row.state.value, workshop_id=row.workshop_id)
