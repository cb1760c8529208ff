"""Weight Monte Carlo with a registered ranking method (``simulate(model=<method>)``): fastinno's
engine (VIKOR, EDAS, CODAS, MARCOS and CoCoSo through their batched draws hooks; WSM, exactly
linear in the weights, through the engine's matrix products) beside a loop over the draws that
calls a vectorized numpy version of the method once per draw (``baselines.method_draws``). Both
use the same weight draws (``fastinno.simulate_weights`` with the run's seed); the mean index and
the mean rank of every region are compared. ``extra_info["draws_per_s"]`` gives the rate."""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

import fastinno as fi
from fastinno.panel import IndicatorSystem, Panel

#: method -> (numpy baseline, index sign: +1 larger-is-better, -1 for VIKOR's Q)
METHODS = {
    "wsm": (bl.wsm_numpy, 1.0),
    "vikor": (bl.vikor, -1.0),
    "edas": (bl.edas, 1.0),
    "codas": (bl.codas, 1.0),
    "marcos": (bl.marcos, 1.0),
    "cocoso": (bl.cocoso, 1.0),
}
SHAPES = [Shape("smoke-150x1x8", ((150, 1, 8), 96)), Shape("3000x1x30", ((3000, 1, 30), 3000), slow=True)]


def _panel(shape):
    n_r, n_t, n_j = shape
    rng = np.random.default_rng(7)
    system = IndicatorSystem.from_dict({"all": {f"x{j}": "-" if j % 3 == 0 else "+" for j in range(n_j)}})
    return Panel.from_array(rng.uniform(1.0, 10.0, (n_r, n_t, n_j)), system)


def _setup(method):
    def setup(params):
        shape, draws = params
        p = _panel(shape)
        w = fi.simulate_weights(p, draws=draws, seed=1)
        return SimpleNamespace(panel=p, draws=draws, w=w, x=np.asarray(p.cube)[:, 0, :], is_cost=p.is_cost,
                               method=method)
    return setup


def _summary(res, s):
    df = res.summary.sort("region")  # one year
    order = np.argsort(np.array(s.panel.regions))
    mean_index, mean_rank = np.empty(len(order)), np.empty(len(order))
    mean_index[order] = df["mean_index"].to_numpy()
    mean_rank[order] = df["mean_rank"].to_numpy()
    return mean_index, mean_rank


def _agree(got, want):
    npt.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12 * np.abs(want[0]).max())
    npt.assert_allclose(got[1], want[1], atol=0.05)  # regions closer than rounding may swap


for _name, (_fn, _sign) in METHODS.items():
    register(
        f"mc_method_{_name}",
        setup=_setup(_name),
        impls={
            "fastinno": lambda s: fi.simulate(s.panel, model=s.method, draws=s.draws, seed=1, progress=False),
            "numpy": lambda s, fn=_fn, sign=_sign: bl.method_draws(fn, s.x, s.w, s.is_cost, sign),
        },
        shapes=SHAPES,
        reference="fastinno",
        outputs={"fastinno": _summary},
        agree=_agree,
        rounds=lambda impl, shape: 1 if shape.slow else 3,
        units="draws",
        count=lambda impl, s: s.draws,
    )
