"""The layers show in the folders: core knows no feature, and each feature registers its own routes."""
import ast
from pathlib import Path

import reco
from reco import FEATURES

RECO = Path(reco.__file__).parent


def _imported(path: Path) -> set[str]:
    """Return every module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_core_imports_no_feature():
    features = {f"reco.{name}" for name in FEATURES if name != "core"} | {"reco.agent"}
    wrong = {f"{path.relative_to(RECO)} imports {module}" for path in (RECO / "core").glob("*.py")
             for module in _imported(path) if ".".join(module.split(".")[:2]) in features}
    assert wrong == set()


def test_every_feature_names_the_modules_of_its_routes():
    for name in FEATURES:
        package = RECO / name
        with_routes = {path.stem for path in package.glob("*.py")
                       if any(f"@bp.{verb}" in path.read_text(encoding="utf-8")
                              for verb in ("route(", "get(", "post(", "before_request"))}
        declared = set(__import__(f"reco.{name}", fromlist=["ROUTES"]).ROUTES)
        assert with_routes <= declared, f"reco.{name}: {sorted(with_routes - declared)} add routes but are not in ROUTES"
