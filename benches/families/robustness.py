"""Robustness engine vs the best vectorised numpy: per-draw and per-replicate ratios.

- ``mc``: weight Monte Carlo of the ideal-solution model, one year, full rank summary: 3,000
  regions x 30 indicators, 10,000 Dirichlet draws (slow) and a small smoke shape. numpy =
  ``baselines.monte_carlo_ranks`` (ideal points once, one matmul per year for the squared
  distances of all draws, ``argsort`` ranks, exact ``np.quantile`` summaries); numpy_broadcast =
  the same with the distances by broadcasting (no matmul algebra).
- ``mc_per_year``: the 2,800 x 20 x 30 synthetic county panel, per-year ranks, 10,000 draws
  (slow); ``extra_info["peak_rss_gb"]``: peak memory of the whole run in a fresh process.
- ``bootstrap_regions``: entropy weights recomputed per replicate (county, 1,000 replicates,
  slow; the numpy loop is timed on fewer replicates and compared on those replicates).
- ``mc_large``: past the exact rank counts' budget (rank histograms, ``rank_resolution`` in
  ``extra_info``): 100,000 regions x 1 year x 30 indicators, 10,000 draws, and 20,000 x 20 x 30,
  1,000 draws (slow; peak RSS of a fresh process in ``extra_info``), plus a 25,000-region smoke
  shape. numpy runs the first few hundred draws (its (draws, regions) matrices would not fit).
- ``mc_scaling``: 300 -> 100,000 regions x 1 year x 30 indicators, 1,000 draws (numpy: at most
  2e7 / regions draws); ``extra_info["run_rss_gb"]``: memory the simulate call adds to a fresh
  process. ``scripts/scaling_report.py`` fits the growth exponents of time and memory.
- ``rank_rows``: the radix ranking kernel vs numpy ``argsort`` ranks on 1,024 x 3,000.

fastinno is the reference of the ``mc`` benches: numpy must reproduce its ranks exactly
(numpy_broadcast: index to rounding, mean ranks up to swaps of near ties). In ``mc_large`` and
``mc_scaling`` numpy's exact statistics are the reference and fastinno, rerun on numpy's draws,
must match them (rank quantiles within its ``rank_resolution``). fastinno is timed warm
(one untimed call first: JIT cache loaded, accumulator pages faulted in); three timed rounds, one
for the 10,000-draw numpy runs. ``extra_info`` records draws (or replicates) and their rate.
"""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import baselines
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register
from make_county_panel import make_county_panel

import fastinno as fi
from fastinno._random import block_seeds
from fastinno.data.panel import Panel
from fastinno.kernels import ranking as krk
from fastinno.kernels import resample as kr

BENCHES_DIR = Path(__file__).resolve().parent.parent


def county_panel(shape):
    """The synthetic county panel of ``shape = (regions, years, indicators)`` as a Panel."""
    n_r, n_t, n_j = shape
    wide, system = make_county_panel(n_r, n_t, n_j, seed=0)
    cube = wide.drop("region", "year").to_numpy().reshape(n_r, n_t, n_j)
    return Panel.from_array(cube, fi.read_system(system), years=list(range(2001, 2001 + n_t)))


cached_panel = lru_cache(maxsize=1)(county_panel)


# --- weight Monte Carlo ---


def _mc_setup(params):
    shape, draws = params
    p = cached_panel(shape)
    x = baselines.numpy_standardize_max_ratio(np.asarray(p.cube), p.is_cost)
    w = fi.simulate_weights(p, draws=draws, seed=1)
    return SimpleNamespace(panel=p, shape=shape, draws=draws, x=x, w=w)


# fastinno's summary column -> the baseline's per-year key
_SUMMARY_KEYS = {
    "mean_rank": "mean_rank", "rank_p05": "rank_q0.05", "median_rank": "rank_q0.5",
    "rank_p95": "rank_q0.95", "p_top_10": "p_top_10", "mean_index": "mean_index",
    "index_p05": "index_q0.05", "index_p95": "index_q0.95",
}


def _grids(res, s):
    """fastinno's summary as the baseline's per-year dicts (regions in the panel's order)."""
    p = s.panel
    df = res.summary.sort(["year", "region"])
    order = np.argsort(np.array(p.regions))
    out = [{"index_resolution": res.index_resolution} for _ in p.years]
    for col, key in _SUMMARY_KEYS.items():
        vals = df[col].to_numpy().reshape(len(p.years), -1)
        grid = np.empty((len(p.years), len(p.regions)))
        grid[:, order] = vals
        for y in range(len(p.years)):
            out[y][key] = grid[y]
    return out


def _agree_numpy(got, want):
    # got: the baseline's per-year dicts; want: fastinno's (the baseline ranks against its first
    # draw, so the summaries are compared, not the agreement)
    for y, w in enumerate(want):
        g = got[y]
        for key in ("mean_rank", "rank_q0.05", "rank_q0.5", "rank_q0.95", "p_top_10"):
            npt.assert_array_equal(w[key], g[key])
        npt.assert_allclose(w["mean_index"], g["mean_index"], rtol=1e-10)
        for key in ("index_q0.05", "index_q0.95"):
            npt.assert_allclose(w[key], g[key], rtol=0, atol=w["index_resolution"] + 1e-12)


def _agree_broadcast(got, want):
    # other summation order than the matmul: the index agrees to rounding, ranks up to swaps of
    # regions closer than that rounding
    for y, w in enumerate(want):
        g = got[y]
        npt.assert_allclose(w["mean_index"], g["mean_index"], rtol=1e-9)
        npt.assert_allclose(w["mean_rank"], g["mean_rank"], atol=0.01)


def _mc_rounds(impl, shape):
    # one round of a 0.3 s call swings by a third on a shared VM; 10,000-draw numpy runs get one
    return 1 if shape.params[1] >= 10_000 and impl != "fastinno" else 3


_PEAK_RSS = """
import sys, time
sys.path[:0] = [{root!r}, {benches!r}, {scripts!r}]
import fastinno as fi
from families.robustness import county_panel


def status(key):  # kB; per process image (ru_maxrss would keep the forking parent's peak)
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])


p = county_panel({shape!r})
if {warm}:
    fi.simulate(p, draws=64, seed=1, progress=False)
setup_peak, before = status("VmHWM"), status("VmRSS")
try:  # reset the high-water mark to the current RSS (Linux >= 4.0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
t0 = time.perf_counter()
r = fi.simulate(p, draws={draws}, seed=1, progress=False)
seconds = time.perf_counter() - t0
peak = status("VmHWM")
print(max(setup_peak, peak), peak - before, seconds, r.rank_resolution)
"""


def run_in_fresh_process(shape, draws, warm=False) -> dict:
    """Run the simulation in a fresh process: ``peak_rss_gb`` (the whole process, interpreter and
    panel included: the "peak memory" target), ``run_rss_gb`` (the peak during the simulate call
    above the resident memory before it), ``seconds`` of the call (after a 64-draw warm-up call
    when ``warm``) and ``rank_resolution``. Read from /proc/self/status (VmHWM, VmRSS)."""
    code = _PEAK_RSS.format(
        root=str(Path(fi.__file__).resolve().parent.parent), benches=str(BENCHES_DIR),
        scripts=str(BENCHES_DIR.parent / "scripts"), shape=shape, draws=draws, warm=bool(warm),
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    peak, run, seconds, res = out.stdout.split()[-4:]
    return {"peak_rss_gb": int(peak) * 1024 / 1e9, "run_rss_gb": int(run) * 1024 / 1e9,
            "seconds": float(seconds), "rank_resolution": int(res)}


def peak_rss_gb(shape, draws) -> float:
    """Peak resident memory (GB) of a fresh process that builds the panel and runs the simulation."""
    return run_in_fresh_process(shape, draws)["peak_rss_gb"]


def _peak_rss_info(impl, s, raw):
    if impl == "fastinno" and s.draws >= 10_000:
        return {"peak_rss_gb": peak_rss_gb(s.shape, s.draws)}
    return {}


def _mc(name, shapes, peers=(), info=None):
    impls = {"fastinno": lambda s: fi.simulate(s.panel, draws=s.draws, seed=1, progress=False),
             "numpy": lambda s: baselines.monte_carlo_ranks(s.x, s.w)}
    agree = {"numpy": _agree_numpy}
    if "numpy_broadcast" in peers:
        impls["numpy_broadcast"] = lambda s: baselines.monte_carlo_ranks(s.x, s.w, distances="broadcast")
        agree["numpy_broadcast"] = _agree_broadcast
    register(name, setup=_mc_setup, impls=impls, shapes=shapes, reference="fastinno",
             outputs={"fastinno": _grids}, agree=agree, rounds=_mc_rounds,
             units="draws", count=lambda impl, s: s.draws, info=info)


_mc("mc", [Shape("smoke-300x1x10", ((300, 1, 10), 512)),
           Shape("3000x1x30", ((3000, 1, 30), 10_000), slow=True)], peers=("numpy_broadcast",))
_mc("mc_per_year", [Shape("smoke-200x5x30", ((200, 5, 30), 256)),
                    Shape("county-2800x20x30", ((2800, 20, 30), 10_000), slow=True)],
    info=_peak_rss_info)


# --- past the exact rank counts: rank histograms, and the growth with the number of regions ---


def _large_setup(params):
    shape, draws, numpy_draws = params
    p = cached_panel(shape)
    x = baselines.numpy_standardize_max_ratio(np.asarray(p.cube), p.is_cost)
    w = fi.simulate_weights(p, draws=numpy_draws, seed=1)  # the first draws of fastinno's run
    return SimpleNamespace(panel=p, shape=shape, draws=draws, numpy_draws=numpy_draws, x=x, w=w)


def _large_grids(res, s):
    # agreement on numpy's draws: fastinno again with that many draws (the same first draws)
    return _grids(fi.simulate(s.panel, draws=s.numpy_draws, seed=1, progress=False), s), res.rank_resolution


def _agree_binned(got, want):
    """fastinno (``got``: its statistics on numpy's draws, and its rank resolution) against numpy's
    exact statistics (``want``): exact mean rank and top-10 shares, rank quantiles within
    rank_resolution - 1, index quantiles within the index resolution."""
    got, width = got
    for y, w in enumerate(got):
        g = want[y]
        npt.assert_array_equal(w["mean_rank"], g["mean_rank"])
        npt.assert_array_equal(w["p_top_10"], g["p_top_10"])
        for key in ("rank_q0.05", "rank_q0.5", "rank_q0.95"):
            assert np.abs(w[key] - g[key]).max() <= width - 1 + 1e-9 * w[key].max(), key  # + interpolation rounding
        npt.assert_allclose(w["mean_index"], g["mean_index"], rtol=1e-10)
        for key in ("index_q0.05", "index_q0.95"):
            npt.assert_allclose(w[key], g[key], rtol=0, atol=w["index_resolution"] + 1e-12)


def _large_info(impl, s, raw):
    if impl != "fastinno":
        return {}
    info = {"rank_resolution": raw.rank_resolution, "ranks": raw.options["ranks"],
            "index_resolution": raw.index_resolution}
    if s.draws >= 1000:  # the slow shapes: the memory of the whole run in a fresh process
        info.update({k: v for k, v in run_in_fresh_process(s.shape, s.draws).items() if k.endswith("_gb")})
    return info


register(
    "mc_large",
    setup=_large_setup,
    impls={"fastinno": lambda s: fi.simulate(s.panel, draws=s.draws, seed=1, progress=False),
           "numpy": lambda s: baselines.monte_carlo_ranks(s.x, s.w)},
    shapes=[Shape("smoke-25000x1x10", ((25_000, 1, 10), 256, 128)),
            Shape("100000x1x30", ((100_000, 1, 30), 10_000, 128), slow=True),
            Shape("20000x20x30", ((20_000, 20, 30), 1000, 128), slow=True)],
    outputs={"fastinno": _large_grids},
    agree=_agree_binned,
    # a 64-draw call loads the JIT cache; the big runs are timed once
    warmup=lambda impl, s: fi.simulate(s.panel, draws=64, seed=1, progress=False) if impl == "fastinno" else None,
    rounds=lambda impl, shape: 1 if shape.slow else 3,
    units="draws",
    count=lambda impl, s: s.draws if impl == "fastinno" else s.numpy_draws,
    info=_large_info,
)

#: Regions of the scaling sweep (1 year, 30 indicators, 1,000 draws; numpy at most 2e7 / regions draws).
SCALING_REGIONS = (300, 1000, 3000, 10_000, 30_000, 100_000)
SCALING_DRAWS = 1000


def _scaling_info(impl, s, raw):
    if impl != "fastinno":
        return {}
    fresh = run_in_fresh_process(s.shape, s.draws, warm=True)
    return {"regions": s.shape[0], "rank_resolution": raw.rank_resolution, "run_rss_gb": fresh["run_rss_gb"],
            "peak_rss_gb": fresh["peak_rss_gb"]}


register(
    "mc_scaling",
    setup=_large_setup,
    impls={"fastinno": lambda s: fi.simulate(s.panel, draws=s.draws, seed=1, progress=False),
           "numpy": lambda s: baselines.monte_carlo_ranks(s.x, s.w)},
    shapes=[Shape(f"{r}x1x30", ((r, 1, 30), SCALING_DRAWS, min(SCALING_DRAWS, 20_000_000 // r)), slow=r > 10_000)
            for r in SCALING_REGIONS],
    outputs={"fastinno": _large_grids},
    agree=_agree_binned,
    warmup=lambda impl, s: fi.simulate(s.panel, draws=64, seed=1, progress=False) if impl == "fastinno" else None,
    rounds=lambda impl, shape: 1 if shape.slow else 3,
    units="draws",
    count=lambda impl, s: s.draws if impl == "fastinno" else s.numpy_draws,
    info=_scaling_info,
)


# --- region bootstrap ---


def _boot_setup(params):
    shape, reps, numpy_reps = params
    p = cached_panel(shape)
    idx = kr.bootstrap_indices(shape[0], block_seeds(3, 0, -(-numpy_reps // 64)), 64)[:numpy_reps]
    return SimpleNamespace(panel=p, cube=np.asarray(p.cube), idx=idx, reps=reps, numpy_reps=numpy_reps)


def _boot_mean_weights(res, s):
    # agreement: the first replicates of fastinno (same seed) against the numpy loop
    return fi.bootstrap(s.panel, replicates=s.numpy_reps, seed=3, progress=False).weights["mean_weight"].to_numpy()


register(
    "bootstrap_regions",
    setup=_boot_setup,
    impls={"fastinno": lambda s: fi.bootstrap(s.panel, replicates=s.reps, seed=3, progress=False),
           "numpy": lambda s: baselines.bootstrap_regions_loop(s.cube, s.panel.is_cost, s.idx)},
    shapes=[Shape("smoke-100x5x12", ((100, 5, 12), 64, 16)),
            Shape("county-2800x20x30", ((2800, 20, 30), 1000, 20), slow=True)],
    outputs={"fastinno": _boot_mean_weights, "numpy": lambda out, s: out[1].mean(axis=0)},
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-9),
    rounds=lambda impl, shape: 3 if impl == "fastinno" else 1,
    units="replicates",
    count=lambda impl, s: s.reps if impl == "fastinno" else s.numpy_reps,
)


# --- ranking kernel ---


def _numpy_ranks(v):
    order = np.argsort(-v, axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, v.shape[1] + 1)[None, :], axis=1)
    return ranks


register(
    "rank_rows",
    setup=lambda shape: np.random.default_rng(0).random(shape),
    impls={"fastinno": krk.rank_rows, "numpy": _numpy_ranks},
    shapes={"1024x3000": (1024, 3000)},
    agree=npt.assert_array_equal,
)
