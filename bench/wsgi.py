"""The application as gunicorn serves it, plus the baseline route the network benchmark compares against."""
from flask import jsonify

from wsgi import app


@app.route("/bench/baseline")
def baseline():
    """Answer a fixed JSON body: the cost of the server, Flask and the application's hooks, without the work."""
    return jsonify(tag="GNA-000001", type="laptop", state="ready", workshop="Atelier généré 1")
