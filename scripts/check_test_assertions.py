"""Flag test functions that cannot fail: no `assert`, no `pytest.raises`/`pytest.warns`, and no
call to a helper named `assert_*`, `check_*` or `expect_*`.

A test that only runs code passes whatever the code returns; each test must state what it
expects. Run from the repository root (`make lint` does): prints one `path:line: name` per test
flagged and exits 1 when any is, 0 otherwise.

    python scripts/check_test_assertions.py [folder ...]   # default: tests
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

HELPER_PREFIXES = ("assert_", "check_", "expect_")
PYTEST_CHECKS = ("raises", "warns")


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def checks_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when the function's body (nested blocks included) asserts, expects an exception or
    a warning, or calls an assertion helper."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _called_name(node)
            is_pytest = (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "pytest"
            )
            if (is_pytest and name in PYTEST_CHECKS) or name.startswith(HELPER_PREFIXES):
                return True
    return False


def flagged_tests(source: str) -> Iterator[tuple[int, str]]:
    """(line, name) of each `test_*` function in `source` that checks nothing."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
            and not checks_something(node)
        ):
            yield node.lineno, node.name


def main(argv: list[str]) -> int:
    """Check every `test_*.py` under the given folders (default `tests`)."""
    found = 0
    for folder in argv or ["tests"]:
        for path in sorted(Path(folder).rglob("test_*.py")):
            for line, name in flagged_tests(path.read_text(encoding="utf-8")):
                print(
                    f"{path}:{line}: {name} asserts nothing (no assert, pytest.raises/warns "
                    "or assert_/check_/expect_ helper)"
                )
                found += 1
    if found:
        print(f"{found} test(s) that cannot fail", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
