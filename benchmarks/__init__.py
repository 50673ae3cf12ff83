"""Scale benchmarks with hand-written DuckDB baselines (not tests: run them with make bench)."""
