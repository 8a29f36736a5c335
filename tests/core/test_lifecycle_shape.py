"""The shared lifecycle: moves outside the table, service-only moves and guards refuse with every reason."""
import enum
from types import SimpleNamespace

import pytest

from reco.core.errors import DomainError
from reco.core.lifecycle import Lifecycle, Move


class Light(enum.Enum):
    OFF = "off"
    ON = "on"
    BROKEN = "broken"


def _needs_bulb(obj, given):
    """Refuse without a bulb; say what the form must hold only when it is given."""
    problems = [] if obj.bulb else ["No bulb."]
    if given is not None and not given.get("hand"):
        problems.append("Say whose hand.")
    return problems


LIGHT = Lifecycle(
    attribute="status",
    moves=(
        Move("switch_on", frozenset({Light.OFF}), Light.ON, guards=(_needs_bulb,)),
        Move("switch_off", frozenset({Light.ON}), Light.OFF),
        Move("break", frozenset({Light.OFF, Light.ON}), Light.BROKEN, made_elsewhere="Only a storm breaks it."),
    ),
    status_labels={Light.OFF: "off", Light.ON: "on", Light.BROKEN: "broken"},
    refusal="A light cannot go from « %(from)s » to « %(to)s ».",
    final="The light is « %(status)s »: that is final.",
)


def test_a_move_outside_the_table_is_refused_with_both_statuses(app):
    with app.test_request_context():
        assert LIGHT.problems(SimpleNamespace(status=Light.ON, bulb=True), "switch_on") == [
            "A light cannot go from « on » to « on »."]
        assert LIGHT.problems(SimpleNamespace(status=Light.BROKEN, bulb=True), "switch_on") == [
            "The light is « broken »: that is final."]


def test_every_guard_reason_is_given_and_a_page_checks_the_object_alone(app):
    light = SimpleNamespace(status=Light.OFF, bulb=False)
    with app.test_request_context():
        assert LIGHT.problems(light, "switch_on") == ["No bulb."]
        assert LIGHT.problems(light, "switch_on", {}) == ["No bulb.", "Say whose hand."]


def test_a_service_only_move_is_refused_directly_and_never_offered(app):
    light = SimpleNamespace(status=Light.OFF, bulb=True)
    with app.test_request_context():
        assert LIGHT.problems(light, "break") == ["Only a storm breaks it."]
        assert LIGHT.problems(light, "break", by_service=True) == []
        assert [move.name for move, _ in LIGHT.offered(light, user=None)] == ["switch_on"]


def test_a_refused_move_changes_nothing(app):
    light = SimpleNamespace(status=Light.OFF, bulb=False)
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        LIGHT.apply(light, "switch_on", by=None, given={"hand": "left"})
    assert refused.value.details["problems"] == ["No bulb."]
    assert light.status is Light.OFF


def test_a_text_for_a_status_then_for_a_move_says_more_than_the_table(app):
    lamp = Lifecycle(attribute="status", moves=LIGHT.moves, status_labels=LIGHT.status_labels, refusal=LIGHT.refusal,
                     final={Light.BROKEN: "It is broken."}, out_of_turn={"switch_off": "Only a light on goes off."})
    with app.test_request_context():
        assert lamp.problems(SimpleNamespace(status=Light.BROKEN, bulb=True), "switch_off") == ["It is broken."]
        assert lamp.problems(SimpleNamespace(status=Light.OFF, bulb=True), "switch_off") == [
            "Only a light on goes off."]
        assert lamp.offered_by_name(SimpleNamespace(status=Light.OFF, bulb=False), None) == {"switch_on": ["No bulb."]}
