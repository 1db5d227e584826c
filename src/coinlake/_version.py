"""The package version: one literal, read by the build (`[tool.hatch.version]`) and at run time
without `importlib.metadata` (which costs the Lambda's cold start tens of milliseconds)."""

__version__ = "0.1.0"
