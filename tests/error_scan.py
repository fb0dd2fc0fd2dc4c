"""The error codes the package raises, read from the syntax trees of its modules: what the catalogue of
error codes (incidents.standard.error_codes) is checked against. Test code only: the docs page is made from
the catalogue, not from this scan."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import incidents


@dataclass(frozen=True)
class ErrorSite:
    """Where the validator raises an error code, and what it says it expected there (when constant)."""

    module: str
    line: int
    expected: str | None


# The position of the `code` and `expected` arguments of the classes that hold a problem. Functions that
# take a `code` parameter (helpers such as the importers' `Cells.bad(column, expected, code=...)`) are
# found in the source itself, so a new helper needs no entry here.
_CODE_ARG = {"Problem": 6, "Finding": 5, "_Refused": 3}
_EXPECTED_ARG = {"Problem": 5, "Finding": 4, "_Refused": 2}
_CODE = re.compile(r"^[a-z]+(-[a-z]+)*$")


def error_codes(sources: dict[str, str]) -> dict[str, list[ErrorSite]]:
    """Error codes raised in the given module sources ({module: text}), found in their syntax trees.

    A code is the `code` argument of a Problem, Finding or refusal, a value assigned to a variable named
    `code`, or the code slot of the tuple a source-text check returns; an f-string code such as
    `schema-{validator}` is listed as `schema-*`."""
    found: dict[str, list[ErrorSite]] = defaultdict(list)

    def const(node: ast.AST | None) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def add(code_node: ast.AST, expected_node: ast.AST | None, module: str, line: int) -> None:
        code = const(code_node)
        if code is None and isinstance(code_node, ast.JoinedStr) and code_node.values:
            code = (const(code_node.values[0]) or "") + "*"
        if code and (_CODE.match(code) or code.endswith("-*")):
            found[code].append(ErrorSite(module, line, const(expected_node)))

    trees = {module: ast.parse(text) for module, text in sorted(sources.items())}
    code_arg, expected_arg = dict(_CODE_ARG), dict(_EXPECTED_ARG)
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                params = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
                if "code" in params and node.name not in code_arg:
                    code_arg[node.name] = params.index("code")
                    expected_arg[node.name] = params.index("expected") if "expected" in params else -1

    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in code_arg:
                    keywords = {k.arg: k.value for k in node.keywords}
                    position = code_arg[name]
                    code_node = keywords.get("code") or (node.args[position] if len(node.args) > position else None)
                    exp_pos = expected_arg[name]
                    expected = keywords.get("expected") or (
                        node.args[exp_pos] if 0 <= exp_pos < len(node.args) else None
                    )
                    if code_node is not None:
                        add(code_node, expected, module, node.lineno)
            elif isinstance(node, ast.FunctionDef):  # def bad(self, column, expected, code="import-value")
                args = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                for arg, default in zip(args, node.args.defaults, strict=True):
                    if arg.arg == "code":
                        add(default, None, module, node.lineno)
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                add(node.value, None, module, node.lineno)  # code = f"schema-{error.validator}"
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 4:
                # dataset._source_text returns (found, expected, code, field)
                elts = node.value.elts
                if const(elts[2]) and const(elts[3]):
                    add(elts[2], elts[1], module, node.lineno)
    return {code: found[code] for code in sorted(found)}


def package_sources() -> dict[str, str]:
    """The text of every module of this package and its subpackages, by module name (for `error_codes`)."""
    here = Path(incidents.__file__).parent
    modules = {}
    for path in sorted(here.rglob("*.py")):
        parts = path.relative_to(here).with_suffix("").parts
        modules[".".join(("incidents", *parts))] = path.read_text(encoding="utf-8")
    return modules
