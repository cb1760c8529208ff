"""Benchmark families: each module registers its benches with ``benchkit.register``."""
