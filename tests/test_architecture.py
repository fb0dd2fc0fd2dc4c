"""The package's shape: no two modules import each other (at the top or inside a function), and no module is
longer than a reader holds in mind."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tools" / "incidents"
MAX_LINES = 500


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str], root: Path = PACKAGE) -> set[str]:
    """The package's modules one module imports, wherever the import stands (relative ones resolved)."""
    here = module_name(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from a import b` imports the module a.b when there is one, else a name of the module a
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) - {name} for name, path in known.items()}


def test_no_two_modules_import_each_other():
    edges = graph()
    both_ways = sorted(
        {tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, ())}
    )
    assert both_ways == []


def test_the_import_scan_sees_imports_inside_functions_and_relative_ones(tmp_path):
    known = {"incidents.a", "incidents.b", "incidents.c", "incidents.sub", "incidents.sub.d"}
    source = tmp_path / "incidents" / "sub" / "d.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "def f():\n    from incidents import a\n    from .. import b\nfrom ..c import x\nfrom . import d\n"
    )
    found = imports_of(source, known, tmp_path / "incidents")
    assert found == {"incidents.a", "incidents.b", "incidents.c", "incidents.sub.d"}


def test_no_module_is_over_500_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
