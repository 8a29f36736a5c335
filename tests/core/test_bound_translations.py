"""Templates translate through callables bound once per render, which behave as flask-babel's own."""
from flask import render_template_string
from flask_babel import force_locale

PAGE = ('{{ _("Notices") }}|{{ ngettext("%(num)d unread", "%(num)d unread", n) }}|'
        '{{ _("%(key)s: %(value)s", key=name, value="1") }}')


def test_texts_plurals_and_escaped_variables_in_french(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(PAGE, n=3, name="<b>") == "Notifications|3 non lues|&lt;b&gt;\u00a0: 1"


def test_texts_plurals_and_escaped_variables_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(PAGE, n=1, name="<b>") == "Notices|1 unread|&lt;b&gt;: 1"


def test_a_render_in_another_language_is_translated_in_that_language(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}), force_locale("en"):
        assert render_template_string(PAGE, n=2, name="x") == "Notices|2 unread|x: 1"


def test_an_imported_macro_without_the_context_still_translates(app):
    macro = '{% macro m() %}{{ _("Notices") }}{% endmacro %}'
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        template = app.jinja_env.from_string(macro)
        assert str(template.module.m()) == "Notifications"


def test_a_text_may_name_its_variables_num_and_string(app):
    page = ('{{ ngettext("%(num)d unread", "%(num)d unread", 2, num=5) }}|'
            '{{ _("%(key)s: %(value)s", key="string", value="x", string="unused") }}')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "5 unread|string: x"


def test_a_render_looks_the_translations_up_once_however_many_texts_it_shows(app, monkeypatch):
    import flask_babel

    import reco.core.i18n

    lookups = []
    real = flask_babel.get_translations

    def counted():
        lookups.append(1)
        return real()

    monkeypatch.setattr(flask_babel, "get_translations", counted)  # what flask-babel's own callables call per text
    monkeypatch.setattr(reco.core.i18n, "get_translations", counted)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        page = render_template_string('{% for n in range(10) %}{{ _("Notices") }}{% endfor %}')
    assert page == "Notifications" * 10 and len(lookups) == 1
