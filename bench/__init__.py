"""Benchmarks and the retrieval-quality scorer."""
