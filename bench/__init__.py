"""coinlake's benchmark suite (`make bench`); see `bench/run.py`."""
