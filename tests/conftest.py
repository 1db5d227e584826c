"""Shared fixtures. Each fixture family lives in its own module under tests/fixtures/."""

import importlib.util

pytest_plugins = [
    name
    for name in ("tests.fixtures.sandbox", "tests.fixtures.s3", "tests.fixtures.spark")
    if importlib.util.find_spec(name) is not None
]
