"""Every registered bench (``registry.BENCHES``), one test per (bench, shape, implementation).

The inputs are built once per (bench, shape) outside the timer; the implementations in
``bench.warm`` run once untimed first (when timing); the group is ``"name|shape"`` and
``extra_info`` records the numba threads, the implementation and the per-unit counts. Every
implementation but the reference must agree with the reference, so a fast wrong kernel fails.
"""

from __future__ import annotations

from functools import partial

import numba
import pytest
from registry import BENCHES

CASES = [
    pytest.param(
        name, shape, impl, id=f"{name}-{shape.id}-{impl}",
        marks=[pytest.mark.slow] if shape.slow else [],
    )
    for name, bench in BENCHES.items()
    for shape in bench.shapes
    for impl in bench.impls
]

# Inputs and reference of the current (bench, shape): the implementations of one shape run in a row.
_CURRENT: dict = {}


def _cached(kind, key, make):
    if _CURRENT.get(kind, (None,))[0] != key:
        _CURRENT[kind] = (key, make())
    return _CURRENT[kind][1]


@pytest.mark.parametrize(("name", "shape", "impl"), CASES)
def test_bench(benchmark, name, shape, impl):
    bench = BENCHES[name]
    key = (name, shape.id)
    inputs = _cached("inputs", key, lambda: bench.setup(shape.params))
    benchmark.group = bench.group(shape)
    benchmark.extra_info["threads"] = numba.get_num_threads()
    benchmark.extra_info["impl"] = impl
    if bench.units:
        benchmark.extra_info[bench.units] = bench.count(impl, inputs)

    fn = partial(bench.impls[impl], inputs)
    if benchmark.enabled and bench.warms(impl):
        if bench.warmup is not None:
            bench.warmup(impl, inputs)
        else:
            fn()
    rounds = bench.rounds_for(impl, shape)
    raw = benchmark(fn) if rounds is None else benchmark.pedantic(fn, rounds=rounds, iterations=1)

    if benchmark.enabled:
        if bench.units and benchmark.stats is not None:
            n = benchmark.extra_info[bench.units]
            benchmark.extra_info[f"{bench.units}_per_s"] = n / benchmark.stats.stats.median
        if bench.info:
            benchmark.extra_info.update(bench.info(impl, inputs, raw))

    check = bench.check_for(impl)
    if check is None:
        return
    got = bench.output(impl, raw, inputs)
    ref = bench.reference
    if callable(ref):
        want = _cached("reference", key, lambda: ref(inputs))
    else:
        want = _cached("reference", key, lambda: bench.output(ref, bench.impls[ref](inputs), inputs))
    check(got, want)
