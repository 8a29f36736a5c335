"""The routes the benchmark measures Reco's against: the ceiling of a database route and a logged-in page's floor."""
from flask import Flask, abort, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from reco.extensions import db
from reco.inventory.models import Device

#: A page with the layout around nothing: what every page of Reco renders before its own content.
_EMPTY_PAGE = '{% extends "base.html" %}{% block title %}Reco{% endblock %}{% block content %}{% endblock %}'


def add_reference_routes(app: Flask) -> None:
    """Add to ``app`` the routes the benchmark measures Reco's against: the ceiling and a logged-in page's floor."""
    empty_page = app.jinja_env.from_string(_EMPTY_PAGE)  # compiled once, as a template file is

    @app.route("/bench/baseline")
    def baseline():
        """Answer a fixed JSON body: the cost of the server, Flask and the application's hooks, without the work."""
        return jsonify(tag="GNA-000001", type="laptop", state="ready", workshop="Atelier généré 1")

    @app.route("/bench/one-query/<tag>")
    def one_query(tag: str):
        """Answer one device row read by its tag in one statement, with no login: the most any database route can
        do."""
        row = db.session.execute(select(Device.tag, Device.type, Device.state, Device.workshop_id)
                                 .where(Device.tag == tag)).one_or_none()
        if row is None:
            abort(404)
        return jsonify(tag=row.tag, type=row.type.value, state=row.state.value, workshop_id=row.workshop_id)

    @app.route("/bench/logged-in")
    @login_required
    def logged_in():
        """Answer who is logged in: what a page's login costs (session cookie, user read) without the page."""
        return jsonify(user=current_user.id, structure=current_user.structure_id)

    @app.route("/bench/layout")
    @login_required
    def layout():
        """Render the layout around an empty page for the logged-in user: the least any page of Reco costs."""
        return render_template(empty_page)
