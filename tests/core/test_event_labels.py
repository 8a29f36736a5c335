"""Every event recorded anywhere in the code has a name in the timeline, and its usual details have one too."""
from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
import pytest

from reco.config import PROJECT_ROOT
from reco.core.vocabulary import DETAIL_LABELS, EVENT_LABELS

PACKAGE = PROJECT_ROOT / "reco"


class Unresolved(Exception):
    """An action (or detail) whose value the reading of the code cannot tell."""


@dataclass
class Module:
    """One module of the package: its name, tree and parents map; imported only to evaluate a name in it."""

    name: str
    tree: ast.Module
    parents: dict

    def where(self, node) -> str:
        return f"{self.name}:{node.lineno}"

    def imported(self):
        return importlib.import_module(self.name)

    def function_of(self, node):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def calls_to(self, function: ast.FunctionDef):
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.Call) and _name(n.func) == function.name]


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _modules() -> list[Module]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules.append(Module(name, tree, parents))
    return modules


def _argument(call: ast.Call, position: int, keyword: str):
    """Return the node passed to ``call`` at ``position`` or as ``keyword``, or None."""
    if any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        raise Unresolved(ast.unparse(call))
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _assigned(function, target: str) -> list:
    """Return the values assigned to ``target`` (a name or an attribute, as written) inside ``function``."""
    return [node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
            for t in node.targets if ast.unparse(t) == target]


def _values(node, module: Module) -> set:
    """Return every value ``node`` can take, following conditionals, assignments, constants and helpers' callers."""
    function = module.function_of(node)
    if isinstance(node, ast.Constant):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, module) | _values(node.orelse, module)
    written = ast.unparse(node)
    if function is not None and isinstance(node, ast.Name | ast.Attribute) and _assigned(function, written):
        return set().union(*(_values(value, module) for value in _assigned(function, written)))
    if isinstance(node, ast.Name):
        parameters = [a.arg for a in function.args.posonlyargs + function.args.args] if function else []
        keywords = [a.arg for a in function.args.kwonlyargs] if function else []
        if node.id in parameters or node.id in keywords:
            position = parameters.index(node.id) if node.id in parameters else 10 ** 6
            callers = module.calls_to(function)
            if not callers:
                raise Unresolved(f"{written} (no caller of {function.name} in the module) at {module.where(node)}")
            values = set()
            for call in callers:
                argument = _argument(call, position, node.id)
                if argument is None:
                    raise Unresolved(f"{ast.unparse(call)} at {module.where(call)}")
                values |= _values(argument, module)
            return values
        if node.id in _top_level_names(module):
            return {getattr(module.imported(), node.id)}
    if isinstance(node, ast.Attribute):
        return {getattr(value, node.attr) for value in _values(node.value, module)}
    raise Unresolved(f"{written} at {module.where(node)}")


def _top_level_names(module: Module) -> set[str]:
    """Return the names a module defines or imports at its top level (constants, enums, their aliases)."""
    names = set()
    for node in module.tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            names |= {t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                      if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


LIFECYCLE = "reco.core.lifecycle"  #: records the event of every move of a ``Lifecycle``, read below from its instances
#: Arguments of ``Lifecycle.apply`` that are not details of the event.
APPLY_ARGUMENTS = {"by", "given", "by_service"}


def _event_calls(modules):
    for module in modules:
        if module.name == LIFECYCLE:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _name(node.func) == "record_event":
                yield module, node


def _lifecycles(modules):
    """Yield each module that declares a ``Lifecycle`` at its top level, with the lifecycle."""
    for module in modules:
        for node in module.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call) \
                    and _name(node.value.func) == "Lifecycle":
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                yield module, node, getattr(module.imported(), target.id)


def _lifecycle_details(modules) -> set[str]:
    """Return the details every ``apply`` of a lifecycle writes: from and to, and the callers' named details."""
    return {"from", "to"} | {k.arg for module in modules for node in ast.walk(module.tree)
                             if isinstance(node, ast.Call) and _name(node.func) == "apply"
                             for k in node.keywords if k.arg and k.arg not in APPLY_ARGUMENTS}


def _own_labels(module: Module) -> set[str]:
    """Return the actions a feature names itself for its events (tables named ``*EVENT_LABELS`` in the module)."""
    return {key.value for node in module.tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id.endswith("EVENT_LABELS") for t in node.targets)
            for key in node.value.keys if isinstance(key, ast.Constant)}


def recorded_actions() -> dict[str, list[tuple[str, dict]]]:
    """Return each action the code records, with where and the labels the feature adds to EVENT_LABELS."""
    found: dict[str, list] = {}
    modules = _modules()
    for module, call in _event_calls(modules):
        action = _argument(call, 2, "action")
        for value in _values(action, module):
            found.setdefault(value, []).append((module.where(call), _own_labels(module)))
    for module, node, lifecycle in _lifecycles(modules):
        for value in {lifecycle.event_action} if lifecycle.event_action else {m.name for m in lifecycle.moves}:
            found.setdefault(value, []).append((module.where(node), _own_labels(module)))
    return found


def _detail_keys(call: ast.Call, module: Module) -> set[str]:
    """Return the names of the details an event call writes, following ``**details`` to a helper's callers."""
    keys = {k.arg for k in call.keywords if k.arg}
    for keyword in (k for k in call.keywords if k.arg is None):
        if isinstance(keyword.value, ast.Dict):
            keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
        function = module.function_of(call)
        if isinstance(keyword.value, ast.Name) and function and function.args.kwarg \
                and keyword.value.id == function.args.kwarg.arg:
            named = {a.arg for a in function.args.args + function.args.kwonlyargs}
            for caller in module.calls_to(function):
                keys |= _detail_keys(caller, module) - named
    return keys


def test_the_reading_of_the_code_finds_actions_passed_through_helpers_and_constants():
    actions = recorded_actions()
    # literals, conditional expressions, a helper's parameter (visits, parts bank), an enum member's value
    for action in ("transition", "moved", "corrected", "deactivated", "scheduled", "rescheduled", "handed_over",
                   "shipped", "declined", "cancelled", "requested"):
        assert action in actions, action
    assert all(isinstance(action, str) for action in actions)


def test_an_action_the_reading_cannot_tell_is_reported():
    tree = ast.parse("def f(obj, by, action=None):\n    record_event(by, obj, action)\n")
    module = Module("x", tree, {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)})
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    with pytest.raises(Unresolved):
        _values(_argument(call, 2, "action"), module)


def test_every_recorded_action_has_a_label_in_the_timeline():
    missing = sorted(f"{action} ({where})" for action, places in recorded_actions().items()
                     for where, own in places if action not in EVENT_LABELS and action not in own)
    assert not missing, f"add these actions to EVENT_LABELS in reco/core/vocabulary.py: {missing}"


def test_every_detail_an_event_writes_has_a_label():
    missing = set()
    modules = _modules()
    for module, call in _event_calls(modules):
        missing |= {f"{key} ({module.where(call)})" for key in _detail_keys(call, module) if key not in DETAIL_LABELS}
    missing |= {f"{key} (a lifecycle's apply)" for key in _lifecycle_details(modules) if key not in DETAIL_LABELS}
    assert not missing, f"add these detail names to DETAIL_LABELS in reco/core/vocabulary.py: {sorted(missing)}"


def test_the_statuses_a_lifecycle_writes_in_its_events_have_names():
    """A lifecycle whose events are named after its moves shows from/to as details: their values need names."""
    from reco.core.vocabulary import DETAIL_VALUE_LABELS

    named = [set(labels) for key, labels in DETAIL_VALUE_LABELS.items() if key.endswith("from")]
    unnamed = [module.where(node) for module, node, lifecycle in _lifecycles(_modules()) if not lifecycle.event_action
               and not any({m.target for m in lifecycle.moves} | set().union(*(m.sources for m in lifecycle.moves))
                           <= labels for labels in named)]
    assert not unnamed, f"give the statuses of these lifecycles names in DETAIL_VALUE_LABELS: {unnamed}"
