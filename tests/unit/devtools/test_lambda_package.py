"""What goes into the ingest Lambda's package: the handler's own import closure and
dependencies, nothing of the CLI, the sandbox or the test tools."""

from __future__ import annotations

import shutil
from pathlib import Path

from coinlake.devtools.lambda_package import (
    HANDLER_MODULE,
    handler_requirements,
    import_closure,
    prune_package,
)

ROOT = Path(__file__).parents[3]
SRC = ROOT / "src"


def test_the_closure_holds_what_the_handler_imports_and_no_tool() -> None:
    closure = import_closure(SRC, HANDLER_MODULE)
    assert {
        "coinlake.app.ingest",
        "coinlake.sources.registry",
        "coinlake.sources.coinbase.client",  # opened lazily by its source declaration
        "coinlake.sources.coingecko.client",
        "coinlake.aws.secrets",  # read lazily when a key parameter is set
        "coinlake.storage.local",
    } <= closure
    tops = {name.split(".")[1] for name in closure if name.count(".") >= 1}
    assert not tops & {"cli", "sandbox", "devtools", "query", "engines", "transform"}


def test_the_requirements_leave_out_the_cli_the_runtime_and_powertools() -> None:
    names = [req.split(">")[0].split("<")[0] for req in handler_requirements(ROOT)]
    assert names == ["httpx", "tenacity", "pydantic"]
    with_powertools = handler_requirements(ROOT, powertools=True)
    assert any(req.startswith("aws-lambda-powertools") for req in with_powertools)


def test_pruning_keeps_only_the_closure(tmp_path: Path) -> None:
    package = tmp_path / "coinlake"
    shutil.copytree(SRC / "coinlake", package)
    keep = import_closure(tmp_path, HANDLER_MODULE)
    prune_package(package, keep)
    assert (package / "runtime" / "lambda_ingest.py").is_file()
    assert (package / "py.typed").is_file()
    for gone in ("cli", "sandbox", "devtools", "query"):
        assert not (package / gone).exists(), gone
    left = {
        ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__")
        for p in package.rglob("*.py")
    }
    assert left == keep
