"""The package's architecture, checked: every import between Jirga's packages points down the layers, and no
module imports itself back through others. A new package takes its place in LAYERS before it can be imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jirga"

# Bottom to top. A module may import its own package and any package on a lower line; packages on one line are
# peers that do not import each other.
LAYERS: list[set[str]] = [
    {"version", "errors"},
    {"model"},
    {"reference"},
    {"extract"},
    {"ingest"},
    {"fuse"},
    {"db"},
    {"access"},
    {"store"},
    {"pipeline"},
    {"share", "assess", "train"},
    {"web"},
    {"cli"},
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The jirga modules a file imports, at the top or inside functions, resolved to absolute names. `from package
    import module` imports the module, not the package's __init__ re-exports."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name == "jirga" or name.startswith("jirga.")}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {module: {name for name in _imports(path, set(files)) if name in files and name != module}
            for module, path in files.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "jirga"


def test_every_package_has_a_layer():
    packages = {_layer(module) for module in _graph()} - {"jirga"}
    assert packages <= set(LEVEL), f"place these in LAYERS: {sorted(packages - set(LEVEL))}"


def test_imports_point_down():
    upward = []
    for module, imported in _graph().items():
        source = _layer(module)
        for name in imported:
            target = _layer(name)
            if target == "jirga" and source != "jirga":
                upward.append(f"{module} -> {name} (the top-level package re-exports everything: import from below)")
            elif target != source and source != "jirga" and LEVEL[target] >= LEVEL[source]:
                upward.append(f"{module} -> {name}")
    assert upward == [], "imports that point up or sideways:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(graph[module]):
            if state.get(name) == 1:
                cycles.append(" -> ".join([*path[path.index(name):], name]))
            elif name not in state:
                visit(name, [*path, name])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("pure", ["extract", "fuse", "ingest", "model", "reference"])
def test_pure_layers_hold_no_sql(pure):
    """SQL lives in db/, access/ and store/ (and the orchestration above them): the extractor, the readers and the
    clue-verification rules are testable without a database."""
    offenders = [str(path.relative_to(PACKAGE)) for path in (PACKAGE / pure).rglob("*.py")
                 if "sqlalchemy" in path.read_text()]
    assert offenders == []


def test_the_public_surface_resolves():
    import jirga

    missing = [name for name in jirga.__all__ if getattr(jirga, name, None) is None]
    assert missing == []
    with pytest.raises(AttributeError):
        jirga.not_a_public_name  # noqa: B018
