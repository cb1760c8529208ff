"""DEMATEL kernels: normalisation, total-relation matrix, influence sums, expert bootstrap.

Arrays in, arrays out; inputs already validated by the API layer (float64, C-contiguous,
non-negative direct-relation matrices with zero diagonals).

Sources
-------
- DEMATEL: Gabus & Fontela (1973); steps as in Xia, Li & Yin (2020) Sustainability 12(7):2739,
  section 3.1.2 (N = Z / max row sum, T = N (I - N)^{-1}, R, C, R + C, R - C).
- Normalisation by max(max row sum, max column sum): Tzeng et al. (2007); JMcDM, pyDEMATEL.
- Grey-DEMATEL aggregation: Bai & Sarkis (2013) IJPE 146(1):281-292.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import grey as kg
from .twins import running_extreme

#: Normalisation codes (API strings "row" and "max").
NORM_ROW = 0
NORM_MAX = 1

#: Aggregation codes (API strings "cfcs_then_mean" and "grey_mean_then_cfcs").
AGG_CFCS_THEN_MEAN = 0
AGG_GREY_MEAN_THEN_CFCS = 1


@njit(cache=True)
def normalization_scale(z, mode):
    """Divisor s of the direct-relation matrix.

    ``NORM_ROW``: s = max_i sum_j z_ij (Xia et al. 2020, pyDecision);
    ``NORM_MAX``: s = max(max_i sum_j z_ij, max_j sum_i z_ij) (Tzeng et al. 2007, JMcDM).
    z : float64 (n, n) non-negative.
    """
    r, c = row_col_sums(z)
    max_row = 0.0
    for i in range(r.shape[0]):
        if r[i] > max_row:
            max_row = r[i]
    if mode == NORM_ROW:
        return max_row
    max_col = 0.0
    for j in range(c.shape[0]):
        if c[j] > max_col:
            max_col = c[j]
    return max(max_row, max_col)


@njit(cache=True)
def row_col_sums(a):
    """Row sums and column sums of a square (n, n) array, each summed in index order.

    Row-major; four rows at a time, so four independent running sums replace one long chain of
    dependent additions (the same result).
    """
    n = a.shape[0]
    r = np.zeros(n)
    c = np.zeros(n)
    i = 0
    while i + 4 <= n:
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        for j in range(n):
            a0 = a[i, j]
            a1 = a[i + 1, j]
            a2 = a[i + 2, j]
            a3 = a[i + 3, j]
            s0 += a0
            s1 += a1
            s2 += a2
            s3 += a3
            c[j] = (((c[j] + a0) + a1) + a2) + a3
        r[i] = s0
        r[i + 1] = s1
        r[i + 2] = s2
        r[i + 3] = s3
        i += 4
    for k in range(i, n):
        s0 = 0.0
        for j in range(n):
            s0 += a[k, j]
            c[j] += a[k, j]
        r[k] = s0
    return r, c


@njit(cache=True)
def relation_checks(n_mat, t):
    """One pass over N and T: (1-norm condition number of I - N, min of T, max |T|, number of
    non-finite entries of T). See :func:`condition_number_1`."""
    n = n_mat.shape[0]
    sa = np.zeros(n)
    si = np.zeros(n)
    lo = np.inf
    big = 0.0
    bad = 0
    for i in range(n):
        for j in range(n):
            e = 1.0 if i == j else 0.0
            v = t[i, j]
            sa[j] += abs(e - n_mat[i, j])
            si[j] += abs(v + e)
            bad += (v - v) != 0.0
            lo = v if v < lo else lo
            av = abs(v)
            big = av if av > big else big
    return sa.max() * si.max(), lo, big, bad


# numpy versions for small matrices (``_config.DEMATEL_NUMPY_MAX_N``): the same operations in the
# same order (sums from 0.0 in index order by cumsum, running extremes), so the same bits, and
# nothing to compile on a first run.


def _index_order_sums(a, axis):
    # sums along ``axis`` from 0.0 in index order, as the loops above
    zero = np.zeros((1, a.shape[1]) if axis == 0 else (a.shape[0], 1))
    return np.cumsum(np.concatenate((zero, a), axis=axis), axis=axis).take(-1, axis=axis)


def row_col_sums_numpy(a):
    """:func:`row_col_sums` in numpy."""
    return _index_order_sums(a, 1), _index_order_sums(a, 0)


def normalization_scale_numpy(z, mode):
    """:func:`normalization_scale` in numpy."""
    r, c = row_col_sums_numpy(z)
    max_row = max(0.0, float(running_extreme(r, True)))
    if mode == NORM_ROW:
        return max_row
    return max(max_row, max(0.0, float(running_extreme(c, True))))


def relation_checks_numpy(n_mat, t):
    """:func:`relation_checks` in numpy."""
    e = np.eye(n_mat.shape[0])
    with np.errstate(invalid="ignore"):
        sa = _index_order_sums(np.abs(e - n_mat), 0)
        si = _index_order_sums(np.abs(t + e), 0)
        bad = int(np.count_nonzero(~np.isfinite(t)))
    big = float(running_extreme(np.abs(t).ravel(), True))
    return float(sa.max() * si.max()), float(running_extreme(t.ravel(), False)), max(0.0, big), bad


def influence_sums_numpy(t):
    """:func:`influence_sums` in numpy."""
    r, c = row_col_sums_numpy(t)
    return r, c, r + c, r - c


def total_relation_matrix(n_mat):
    """Total-relation matrix T = N (I - N)^{-1} by one LU solve.

    Parameters
    ----------
    n_mat : float64 (n, n), normalised direct-relation matrix (spectral radius < 1).

    Returns
    -------
    float64 (n, n)

    Notes
    -----
    N (I - N)^{-1} = (I - N)^{-1} - I, so T = X - I with (I - N) X = I solved by LAPACK
    ``gesv`` (partial-pivoting LU); no explicit inverse and no matrix product. Raises
    ``np.linalg.LinAlgError`` when I - N is exactly singular.

    This is deliberately numpy, not ``@njit``: numba's ``np.linalg.solve`` calls SciPy's
    bundled OpenBLAS, a second BLAS with its own thread pool. Alternating with numpy's pool
    (which every caller uses) cost about 120 ms per switch on the 2-core reference machine
    (the idle pool's threads spin) and ran 2.4x slower than numpy at n = 2,000.
    """
    n = n_mat.shape[0]
    eye = np.eye(n)
    x = np.linalg.solve(eye - n_mat, eye)
    x[np.diag_indices(n)] -= 1.0
    return x


@njit(cache=True)
def influence_sums(t):
    """R (row sums, influence given), C (column sums, received), R + C, R - C of T (n, n).

    Every R_i and C_j is summed in index order (:func:`row_col_sums`).
    """
    r, c = row_col_sums(t)
    return r, c, r + c, r - c


@njit(cache=True)
def condition_number_1(n_mat, t):
    """1-norm condition number of I - N from T: ||I - N||_1 ||T + I||_1 (exact, O(n^2)).

    The column sums of |I - N| and |T + I| are accumulated row by row (row-major, contiguous).
    """
    n = n_mat.shape[0]
    sa = np.zeros(n)
    si = np.zeros(n)
    for i in range(n):
        for j in range(n):
            e = 1.0 if i == j else 0.0
            sa[j] += abs(e - n_mat[i, j])
            si[j] += abs(t[i, j] + e)
    return sa.max() * si.max()


@njit(cache=True)
def _lu_row_col_sums(m, lu, piv, x, y):
    """R and C of T for M = I - N without forming T (small n; used by the bootstrap).

    R = (I - N)^{-1} 1 - 1 and C^T = 1^T (I - N)^{-1} - 1^T: one partial-pivoting LU of M
    (in ``lu``), one solve with M and one with M^T. Returns False if M is singular.
    """
    n = m.shape[0]
    for i in range(n):
        piv[i] = i
        for j in range(n):
            lu[i, j] = m[i, j]
    for k in range(n):
        p = k
        big = abs(lu[k, k])
        for i in range(k + 1, n):
            v = abs(lu[i, k])
            if v > big:
                big = v
                p = i
        if big == 0.0:
            return False
        if p != k:
            for j in range(n):
                tmp = lu[k, j]
                lu[k, j] = lu[p, j]
                lu[p, j] = tmp
            tmp_i = piv[k]
            piv[k] = piv[p]
            piv[p] = tmp_i
        inv_pivot = 1.0 / lu[k, k]
        for i in range(k + 1, n):
            f = lu[i, k] * inv_pivot
            lu[i, k] = f
            if f != 0.0:
                for j in range(k + 1, n):
                    lu[i, j] -= f * lu[k, j]
    # P M = L U. Solve M x = 1: L U x = P 1 = 1.
    for i in range(n):
        s = 1.0
        for j in range(i):
            s -= lu[i, j] * x[j]
        x[i] = s
    for i in range(n - 1, -1, -1):
        s = x[i]
        for j in range(i + 1, n):
            s -= lu[i, j] * x[j]
        x[i] = s / lu[i, i]
    # Solve M^T y = 1: U^T L^T P y = 1 -> U^T w = 1, L^T v = w, y = P^T v.
    w = np.empty(n)
    for i in range(n):
        s = 1.0
        for j in range(i):
            s -= lu[j, i] * w[j]
        w[i] = s / lu[i, i]
    for i in range(n - 1, -1, -1):
        s = w[i]
        for j in range(i + 1, n):
            s -= lu[j, i] * w[j]
        w[i] = s
    for i in range(n):
        y[piv[i]] = w[i]
    for i in range(n):
        x[i] -= 1.0
        y[i] -= 1.0
    return True


@njit(cache=True)
def _aggregate(a, b, w, counts, agg, scope, z, lo, up):
    """Weighted mean over a resample given by expert ``counts`` (weights renormalised) -> z.

    z = sum_e counts[e] w[e] X_e / sum_e counts[e] w[e], summed in expert order (so the result
    depends only on the multiset of resampled experts, not on the draw order).
    agg == AGG_CFCS_THEN_MEAN: ``a`` holds per-expert crisp matrices X_e.
    agg == AGG_GREY_MEAN_THEN_CFCS: ``a``/``b`` hold lower/upper bounds; mean bounds, then CFCS.
    The diagonal is set to 0.
    """
    n = z.shape[0]
    k_exp = a.shape[0]
    wsum = 0.0
    for e in range(k_exp):
        wsum += counts[e] * w[e]
    if agg == AGG_CFCS_THEN_MEAN:
        for i in range(n):
            for j in range(n):
                z[i, j] = 0.0
        for e in range(k_exp):
            if counts[e] == 0:
                continue
            f = counts[e] * w[e] / wsum
            for i in range(n):
                for j in range(n):
                    z[i, j] += f * a[e, i, j]
    else:
        for i in range(n):
            for j in range(n):
                lo[i, j] = 0.0
                up[i, j] = 0.0
        for e in range(k_exp):
            if counts[e] == 0:
                continue
            f = counts[e] * w[e] / wsum
            for i in range(n):
                for j in range(n):
                    lo[i, j] += f * a[e, i, j]
                    up[i, j] += f * b[e, i, j]
        zc = kg.cfcs_crisp(lo, up, scope)
        for i in range(n):
            for j in range(n):
                z[i, j] = zc[i, j]
    for i in range(n):
        z[i, i] = 0.0


@njit(cache=True)
def _draw_experts(idx, k_exp):
    """Fill ``idx`` with k_exp expert indices drawn with replacement (numba's generator)."""
    for e in range(idx.shape[0]):
        idx[e] = np.random.randint(0, k_exp)


@njit(cache=True)
def bootstrap_draws(k_exp, seeds, n_boot, block):
    """Expert indices (n_boot, k_exp) of every resample: block ``blk`` reseeds with seeds[blk]."""
    out = np.empty((n_boot, k_exp), dtype=np.int64)
    idx = np.empty(k_exp, dtype=np.int64)
    for blk in range(seeds.shape[0]):
        np.random.seed(seeds[blk])
        for q in range(blk * block, min(blk * block + block, n_boot)):
            _draw_experts(idx, k_exp)
            out[q] = idx
    return out


@njit(cache=True)
def bootstrap_counts(k_exp, seeds, n_boot, block):
    """How often each expert is drawn in each resample: int64 (n_boot, k_exp).

    Same draws as :func:`bootstrap_draws` (block ``blk`` reseeds numba's generator with
    seeds[blk]). Serial on purpose: the draws are ~0.1 us each, less than a parallel region.
    """
    counts = np.zeros((n_boot, k_exp), dtype=np.int64)
    for blk in range(seeds.shape[0]):
        np.random.seed(seeds[blk])
        idx = np.empty(k_exp, dtype=np.int64)
        for q in range(blk * block, min(blk * block + block, n_boot)):
            _draw_experts(idx, k_exp)
            for e in range(k_exp):
                counts[q, idx[e]] += 1
    return counts


@njit(cache=True)
def _resample_one(a, b, w, counts_q, agg, scope, norm_mode, r_q, c_q):
    """R and C (into r_q, c_q) of the resample with expert counts ``counts_q``."""
    n = a.shape[1]
    z = np.empty((n, n))
    lo = np.empty((n, n))
    up = np.empty((n, n))
    m = np.empty((n, n))
    lu = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    x = np.empty(n)
    y = np.empty(n)
    _aggregate(a, b, w, counts_q, agg, scope, z, lo, up)
    s = normalization_scale(z, norm_mode)
    ok = s > 0.0
    if ok:
        inv_s = 1.0 / s
        for i in range(n):
            for j in range(n):
                m[i, j] = -z[i, j] * inv_s
            m[i, i] += 1.0
        ok = _lu_row_col_sums(m, lu, piv, x, y)
    for i in range(n):
        r_q[i] = x[i] if ok else np.nan
        c_q[i] = y[i] if ok else np.nan


@njit(cache=True, parallel=True)
def _resample_rows_parallel(a, b, w, counts, agg, scope, norm_mode, r, c):
    for q in prange(counts.shape[0]):
        _resample_one(a, b, w, counts[q], agg, scope, norm_mode, r[q], c[q])


@njit(cache=True)
def _resample_rows_serial(a, b, w, counts, agg, scope, norm_mode, r, c):
    for q in range(counts.shape[0]):
        _resample_one(a, b, w, counts[q], agg, scope, norm_mode, r[q], c[q])


#: Serial below this much work (resamples x n^3): a parallel region costs more than it saves.
PARALLEL_MIN_WORK = 1e7


def resample_row_col_sums(a, b, w, counts, agg, scope, norm_mode):
    """R and C of the DEMATEL of each resample given by a row of expert ``counts``.

    Parameters
    ----------
    a, b : float64 (n_experts, n, n)
        Per-expert crisp matrices (``agg == AGG_CFCS_THEN_MEAN``; ``b`` unused) or grey
        lower/upper bounds (``agg == AGG_GREY_MEAN_THEN_CFCS``).
    w : float64 (n_experts,), expert weights > 0 (renormalised over each resample).
    counts : int64 (m, n_experts)
    agg, scope, norm_mode : int codes.

    Returns
    -------
    r, c : float64 (m, n); NaN rows where the aggregated matrix is all zero or I - N singular.

    Notes
    -----
    Each resample aggregates, normalises, factorises I - N once (LU with partial pivoting) and
    gets R = (I - N)^{-1} 1 - 1 and C = (I - N)^{-T} 1 - 1 from two pairs of triangular solves,
    without forming T. Work space O(n^2) per resample. Rows run in parallel (prange) when
    m n^3 >= PARALLEL_MIN_WORK, else serially; each row's numbers are the same either way.
    """
    m_count = counts.shape[0]
    n = a.shape[1]
    r = np.empty((m_count, n))
    c = np.empty((m_count, n))
    if m_count * float(n) ** 3 >= PARALLEL_MIN_WORK:
        _resample_rows_parallel(a, b, w, counts, agg, scope, norm_mode, r, c)
    else:
        _resample_rows_serial(a, b, w, counts, agg, scope, norm_mode, r, c)
    return r, c


def bootstrap_experts(a, b, w, agg, scope, norm_mode, seeds, n_boot, block):
    """Resample experts with replacement ``n_boot`` times; R and C of every resample.

    Parameters
    ----------
    a, b, w, agg, scope, norm_mode
        As in :func:`resample_row_col_sums`.
    seeds : int64 (ceil(n_boot / block),), one seed per block of ``block`` resamples
        (``fastinno._random.block_seeds``).
    n_boot, block : int

    Returns
    -------
    r, c : float64 (n_boot, n)

    Notes
    -----
    A resample's R and C depend only on how often each expert was drawn, so the kernel draws
    the count vectors (:func:`bootstrap_counts`, parallel over seed blocks), computes each
    *distinct* count vector once (:func:`resample_row_col_sums`, parallel) and scatters the
    results back. With K experts there are at most C(2K - 1, K) distinct resamples (462 for
    K = 6), so B = 10,000 needs a few hundred factorisations. Results equal a per-resample
    computation bit for bit and do not depend on the thread count. Memory: O(n_boot (K + n)).
    """
    k_exp = a.shape[0]
    counts = bootstrap_counts(k_exp, seeds, n_boot, block)
    if (k_exp + 1) ** k_exp < 2**62:
        keys = counts @ ((k_exp + 1) ** np.arange(k_exp, dtype=np.int64))
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        uniq = np.ascontiguousarray(counts[first])
    else:
        uniq, inverse = np.unique(counts, axis=0, return_inverse=True)
        uniq = np.ascontiguousarray(uniq)
    r_u, c_u = resample_row_col_sums(a, b, w, uniq, agg, scope, norm_mode)
    inverse = inverse.reshape(-1)
    return r_u[inverse], c_u[inverse]


def bootstrap_distinct(a, b, w, agg, scope, norm_mode, seeds, n_boot, block, chunk_blocks=64):
    """Expert bootstrap summarised by its distinct resamples: memory independent of ``n_boot``.

    Parameters
    ----------
    a, b, w, agg, scope, norm_mode, seeds, n_boot, block
        As in :func:`bootstrap_experts`.
    chunk_blocks : int
        Seed blocks drawn per chunk (draw memory O(chunk_blocks * block * K)).

    Returns
    -------
    counts : int64 (U, K)
        The distinct count vectors (how often each expert was drawn).
    multiplicity : int64 (U,)
        How many of the ``n_boot`` resamples had each count vector (sums to n_boot).
    r, c : float64 (U, n)
        R and C of each distinct resample (NaN rows for degenerate resamples).

    Notes
    -----
    The draws are those of :func:`bootstrap_counts` (identical for any chunking and thread
    count). Chunks of draws are reduced to (count vector -> multiplicity) as they come, so the
    memory is O(U (K + n)) with U <= min(n_boot, C(2K - 1, K)) distinct resamples (462 for
    K = 6), not O(n_boot). Percentiles over the n_boot resamples are then exact weighted
    percentiles of the U results (:func:`weighted_percentile`).
    """
    k_exp = a.shape[0]
    n_blocks = seeds.shape[0]
    # a count vector as one int64 in base K + 1 when it fits, else as raw bytes
    int_keys = (k_exp + 1) ** k_exp < 2**62
    powers = (k_exp + 1) ** np.arange(k_exp, dtype=np.int64)
    mult: dict = {}
    for c0 in range(0, n_blocks, chunk_blocks):
        c1 = min(c0 + chunk_blocks, n_blocks)
        n_chunk = min(c1 * block, n_boot) - c0 * block
        counts = bootstrap_counts(k_exp, seeds[c0:c1], n_chunk, block)
        if int_keys:
            keys, freq = np.unique(counts @ powers, return_counts=True)
            items = zip(keys.tolist(), freq.tolist())
        else:
            rows, freq = np.unique(counts, axis=0, return_counts=True)
            items = zip((r.tobytes() for r in rows), freq.tolist())
        for key, f in items:
            mult[key] = mult.get(key, 0) + f
    keys = sorted(mult)
    if int_keys:
        uniq = (np.array(keys, dtype=np.int64)[:, None] // powers) % (k_exp + 1)
    else:
        uniq = np.array([np.frombuffer(k, dtype=np.int64) for k in keys], dtype=np.int64)
    uniq = np.ascontiguousarray(uniq.reshape(len(keys), k_exp))
    multiplicity = np.array([mult[k] for k in keys], dtype=np.int64)
    r_u, c_u = resample_row_col_sums(a, b, w, uniq, agg, scope, norm_mode)
    return uniq, multiplicity, r_u, c_u


def weighted_percentile(values, weights, q):
    """Percentiles of a sample given as distinct rows with integer multiplicities.

    Parameters
    ----------
    values : float64 (U, n); weights : int64 (U,) > 0; q : sequence of percentiles in [0, 100].

    Returns
    -------
    float64 (len(q), n): for each column, ``np.percentile(np.repeat(values[:, j], weights), q)``
    (linear interpolation between order statistics at (N - 1) q / 100) without expanding.
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.int64)
    total = int(weights.sum())
    q = np.asarray(q, dtype=np.float64)
    h = (total - 1) * q / 100.0
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, total - 1)
    frac = h - lo
    out = np.empty((q.shape[0], values.shape[1]))
    for j in range(values.shape[1]):
        order = np.argsort(values[:, j], kind="stable")
        v = values[order, j]
        cum = np.cumsum(weights[order])
        v_lo = v[np.searchsorted(cum, lo, side="right")]
        v_hi = v[np.searchsorted(cum, hi, side="right")]
        diff = v_hi - v_lo
        out[:, j] = np.where(frac < 0.5, v_lo + diff * frac, v_hi - diff * (1.0 - frac))
    return out
