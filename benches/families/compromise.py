"""Compromise and outranking methods (VIKOR, PROMETHEE II, EDAS, CODAS, SPOTIS, MARCOS, CoCoSo):
``fastinno.array.<method>`` vs the vectorized numpy baselines of ``baselines.py`` and pymcdm
(``validation=False``).

pymcdm's PROMETHEE II and CODAS build n x n tables (CODAS in a Python double loop), so they are
compared against fastinno on their own smaller shape (``*_vs_pymcdm``); the numpy baselines of
those two use sorting and prefix sums like fastinno, as n x n does not fit at 60,000 rows.
"""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

from fastinno import array as fa

try:
    from pymcdm import methods as pm
except ImportError:  # pragma: no cover - pymcdm is a reference peer, not a dependency
    pm = None

BIG = Shape("60000x30", (60000, 30), slow=True)
SMALL = Shape("3000x30", (3000, 30))
PEER_ONLY = Shape("600x30", (600, 30))


def _decision_matrix(shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(1.0, 100.0, size=shape)
    types = np.where(np.arange(shape[1]) % 5 == 0, -1, 1)  # every fifth indicator a cost
    w = rng.random(shape[1]) + 0.1
    m = shape[1]
    return SimpleNamespace(
        x=x, types=types, is_cost=types < 0, w=w / w.sum(), q=np.full(m, 5.0), p=np.full(m, 20.0)
    )


def _allclose(rtol, atol=0.0):
    def agree(got, want):
        npt.assert_allclose(got, want, rtol=rtol, atol=atol)

    return agree


def _peer(make):
    """``{"pymcdm": ...}`` when pymcdm is installed, else nothing."""
    return {} if pm is None else {"pymcdm": make}



def _spotis_pymcdm(s):
    return pm.SPOTIS(pm.SPOTIS.make_bounds(s.x))(s.x, s.w, s.types, validation=False)


CASES = {
    "vikor": (lambda s: fa.vikor(s.x, s.w, s.types), lambda s: bl.vikor(s.x, s.w, s.is_cost),
              lambda s: pm.VIKOR()(s.x, s.w, s.types, validation=False)),
    "edas": (lambda s: fa.edas(s.x, s.w, s.types), lambda s: bl.edas(s.x, s.w, s.is_cost),
             lambda s: pm.EDAS()(s.x, s.w, s.types, validation=False)),
    "spotis": (lambda s: fa.spotis(s.x, s.w, s.types), lambda s: bl.spotis(s.x, s.w, s.is_cost), _spotis_pymcdm),
    "marcos": (lambda s: fa.marcos(s.x, s.w, s.types), lambda s: bl.marcos(s.x, s.w, s.is_cost),
               lambda s: pm.MARCOS()(s.x, s.w, s.types, validation=False)),
    "cocoso": (lambda s: fa.cocoso(s.x, s.w, s.types), lambda s: bl.cocoso(s.x, s.w, s.is_cost),
               lambda s: pm.COCOSO()(s.x, s.w, s.types, validation=False)),
}

for _name, (_ours, _numpy, _theirs) in CASES.items():
    register(
        _name,
        setup=_decision_matrix,
        impls={"fastinno": _ours, "numpy": _numpy, **_peer(_theirs)},
        shapes=[BIG, SMALL],
        agree=_allclose(1e-10, 1e-12),
        warm=True,
    )

# sorting + prefix sums on both sides (numpy: searchsorted per indicator)
register(
    "codas",
    setup=_decision_matrix,
    impls={"fastinno": lambda s: fa.codas(s.x, s.w, s.types), "numpy": lambda s: bl.codas(s.x, s.w, s.is_cost)},
    shapes=[BIG, SMALL],
    agree=_allclose(1e-9, 1e-9),
    warm=True,
)

for _pref in ("usual", "linear"):
    register(
        f"promethee_ii_{_pref}",
        setup=_decision_matrix,
        impls={
            "fastinno": lambda s, pref=_pref: fa.promethee_ii(s.x, s.w, s.types, preference=pref, q=s.q, p=s.p),
            "numpy": lambda s, pref=_pref: bl.promethee_ii(s.x, s.w, s.is_cost, pref, s.q, s.p),
        },
        shapes=[BIG, SMALL],
        agree=_allclose(1e-9, 1e-12),
        warm=True,
        rounds=3,
    )

if pm is not None:
    # pymcdm's n x n tables: a shape they fit in
    register(
        "promethee_ii_linear_vs_pymcdm",
        setup=_decision_matrix,
        impls={
            "fastinno": lambda s: fa.promethee_ii(s.x, s.w, s.types, preference="linear", q=s.q, p=s.p),
            "pymcdm": lambda s: pm.PROMETHEE_II("vshape_2", q=s.q, p=s.p)(s.x, s.w, s.types, validation=False),
        },
        shapes=[PEER_ONLY],
        reference="pymcdm",
        agree=_allclose(1e-10, 1e-12),
        warm=True,
        rounds=3,
    )
    register(
        "codas_vs_pymcdm",
        setup=_decision_matrix,
        impls={
            "fastinno": lambda s: fa.codas(s.x, s.w, s.types),
            "pymcdm": lambda s: pm.CODAS()(s.x, s.w, s.types, validation=False),
        },
        shapes=[PEER_ONLY],
        reference="pymcdm",
        agree=_allclose(1e-9, 1e-9),
        warm=True,
        rounds=3,
    )
