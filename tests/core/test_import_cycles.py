"""Reco's modules import one another at their top only, and never in a circle."""
import ast
from pathlib import Path

import reco

RECO = Path(reco.__file__).parent

#: The package ``reco`` runs before any of its modules: what its app factory imports at the top would import
#: every module while the first one asked for is still half loaded.
_APP_FACTORY = "reco's __init__ runs first whenever any reco module is imported"
#: Every module imports the extensions; binding them to the app needs modules that import the extensions back.
_EXTENSIONS = "reco.extensions is imported by the modules its init_extensions uses"

#: Imports of Reco modules made inside a function, each with why it cannot be at the top of its module.
INNER_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {
    **{("reco", module): _APP_FACTORY for module in (
        "reco.cli", "reco.core.error_summary", "reco.core.errorhandlers", "reco.core.inputs", "reco.core.setup",
        "reco.extensions", "reco.labels.formats")},
    ("reco.extensions", "reco.core.i18n"): _EXTENSIONS,
    ("reco.extensions", "reco.core.sqlite"): _EXTENSIONS,
    ("reco.labels.sending", "reco.labels.raster"): "loads the brother_ql library only when a Brother QL prints",
}

#: Circles of top-level imports known today, each with why it stays (a set of the modules in the circle).
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def _modules() -> dict[str, ast.Module]:
    """Return every module of the reco package by its dotted name, parsed."""
    modules = {}
    for path in RECO.rglob("*.py"):
        parts = path.relative_to(RECO.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return modules


MODULES = _modules()


def _targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    """Return the Reco modules an import statement imports: ``from reco.x import y`` imports reco.x.y when that is
    a module, reco.x otherwise."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name.split(".")[0] == "reco"}
    if node.level or not node.module or node.module.split(".")[0] != "reco":
        return set()
    return {f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
            for alias in node.names}


def _top_level_imports(tree: ast.Module):
    """Yield the import statements of a module that run when it is imported (not those inside functions)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            pending.extend(node.orelse)  # what only type checkers read is never imported
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.ClassDef)):
            pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
            if isinstance(node, ast.Try):
                pending.extend(stmt for handler in node.handlers for stmt in handler.body)


def _inner_imports(tree: ast.Module):
    """Yield the import statements made inside a function."""
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield node


def _graph() -> dict[str, set[str]]:
    """Return, for each module, the Reco modules it imports at its top."""
    return {name: {target for node in _top_level_imports(tree) for target in _targets(node)
                   if target in MODULES and target != name}
            for name, tree in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_function_imports_a_reco_module():
    inner = {(name, target) for name, tree in MODULES.items() for node in _inner_imports(tree)
             for target in _targets(node)}
    assert inner - set(INNER_IMPORTS_ALLOWED) == set()


def test_the_allowed_inner_imports_still_exist():
    inner = {(name, target) for name, tree in MODULES.items() for node in _inner_imports(tree)
             for target in _targets(node)}
    assert set(INNER_IMPORTS_ALLOWED) <= inner


def test_no_modules_import_one_another_in_a_circle():
    assert {cycle for cycle in _cycles(_graph())} == set(KNOWN_CYCLES)


def test_a_circle_is_found_and_a_from_import_of_a_module_counts_as_importing_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [frozenset({"a", "b", "c"})]
    tree = ast.parse("from reco.prescriptions import lifecycle, bp\nimport reco.core.audit")
    assert set().union(*map(_targets, tree.body)) == {"reco.prescriptions.lifecycle", "reco.prescriptions",
                                                     "reco.core.audit"}
