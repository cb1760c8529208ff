"""The combined evaluation's weighted steps as a Monte Carlo model: ``simulate(model="combined")``.

The combined evaluation of :func:`fastinno.combined_evaluation` (Xia, Li, Yin 2020,
doi:10.3390/su12072739, sec. 3.1.1: efficacy coefficients per year; the entropy method, the
maximum-deviation method, TOPSIS and grey relational analysis; the Spearman compatibility test;
the drift-degree combination) re-run for every weight draw of :func:`fastinno.simulate`.

Perturbation: the sampler's base is the system's hierarchical equal weights b. A draw w gives
factors f = w / b (0 where b = 0); method k in year y uses the weights normalise(b_{k,y} * f) on
the year's indicators, where b_{k,y} are the weights of the base combined evaluation (entropy
weights for the entropy method, maximum-deviation weights for its method, the ``weights`` option
for TOPSIS and GRA). With f = 1 every draw is ``combined_evaluation`` itself.

Algebra: with g = f restricted to the year's indicators, the entropy and maximum-deviation scores
are (g @ (b_k * P)) / (g @ b_k), the grey relational grade (g @ (b_t * Xi)) / (g @ b_t) (the grey
coefficients Xi do not depend on the weights) and TOPSIS's squared distances
g^2 @ (b_t^2 * (P - P+)^2), g^2 @ (b_t^2 * (P - P-)^2) (closeness is unchanged by scaling the
weights, so they need no normalisation): two GEMMs per block of draws and year. The per-draw ranks,
compatibility test and drift weights run in :func:`fastinno.kernels.combination.combined_index_chunk`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import _config
from .. import _options as opt
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import combination as kc
from ..kernels import ranking as krk
from ..methods import combined as mc
from .models import Model, check_model_options, panel_parts, register
from .workspace import dot_rows, work_array

__all__ = ["DEFAULT_OPTIONS", "CombinedModel", "critical_rho", "prepare"]

#: model_options of ``model="combined"`` and their defaults (those of ``combined_evaluation``).
DEFAULT_OPTIONS = {
    "methods": mc.METHODS,
    "alpha": 0.05,
    "rho": 0.5,
    "weights": "entropy",
    "spearman_method": "pearson",
    "minmax_scores": False,
    "constant": "error",
    "entropy_data": "normalized",
    "recombine": "drift",
    "by": "year",
}


def critical_rho(alpha: float, n: int) -> float:
    """Smallest float64 r in (0, 1] whose two-sided Spearman p-value (n objects) is below alpha.

    The compatibility test of :func:`fastinno.combined_evaluation` passes a pair when
    ``p < alpha and rho > 0``, p by the t approximation with n - 2 degrees of freedom
    (``combined.spearman_pvalues``); p falls as rho grows, so the test is ``rho >= r_alpha``.
    Found by bisection over the bit patterns of the doubles in [0, 1] with that very p-value
    function, so the two agree on every double (up to non-monotone rounding within an ulp).
    """
    def passes(bits: int) -> bool:
        r = np.array([bits], dtype=np.int64).view(np.float64)
        return bool(mc.spearman_pvalues(r, n)[0] < alpha)

    lo = 0  # 0.0: p = 1
    hi = int(np.array([1.0]).view(np.int64)[0])  # 1.0: p = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid
    return float(np.array([hi], dtype=np.int64).view(np.float64)[0])


def _tilt(w: np.ndarray, base: np.ndarray) -> np.ndarray:
    """f = w / b, 0 where b = 0 (draws, indicators)."""
    f = np.zeros(w.shape)
    np.divide(w, base, out=f, where=base > 0)
    return f


@dataclass
class CombinedModel:
    """Weight-independent state of the combined model (shipped to Dask workers with the context)."""

    methods: tuple
    slots: np.ndarray  # (k,) int64: block of each method in ``lin``, -1 = TOPSIS
    lin: list  # per year (m_y, n_lin * (R + 1)): [b_k * A_k | b_k] blocks
    sq: list  # per year (m_y, 2 R): [b_t^2 (P - P+)^2 | b_t^2 (P - P-)^2], or (m_y, 0)
    idx: list  # per year int64 indicator indices of the year's cell, or None (all)
    method_base: list  # per year (k, m_y): b_{k,y}, the base run's per-method indicator weights
    base: np.ndarray  # (J,) the sampler's base b (the system's hierarchical equal weights)
    n_regions: int
    recombine: int
    r_alpha: float
    minmax: bool
    smethod: int
    tie_tol: float
    fixed_w: np.ndarray  # (Y, k) method weights of the base run
    years: tuple = ()  # year labels (for messages)

    def evaluate(self, w: np.ndarray, y: int, recombine: int | None = None, out: np.ndarray | None = None):
        """Combined scores (draws, regions) and method weights (draws, k) of weight rows ``w``.

        Both in this thread's work buffers (``out``: write the scores there instead). With
        ``out`` (the engine's blocks, run on several Python threads at once) the serial ``nogil``
        kernel is used; without it, the parallel kernel for large calls.
        """
        f = _tilt(w, self.base)
        if self.idx[y] is not None:
            f = np.ascontiguousarray(f[:, self.idx[y]])
        n_draws, n, k = w.shape[0], self.n_regions, len(self.methods)
        lin, sq = self.lin[y], self.sq[y]
        g = (dot_rows(f, lin, work_array(("combined", "lin"), (n_draws, lin.shape[1]), np.float64))
             if lin.shape[1] else np.empty((n_draws, 0)))
        h = (dot_rows(f * f, sq, work_array(("combined", "sq"), (n_draws, sq.shape[1]), np.float64))
             if sq.shape[1] else np.empty((n_draws, 0)))
        parallel = out is None and n_draws * n >= _config.COMBINED_PARALLEL_MIN_CELLS
        if out is None:
            out = work_array(("combined", "index"), (n_draws, n), np.float64)
        mw = work_array(("combined", "mw"), (n_draws, k), np.float64)
        kernel = kc.combined_index_chunk if parallel else kc.combined_index_chunk_serial
        kernel(g, h, self.slots, self.recombine if recombine is None else recombine, self.r_alpha, self.minmax,
               self.smethod, self.tie_tol, self.fixed_w[y], out, mw)
        return out, mw

    def index(self, w: np.ndarray, y: int) -> np.ndarray:
        """The combined score of every region for each weight row (the base run; a work buffer)."""
        return self.evaluate(w, y)[0]

    def producer(self, w: np.ndarray):
        """The engine's hook: ``produce(y, s, e, buf1, buf2)`` writes draws s..e of year y into ``buf1``."""
        w = np.ascontiguousarray(w)

        def produce(y, s, e, buf1, buf2):
            g = self.evaluate(w[s:e], y, out=buf1)[0]
            return g, g, krk.LINEAR

        return produce

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """A-priori index range: scores, min-maxed scores and method weights all lie in [0, 1]."""
        shape = (len(self.lin), self.n_regions)
        return np.zeros(shape), np.ones(shape)

    def method_weights(self, w: np.ndarray, y: int) -> np.ndarray:
        """Per-method indicator weights normalise(b_{k,y} * f) of each draw: (draws, k, m_y)."""
        f = _tilt(w, self.base)
        if self.idx[y] is not None:
            f = f[:, self.idx[y]]
        raw = f[:, None, :] * self.method_base[y][None, :, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return raw / raw.sum(axis=2, keepdims=True)

    def check_sampler(self, sampler) -> None:
        """Reject draws whose tilts w / b are undefined or leave a method without weight."""
        zero = self.base == 0
        if sampler.scheme == "simplex" and zero.any():
            raise InputError(
                "model 'combined' perturbs the base weights by factors w / b, undefined where the base "
                f"weight b is 0 (indicators {format_keys(np.flatnonzero(zero).tolist())}), and "
                "scheme='simplex' puts weight there: use scheme='dirichlet' or 'uniform'."
            )
        if sampler.scheme != "given":
            return
        g = sampler.given
        bad = np.flatnonzero((g[:, zero] > 0).any(axis=1)) if zero.any() else np.zeros(0, np.int64)
        if bad.size:
            raise InputError(
                f"given weight rows {format_keys(bad.tolist())} put weight on indicators whose base weight "
                "is 0: model 'combined' reads each row as factors w / b of the base weights b."
            )
        f = _tilt(g, self.base)
        for y in range(len(self.lin)):
            fy = f if self.idx[y] is None else f[:, self.idx[y]]
            tot = fy @ self.method_base[y].T  # (draws, k)
            rows, ks = np.nonzero(~(tot > 0))
            if rows.size:
                raise InputError(
                    f"given weight rows {format_keys(sorted(set(rows.tolist())))} give no weight to any "
                    f"indicator the {self.methods[ks[0]]!r} method weights in year {self.years[y]}: its weights "
                    "normalise(b * w / b) are 0/0. Give those indicators some weight."
                )


def prepare(panel, options: Mapping | None):
    """The combined model's weight-independent state as a robustness :class:`Model` and the base weights b."""
    opts = dict(DEFAULT_OPTIONS)
    options = dict(options or {})
    check_model_options("combined", options, list(opts))
    opts.update(options)
    if opts["by"] != "year":
        raise InputError(
            f"model 'combined' evaluates each year (by='year'); got by={opts['by']!r}. Pooling the years "
            "(by='panel') leaves no per-year ranking to perturb."
        )
    recombine = opt.code("recombine", opts["recombine"])
    opts["recombine"] = opt.check("recombine", opts["recombine"])
    if not isinstance(opts["minmax_scores"], (bool, np.bool_)):
        raise InputError(f"minmax_scores must be True or False; got {opts['minmax_scores']!r}.")
    panel_parts(panel)  # a complete fastinno Panel
    weights = opts["weights"]
    if weights is None or (isinstance(weights, str) and weights == "equal-hierarchical"):
        weights = panel.system.base_weights()
    prep = mc.prepare(
        panel, methods=opts["methods"], by="year", alpha=opts["alpha"], rho=opts["rho"], weights=weights,
        spearman_method=opts["spearman_method"], constant=opts["constant"], entropy_data=opts["entropy_data"],
        index_only=True, stacklevel=5,
    )
    foreign = [m for m in prep.methods if m not in mc.METHODS]
    if foreign:
        raise InputError(
            f"model 'combined' perturbs the weighted steps of the paper's four single methods "
            f"({', '.join(mc.METHODS)}), and {format_keys(foreign)} {'is' if len(foreign) == 1 else 'are'} not one of them. Run each as its own "
            "model (simulate(model=...)) or compare them with choices={'method': [...]}."
        )
    opts["methods"] = prep.methods
    n_years, n_regions, n_ind = prep.n_per, prep.n_obj, len(prep.indicators)
    if opts["constant"] == "drop" and prep.excluded_rows:
        empty = [r[0] for r in prep.excluded_rows if r[2] is None]
        if empty:
            raise DegenerateDataError(
                f"Every indicator is constant in year(s) {format_keys(empty)}: constant='drop' leaves "
                "nothing to evaluate there. Use constant='zero' or drop those years."
            )
        cells = [(r[2], r[0]) for r in prep.excluded_rows]
        warnings.warn(
            f"constant='drop': indicator-year cell(s) {format_keys(cells)} are constant and were dropped "
            "from their year (as combined_evaluation does).", FastinnoWarning, stacklevel=4,
        )
    pt = prep.pt  # (years, indicators, regions)
    methods = prep.methods
    linear = [m for m in methods if m != "topsis"]
    slots = np.array([linear.index(m) if m != "topsis" else -1 for m in methods], dtype=np.int64)
    lin, sq, idx_list, method_base = [], [], [], []
    for c, t in enumerate(prep.cell_year):
        idx = np.asarray(prep.idx_all[c], dtype=np.int64)
        a = np.ascontiguousarray(pt[t][idx])  # (m_y, R) efficacy coefficients
        we, wm, wt = prep.we_all[c], prep.wm_all[c], prep.wt_all[c]
        hi = a.max(axis=1)
        lo = a.min(axis=1)
        blocks = []
        for m in linear:
            if m == "gra":
                # grey relational coefficients of the cell, as relational.cell_scores computes them
                dmax = float((hi - lo).max())
                ga = 0.0 + prep.rho * dmax
                gb = prep.rho * dmax
                xi = ga / ((hi[:, None] - a) + gb)
                bw, op = wt, xi
            else:
                bw, op = (we if m == "entropy" else wm), a
            blocks.append(np.hstack([bw[:, None] * op, bw[:, None]]))
        lin.append(np.ascontiguousarray(np.hstack(blocks)) if blocks else np.zeros((idx.size, 0)))
        if "topsis" in methods:
            w2 = (wt * wt)[:, None]
            sq.append(np.ascontiguousarray(np.hstack([w2 * (a - hi[:, None]) ** 2, w2 * (a - lo[:, None]) ** 2])))
        else:
            sq.append(np.zeros((idx.size, 0)))
        idx_list.append(None if idx.size == n_ind and (idx == np.arange(n_ind)).all() else idx)
        method_base.append(np.stack([{"entropy": we, "max_deviation": wm}.get(m, wt) for m in methods]))
    base = np.ascontiguousarray(panel.system.base_weights(), dtype=np.float64)
    model = CombinedModel(
        methods=methods, slots=slots, lin=lin, sq=sq, idx=idx_list, method_base=method_base, base=base,
        n_regions=n_regions, recombine=recombine, r_alpha=critical_rho(prep.alpha, n_regions),
        minmax=bool(opts["minmax_scores"]), smethod=prep.smethod, tie_tol=_config.DRIFT_TIE_TOL,
        fixed_w=np.zeros((n_years, len(methods))), years=tuple(prep.period_labels),
    )
    # the base run (f = 1): its drift weights are the weights kept by recombine='fixed'
    fixed = np.empty((n_years, len(methods)))
    for y in range(n_years):
        comb, mw = model.evaluate(base[None, :], y, recombine=kc.RECOMBINE_DRIFT)
        if np.isnan(comb).any():
            raise DegenerateDataError(
                f"The combined evaluation of year {prep.period_labels[y]} is undefined at the base weights "
                "(a method's weights or TOPSIS distances are all zero)."
            )
        fixed[y] = mw[0]
    model.fixed_w = fixed
    if isinstance(opts["weights"], np.ndarray) or not isinstance(opts["weights"], (str, type(None), Mapping)):
        opts["weights"] = "array"
    return Model("combined", krk.LINEAR, pt, None, opts, custom=model), base


register("combined", prepare, DEFAULT_OPTIONS)
