"""No template decides from an object's status: pages show the moves and properties their lifecycle gives them."""
from jinja2 import nodes

from reco.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
STATUS_NAMES = {"status", "state"}


def _reads_a_status(node) -> bool:
    """Tell whether ``node`` reads an object's status or state (``x.status``, ``x.state.value``...)."""
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr) and node.attr in STATUS_NAMES:
            return True
        node = node.node
    return False


def _status_comparisons(app, path) -> list[str]:
    tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
    found = []
    for compare in tree.find_all(nodes.Compare):
        if _reads_a_status(compare.expr) or any(_reads_a_status(op.expr) for op in compare.ops):
            found.append(f"{path.name}:{compare.lineno}")
    for test in tree.find_all(nodes.Test):  # {% if x.status is sameas ... %}
        if _reads_a_status(test.node):
            found.append(f"{path.name}:{test.lineno}")
    for assign in tree.find_all(nodes.Assign):  # {% set s = x.status %}, compared later under another name
        if _reads_a_status(assign.node):
            found.append(f"{path.name}:{assign.lineno}")
    for chosen in tree.find_all(nodes.Filter):  # rows|selectattr("status", "equalto", ...)
        if chosen.name in ("selectattr", "rejectattr") and chosen.args and isinstance(chosen.args[0], nodes.Const) \
                and chosen.args[0].value in STATUS_NAMES:
            found.append(f"{path.name}:{chosen.lineno}")
    return found


def test_no_template_compares_a_status(app):
    found = [place for path in sorted(TEMPLATES.rglob("*.html")) for place in _status_comparisons(app, path)]
    assert not found, f"templates comparing a status (use the lifecycle's offered moves or a property): {found}"


def test_the_check_finds_a_comparison(app, tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% if device.state.value == "ready" %}x{% endif %}{% if p.status in closed %}y{% endif %}'
                    '{% set s = p.status %}{{ rows|selectattr("state", "equalto", "ready")|list }}')
    assert len(_status_comparisons(app, page)) == 4
