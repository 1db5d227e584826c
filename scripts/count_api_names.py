"""Count the modules that name a specific upstream API outside the places allowed to.

    python scripts/count_api_names.py [--max N] [--list]

A source is one package under `src/coinlake/sources/<name>/` registered in
`sources/registry.py`; the rest of the code reaches it through the registry. This script keeps
that true: it walks every module of `src/coinlake` except the source packages themselves, the
table definitions (`tables/`, which map a source's Bronze into Silver), the offline API sandbox
(`sandbox/`) and the settings (`config.py`), and reports each one whose code names an API, in an
identifier or a string literal (docstrings and comments do not count). It exits 1 when more than
`--max` modules (default 6) do, listing them, so `make check` catches a new one.

The API names are the folder names of the source packages (each a package holding `__init__.py`),
so a new source is counted without editing this file.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "coinlake"
SOURCES = PACKAGE / "sources"
ALLOWED = ("tables", "sandbox", "config.py")
"""Beside the source packages: where naming an API is the point."""
DEFAULT_MAX = 6
LEGACY_NAMES = ("coinbase", "coingecko")
"""The APIs coinlake started with, counted even before they are packages of their own."""


def api_names() -> tuple[str, ...]:
    """The registered API names: one per source package, plus the original two."""
    found = {p.parent.name for p in SOURCES.glob("*/__init__.py")}
    return tuple(sorted(found | set(LEGACY_NAMES)))


def _docstrings(tree: ast.Module) -> set[int]:
    """`id()` of every string that stands alone as a statement: the module, class and function
    docstrings and the attribute docstrings after an assignment (documentation, not code)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _words(tree: ast.Module) -> Iterator[str]:
    """Every identifier and non-docstring string literal of the module."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.arg | ast.keyword) and node.arg:
            yield node.arg
        elif isinstance(node, ast.alias):
            yield node.name
            if node.asname:
                yield node.asname
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            yield node.value


def names_an_api(path: Path, names: tuple[str, ...]) -> list[str]:
    """The API names that `path`'s code mentions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for word in _words(tree):
        lowered = word.lower()
        found.update(name for name in names if name in lowered)
    return sorted(found)


def counted_modules() -> Iterator[Path]:
    """Modules under `src/coinlake` outside the source packages and the allowed places."""
    packages = {p.parent for p in SOURCES.glob("*/__init__.py")}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ALLOWED:
            continue
        if any(parent in packages for parent in path.parents):
            continue
        yield path


def main(argv: list[str] | None = None) -> int:
    """Print the count (and the modules with `--list`); exit 1 above `--max`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=DEFAULT_MAX)
    parser.add_argument("--list", action="store_true", help="name each module and its APIs")
    args = parser.parse_args(argv)
    names = api_names()
    hits = {path: found for path in counted_modules() if (found := names_an_api(path, names))}
    if args.list or len(hits) > args.max:
        for path, found in hits.items():
            print(f"  {path.relative_to(ROOT)}: {', '.join(found)}")
    apis = ", ".join(names)
    print(f"{len(hits)} modules name an API ({apis}) outside their packages; max {args.max}")
    if len(hits) > args.max:
        print("reach the source through coinlake.sources.registry instead", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
