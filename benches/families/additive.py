"""Additive and ratio methods (WSM, WPM, WASPAS, COPRAS, ARAS, MOORA, MABAC) and the sum / max /
log normalizations: fastinno vs vectorised numpy baselines and pymcdm 1.4.0 (``validation=False``)
where it is installed. COPRAS has no pymcdm peer: pymcdm 1.4.0 computes another Q (see
tests/methods/test_additive.py)."""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

from fastinno import array as fa

try:
    from pymcdm import methods as pm
except ImportError:  # pragma: no cover - the peer is optional
    pm = None

SHAPES = [Shape("60000x30", (60000, 30), slow=True), Shape("2000x30", (2000, 30))]
PEERS = {"wsm": "WSM", "wpm": "WPM", "waspas": "WASPAS", "aras": "ARAS", "moora": "MOORA", "mabac": "MABAC"}


def _matrix(shape):
    rng = np.random.default_rng(11)
    x = rng.uniform(1.0, 10.0, size=shape)
    is_cost = np.arange(shape[1]) % 3 == 0
    return SimpleNamespace(x=x, w=rng.dirichlet(np.ones(shape[1])), is_cost=is_cost,
                           types=np.where(is_cost, -1, 1))


def _agree(got, want):
    npt.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def _agree_ranks(got, want):
    npt.assert_array_equal(np.argsort(np.argsort(-got)), np.argsort(np.argsort(-want)))


def _register(name):
    ours, numpy_version = getattr(fa, name), getattr(bl, f"{name}_numpy")
    impls = {
        "fastinno": lambda s: ours(s.x, s.w, s.is_cost),
        "numpy": lambda s: numpy_version(s.x, s.w, s.is_cost),
    }
    if pm is not None and name in PEERS:
        method = getattr(pm, PEERS[name])()
        impls["pymcdm"] = lambda s, m=method: m(s.x, s.w, s.types, validation=False)
    # pymcdm's MABAC multiplies n weighted values for the border area: it underflows to 0 past a few
    # hundred alternatives, shifting every score by the same amount (the ranks still agree)
    agree = {i: _agree_ranks if (name, i) == ("mabac", "pymcdm") else _agree for i in impls if i != "numpy"}
    register(name, setup=_matrix, impls=impls, shapes=SHAPES, agree=agree, warm=True)


for _name in ("wsm", "wpm", "waspas", "copras", "aras", "moora", "mabac"):
    _register(_name)

register(
    "normalize_sum",
    setup=_matrix,
    impls={
        "fastinno": lambda s: fa.normalize(s.x, s.is_cost, method="sum"),
        "numpy": lambda s: bl.normalize_sum(s.x, s.is_cost),
    },
    shapes=SHAPES,
    agree=_agree,
    warm=True,
)
