"""The benchmark registry's building blocks: :class:`Shape`, :class:`Bench` and :func:`register`.

A bench compares implementations of one computation on the same inputs. Each implementation is
a callable ``impl(inputs) -> raw`` timed on inputs built once by ``setup(shape.params)`` outside
the timer. ``outputs[impl](raw, inputs)`` turns a raw output into a comparable value (identity
when absent); every implementation other than the reference must then pass
``agree(value, reference_value)``, so a fast wrong kernel fails.

Family modules (``benches/families/*.py``) call :func:`register`; ``benches/registry.py``
imports them all and exposes the filled :data:`BENCHES`. One generic test
(``benches/bench_registry.py``) runs every (bench, shape, implementation) and
``scripts/bench_report.py`` reads the registry to list, label and check the results.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The implementation every ratio is taken against.
FASTINNO = "fastinno"


@dataclass(frozen=True)
class Shape:
    """One problem size of a bench.

    Parameters
    ----------
    id : str
        The label used in test ids and in ``benchmark.group = f"{name}|{id}"``.
    params : Any
        What ``Bench.setup`` receives (a tuple of sizes, a count, ...).
    slow : bool
        Big shapes: marked ``slow`` (skipped by the CI smoke run ``-m "not slow"``).
    """

    id: str
    params: Any
    slow: bool = False


@dataclass(frozen=True)
class Bench:
    """One registered comparison.

    Parameters
    ----------
    name : str
        Group prefix; the pytest-benchmark group is ``f"{name}|{shape.id}"``.
    setup : callable
        ``setup(shape.params) -> inputs``; runs outside the timed call.
    impls : mapping of str to callable
        ``{"fastinno": f, "numpy": g, [peer: h, ...]}``; each is called as ``impl(inputs)``.
    shapes : tuple of Shape
    agree : callable or mapping of str to callable
        ``agree(value, reference_value)`` raises when an implementation disagrees with the
        reference; a mapping gives one check per implementation (each one but the reference).
    reference : str or callable
        The name of the implementation the others must agree with (default ``"numpy"``), or
        ``reference(inputs) -> value`` computing the expected value directly.
    outputs : mapping of str to callable
        ``outputs[impl](raw, inputs) -> value``: how to read an implementation's raw output
        as a comparable value (may recompute, e.g. with fewer replicates). Identity if absent.
    warm : bool or collection of str
        Implementations called once, untimed, before timing (JIT compile or cache load, page
        faults, BLAS start-up). ``True``: all of them; ``False``: none. Default: fastinno only.
    warmup : callable, optional
        ``warmup(impl, inputs)`` replaces the single untimed call for the implementations in
        ``warm``.
    rounds : int or callable, optional
        ``None``: pytest-benchmark calibrates (``benchmark(fn)``); an int, or
        ``rounds(impl, shape) -> int``: ``benchmark.pedantic(fn, rounds=..., iterations=1)``.
    units : str, optional
        ``"draws"`` or ``"replicates"``: the implementations may do different amounts of work,
        so the report compares time per unit; ``count(impl, inputs)`` gives the number.
    count : callable, optional
        ``count(impl, inputs) -> int``, required with ``units``. Recorded in
        ``extra_info[units]`` and, when timed, ``extra_info[f"{units}_per_s"]``.
    info : callable, optional
        ``info(impl, inputs, raw) -> dict`` merged into ``benchmark.extra_info`` when timed.
    """

    name: str
    setup: Callable[[Any], Any]
    impls: Mapping[str, Callable[[Any], Any]]
    shapes: tuple[Shape, ...]
    agree: Callable[[Any, Any], None] | Mapping[str, Callable[[Any, Any], None]]
    reference: str | Callable[[Any], Any] = "numpy"
    outputs: Mapping[str, Callable[[Any, Any], Any]] = field(default_factory=dict)
    warm: bool | Collection[str] = (FASTINNO,)
    warmup: Callable[[str, Any], None] | None = None
    rounds: int | Callable[[str, Shape], int] | None = None
    units: str | None = None
    count: Callable[[str, Any], int] | None = None
    info: Callable[[str, Any, Any], Mapping[str, Any]] | None = None

    def __post_init__(self):
        if FASTINNO not in self.impls or len(self.impls) < 2:
            raise ValueError(f"{self.name}: needs 'fastinno' and at least one peer, got {list(self.impls)}")
        if isinstance(self.reference, str) and self.reference not in self.impls:
            raise ValueError(f"{self.name}: reference {self.reference!r} is not an implementation")
        if isinstance(self.agree, Mapping):
            missing = [i for i in self.impls if i != self.reference and i not in self.agree]
            if missing:
                raise ValueError(f"{self.name}: no agreement check for {missing}")
        if (self.units is None) != (self.count is None):
            raise ValueError(f"{self.name}: units and count go together")
        ids = [s.id for s in self.shapes]
        if not ids or len(set(ids)) != len(ids):
            raise ValueError(f"{self.name}: shapes need distinct ids, got {ids}")

    def group(self, shape: Shape) -> str:
        """The pytest-benchmark group of one shape: ``"name|shape"``."""
        return f"{self.name}|{shape.id}"

    def warms(self, impl: str) -> bool:
        """Whether ``impl`` runs once untimed before timing."""
        return self.warm if isinstance(self.warm, bool) else impl in self.warm

    def rounds_for(self, impl: str, shape: Shape) -> int | None:
        """Timed rounds of ``impl`` on ``shape`` (``None``: let pytest-benchmark calibrate)."""
        return self.rounds(impl, shape) if callable(self.rounds) else self.rounds

    def output(self, impl: str, raw: Any, inputs: Any) -> Any:
        """The comparable value of an implementation's raw output."""
        read = self.outputs.get(impl)
        return raw if read is None else read(raw, inputs)

    def check_for(self, impl: str) -> Callable[[Any, Any], None] | None:
        """The agreement check of ``impl`` (``None`` for the reference itself)."""
        if impl == self.reference:
            return None
        return self.agree[impl] if isinstance(self.agree, Mapping) else self.agree


#: Every registered bench by name (filled by the family modules; import ``registry`` to load them).
BENCHES: dict[str, Bench] = {}


def register(name: str, **kwargs: Any) -> Bench:
    """Build a :class:`Bench` and add it to :data:`BENCHES` (names are unique).

    ``shapes`` may be given as a mapping ``{id: params}`` (none slow) or as Shape objects.
    """
    if name in BENCHES:
        raise ValueError(f"bench {name!r} registered twice")
    shapes = kwargs.pop("shapes")
    if isinstance(shapes, Mapping):
        shapes = [Shape(k, v) for k, v in shapes.items()]
    bench = Bench(name=name, shapes=tuple(shapes), **kwargs)
    BENCHES[name] = bench
    return bench
