"""coinlake: a crypto market-data lakehouse (Bronze JSON -> Silver/Gold Parquet -> SQL)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coinlake")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
