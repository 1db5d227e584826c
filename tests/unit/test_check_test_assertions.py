"""scripts/check_test_assertions.py flags exactly the tests that check nothing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_test_assertions.py"

SOURCE = """
import pytest

def test_runs_only():
    compute(1)

async def test_async_runs_only():
    await compute(1)

def test_asserts():
    if True:
        assert compute(1) == 2

def test_raises():
    with pytest.raises(ValueError):
        compute(-1)

def test_warns():
    with pytest.warns(UserWarning):
        compute(0)

def test_helper():
    check_gapless(store)

def test_method_helper(self):
    self.expect_rows(3)

def test_assert_helper():
    helpers.assert_same(a, b)

def test_raises_elsewhere():
    raises(ValueError)

def helper_without_assert():
    compute(1)

class TestGroup:
    def test_in_a_class(self):
        compute(2)
"""


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_test_assertions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tests_without_an_assertion_are_flagged_and_the_others_not() -> None:
    flagged = [name for _, name in _load().flagged_tests(SOURCE)]
    assert sorted(flagged) == [
        "test_async_runs_only",
        "test_in_a_class",
        "test_raises_elsewhere",
        "test_runs_only",
    ]


def test_the_script_exits_1_listing_them_and_0_on_a_clean_folder(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "test_x.py").write_text(SOURCE)
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "test_y.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    bad = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "bad")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert f"{tmp_path / 'bad' / 'test_x.py'}:4: test_runs_only asserts nothing" in bad.stdout
    assert "4 test(s) that cannot fail" in bad.stderr
    good = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "good")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (good.returncode, good.stdout) == (0, "")
