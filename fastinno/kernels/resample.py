"""Block-seeded random draws: weight samplers and bootstrap resampling indices.

Every kernel fills a whole number of blocks of ``block`` draws (the library constant
``fastinno._config.DRAW_BLOCK``, passed in as an argument). Block ``b`` of a chunk starts by
reseeding numba's per-thread generator with ``seeds[b]`` (from
``fastinno._random.block_seeds``), so the numbers do not depend on chunk size, thread count or
machine. Blocks run in parallel (``prange``); draws inside a block run in order.

Inputs already validated by the API layer (base weights >= 0 and summing to 1, concentration > 0,
spread in [0, 1]). Every returned weight row is >= 0 and sums to 1.

Sources: Dirichlet perturbation of weights around a base vector and simplex sampling as in
stochastic multicriteria acceptability analysis (Lahdelma, Hokkanen & Salminen 1998, EJOR 106,
137-143); uncertainty analysis of composite indicators (OECD/JRC 2008, Handbook on Constructing
Composite Indicators, sec. 7); bootstrap (Efron & Tibshirani 1993), moving-block bootstrap
(Kuensch 1989, Ann. Statist. 17, 1217-1241).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .twins import parallel_twin

__all__ = [
    "dirichlet_weights",
    "uniform_weights",
    "simplex_weights",
    "hierarchical_weights",
    "bootstrap_indices",
    "block_bootstrap_indices",
]


@njit(cache=True, inline="always")
def _normalise_row(out, d, base):
    n = out.shape[1]
    total = 0.0
    for j in range(n):
        total += out[d, j]
    if total > 0.0:
        for j in range(n):
            out[d, j] /= total
    else:  # every gamma variate underflowed (tiny shapes): fall back to the base weights
        for j in range(n):
            out[d, j] = base[j]


@parallel_twin(work=lambda base, concentration, seeds, block: base.size * seeds.size * block)
def dirichlet_weights(base, concentration, seeds, block):
    """Dirichlet draws centred on the base weights.

    Parameters
    ----------
    base : float64 (n_indicators,), >= 0, sum 1.
    concentration : float, kappa > 0.
    seeds : int64 (n_blocks,), one seed per block.
    block : int, draws per block.

    Returns
    -------
    w : float64 (n_blocks * block, n_indicators)

    Notes
    -----
    w ~ Dirichlet(kappa * base), drawn as independent gammas g_j ~ Gamma(kappa w_j, 1) normalised
    by their sum; E[w] = base and Var(w_j) = w_j (1 - w_j) / (kappa + 1). Indicators with a zero
    base weight keep weight 0.
    """
    n_blocks = seeds.shape[0]
    m = base.shape[0]
    out = np.empty((n_blocks * block, m))
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        for k in range(block):
            d = b * block + k
            for j in range(m):
                out[d, j] = np.random.gamma(concentration * base[j], 1.0) if base[j] > 0.0 else 0.0
            _normalise_row(out, d, base)
    return out


@parallel_twin(work=lambda base, spread, seeds, block: base.size * seeds.size * block)
def uniform_weights(base, spread, seeds, block):
    """Multiplicative uniform perturbation, renormalised.

    Parameters
    ----------
    base : float64 (n_indicators,), >= 0, sum 1.
    spread : float, delta in [0, 1].
    seeds, block : as in :func:`dirichlet_weights`.

    Returns
    -------
    w : float64 (n_blocks * block, n_indicators)

    Notes
    -----
    w_j = base_j u_j / sum_k base_k u_k with u_j ~ U(1 - delta, 1 + delta). delta = 0 gives the
    base weights exactly.
    """
    n_blocks = seeds.shape[0]
    m = base.shape[0]
    out = np.empty((n_blocks * block, m))
    lo = 1.0 - spread
    width = 2.0 * spread
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        for k in range(block):
            d = b * block + k
            for j in range(m):
                u = lo + width * np.random.random()
                out[d, j] = base[j] * u
            _normalise_row(out, d, base)
    return out


@parallel_twin(work=lambda n_indicators, seeds, block: n_indicators * seeds.size * block)
def simplex_weights(n_indicators, seeds, block):
    """Uniform draws on the whole simplex (SMAA), Dirichlet(1, ..., 1).

    Parameters
    ----------
    n_indicators : int
    seeds, block : as in :func:`dirichlet_weights`.

    Returns
    -------
    w : float64 (n_blocks * block, n_indicators)

    Notes
    -----
    w_j = e_j / sum_k e_k with e_j ~ Exp(1) (Lahdelma et al. 1998).
    """
    n_blocks = seeds.shape[0]
    m = n_indicators
    out = np.empty((n_blocks * block, m))
    base = np.empty(m)
    for j in range(m):
        base[j] = 1.0 / m
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        for k in range(block):
            d = b * block + k
            for j in range(m):
                out[d, j] = np.random.exponential(1.0)
            _normalise_row(out, d, base)
    return out


@parallel_twin(work=lambda gp, gs, ip, ishare, conc, seeds, block: ip.size * seeds.size * block)
def hierarchical_weights(
    group_parent, group_share, indicator_parent, indicator_share, concentration, seeds, block
):
    """Dirichlet draws at every level of an indicator hierarchy.

    Parameters
    ----------
    group_parent : int64 (n_groups,), index of each group's parent group (-1 = root); groups are
        in depth-first order, so a parent comes before its children.
    group_share : float64 (n_groups,), base share of each group within its parent.
    indicator_parent : int64 (n_indicators,), parent group of each indicator (-1 = root).
    indicator_share : float64 (n_indicators,), base share of each indicator within its parent.
    concentration : float, kappa > 0, used at every level.
    seeds, block : as in :func:`dirichlet_weights`.

    Returns
    -------
    w : float64 (n_blocks * block, n_indicators)

    Notes
    -----
    At every node (root and each group) the shares of its children (sub-groups and indicators)
    are drawn from Dirichlet(kappa * base shares); an indicator's weight is the product of the
    drawn shares on its path from the root. E[share] = base share at every level, so the draws
    respect the hierarchy. Children with a zero base share keep share 0.
    """
    n_blocks = seeds.shape[0]
    n_groups = group_parent.shape[0]
    m = indicator_parent.shape[0]
    out = np.empty((n_blocks * block, m))
    base = np.empty(m)
    # base weights = product of base shares (fallback only)
    gw0 = np.empty(n_groups)
    for g in range(n_groups):
        p = group_parent[g]
        gw0[g] = group_share[g] * (1.0 if p < 0 else gw0[p])
    for j in range(m):
        p = indicator_parent[j]
        base[j] = indicator_share[j] * (1.0 if p < 0 else gw0[p])
    s0 = 0.0
    for j in range(m):
        s0 += base[j]
    for j in range(m):
        base[j] /= s0
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        g_gamma = np.empty(n_groups)
        i_gamma = np.empty(m)
        tot = np.empty(n_groups + 1)  # slot 0 = root, slot g + 1 = group g
        gw = np.empty(n_groups)
        for k in range(block):
            d = b * block + k
            for s in range(n_groups + 1):
                tot[s] = 0.0
            # children drawn in a fixed order: groups, then indicators
            for g in range(n_groups):
                v = 0.0
                if group_share[g] > 0.0:
                    v = np.random.gamma(concentration * group_share[g], 1.0)
                g_gamma[g] = v
                tot[group_parent[g] + 1] += v
            for j in range(m):
                v = 0.0
                if indicator_share[j] > 0.0:
                    v = np.random.gamma(concentration * indicator_share[j], 1.0)
                i_gamma[j] = v
                tot[indicator_parent[j] + 1] += v
            ok = True
            for g in range(n_groups):
                p = group_parent[g]
                t = tot[p + 1]
                if t <= 0.0:
                    ok = False
                    break
                gw[g] = (g_gamma[g] / t) * (1.0 if p < 0 else gw[p])
            if ok:
                for j in range(m):
                    p = indicator_parent[j]
                    t = tot[p + 1]
                    if t <= 0.0:
                        ok = False
                        break
                    out[d, j] = (i_gamma[j] / t) * (1.0 if p < 0 else gw[p])
            if ok:
                _normalise_row(out, d, base)
            else:  # a whole level underflowed (tiny shapes): fall back to the base weights
                for j in range(m):
                    out[d, j] = base[j]
    return out


@parallel_twin(work=lambda n, seeds, block: n * seeds.size * block)
def bootstrap_indices(n, seeds, block):
    """Resampling with replacement: ``n`` indices in ``[0, n)`` for every replicate.

    Parameters
    ----------
    n : int, number of units (regions).
    seeds, block : as in :func:`dirichlet_weights` (replicates instead of draws).

    Returns
    -------
    idx : int64 (n_blocks * block, n)
    """
    n_blocks = seeds.shape[0]
    out = np.empty((n_blocks * block, n), dtype=np.int64)
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        for k in range(block):
            d = b * block + k
            for i in range(n):
                out[d, i] = np.random.randint(0, n)
    return out


@parallel_twin(work=lambda n, length, seeds, block: n * seeds.size * block)
def block_bootstrap_indices(n, length, seeds, block):
    """Moving-block bootstrap: ``n`` indices built from runs of ``length`` consecutive units.

    Parameters
    ----------
    n : int, number of units (years), n >= 1.
    length : int, block length, 1 <= length <= n.
    seeds, block : as in :func:`dirichlet_weights` (replicates instead of draws).

    Returns
    -------
    idx : int64 (n_blocks * block, n)

    Notes
    -----
    Starts are uniform on ``[0, n - length]``; runs are concatenated and cut at ``n``
    (Kuensch 1989).
    """
    n_blocks = seeds.shape[0]
    out = np.empty((n_blocks * block, n), dtype=np.int64)
    n_starts = n - length + 1
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        for k in range(block):
            d = b * block + k
            i = 0
            while i < n:
                s = np.random.randint(0, n_starts)
                for t in range(length):
                    if i >= n:
                        break
                    out[d, i] = s + t
                    i += 1
    return out
