"""Developer tools: deterministic data generators for tests and benchmarks."""
