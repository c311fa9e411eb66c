"""Benchmarks printed as ratio tables by `make bench`: each row next to a baseline measured in the same run."""
