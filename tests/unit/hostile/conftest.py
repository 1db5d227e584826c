"""Hypothesis profiles for the hostile-input tests: `make test` runs a few dozen examples per
property; `make reliability` sets COINLAKE_HOSTILE_EXAMPLES (e.g. 2000) for a longer search."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "hostile",
    max_examples=int(os.environ.get("COINLAKE_HOSTILE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="COINLAKE_HOSTILE_SEED" not in os.environ,
)
settings.load_profile("hostile")
