"""Grey-DEMATEL and plain DEMATEL: kernels vs naive, refvectors, properties, readers, CLI."""

from __future__ import annotations

import json

import naive
import numba
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
import survey_cases
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from refvectors import load_refvectors
from survey_cases import GREY_LO, GREY_UP, long_frame, random_levels

import fastinno as fi
from fastinno import _config, _options
from fastinno._random import block_seeds
from fastinno.cli import cli
from fastinno.data.linguistic import PAPER_SCALE
from fastinno.errors import (
    FastinnoWarning,
    InputError,
    SchemaError,
    SingularMatrixError,
)
from fastinno.kernels import dematel as kd
from fastinno.kernels import grey as kg
from fastinno.methods import dematel as md

HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# Published / computed reference vectors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_refvectors("dematel"), ids=lambda c: c["id"])
def test_dematel_refvectors(case):
    # source: see case["source"] (JMcDM test matrix; pyDEMATEL-verified max normalisation)
    tol = case["tolerance"]
    res = fi.dematel(np.array(case["inputs"]["direct_matrix"]), normalization=case["inputs"]["normalization"])
    exp = case["expected"]
    assert res.scale_factor == pytest.approx(exp["s"], abs=tol)
    npt.assert_allclose(res.normalized, exp["N"], rtol=0, atol=tol)
    npt.assert_allclose(res.T, exp["T"], rtol=0, atol=tol)
    for key in ("R", "C", "prominence", "relation"):
        npt.assert_allclose(res.factors[key].to_numpy(), exp[key], rtol=0, atol=tol)
    if "published_N" in exp:  # printed to 3 decimals
        npt.assert_allclose(res.normalized, exp["published_N"], rtol=0, atol=0.5e-3)


@pytest.mark.parametrize(
    "case", [c for c in load_refvectors("grey_dematel") if c["method"] == "cfcs"], ids=lambda c: c["id"]
)
def test_cfcs_refvectors(case):
    # source: case["source"] (pyDecision demo matrix through the Bai & Sarkis 2013 grey scale)
    scope = _options.code("cfcs_scope", case["inputs"]["cfcs_scope"])
    lo = np.array(case["inputs"]["lower"])
    up = np.array(case["inputs"]["upper"])
    npt.assert_allclose(kg.cfcs_crisp(lo, up, scope), case["expected"]["crisp"], rtol=0, atol=case["tolerance"])
    npt.assert_allclose(
        naive.cfcs_crisp(lo, up, case["inputs"]["cfcs_scope"]), case["expected"]["crisp"], rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    "case", [c for c in load_refvectors("grey_dematel") if c["method"] == "grey_dematel"], ids=lambda c: c["id"]
)
def test_grey_dematel_refvectors(case):
    # source: case["source"] (expert matrices from pyDecision, JMcDM, onlineoutput; Bai & Sarkis scale)
    inp = case["inputs"]
    exp = case["expected"]
    tol = case["tolerance"]
    res = fi.grey_dematel(
        np.array(inp["experts_linguistic"]),
        scale="0-4",
        expert_weights=inp["expert_grey_weights"],
        cfcs_scope=inp["cfcs_scope"],
        aggregation=inp["aggregation"],
        normalization=inp["dematel_normalization"],
    )
    npt.assert_allclose(res.expert_weights, exp["lambda"], rtol=0, atol=tol)
    npt.assert_allclose(res.direct, exp["Z"], rtol=0, atol=tol)
    npt.assert_allclose(res.T, exp["T"], rtol=0, atol=tol)
    for key in ("R", "C", "prominence", "relation"):
        npt.assert_allclose(res.factors[key].to_numpy(), exp[key], rtol=0, atol=tol)


def test_grey_dematel_refvector_row_scope_matches_naive():
    # the same experts with the row CFCS scope (Bai & Sarkis' literal min_j/max_j reading)
    case = [c for c in load_refvectors("grey_dematel") if c["id"] == "grey-dematel-02"][0]
    lv = np.array(case["inputs"]["experts_linguistic"])
    w = np.array(case["inputs"]["expert_grey_weights"]).mean(axis=1)
    res = fi.grey_dematel(lv, scale="0-4", expert_weights=case["inputs"]["expert_grey_weights"], cfcs_scope="row")
    ref = naive.grey_dematel(GREY_LO[lv], GREY_UP[lv], w, scope="row")
    npt.assert_allclose(res.direct, ref["Z"], rtol=1e-12)
    npt.assert_allclose(res.T, ref["T"], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Kernels vs naive references (rtol 1e-12)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["global", "row"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cfcs_kernel_vs_naive(scope, seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(2, 9)
    lo = rng.uniform(0, 1, size=(n, n))
    up = lo + rng.uniform(0, 0.5, size=(n, n))
    npt.assert_allclose(kg.cfcs_crisp(lo, up, _options.code("cfcs_scope", scope)), naive.cfcs_crisp(lo, up, scope), rtol=1e-12)


def test_cfcs_degenerate_scope_returns_the_white_number():
    lo = np.full((3, 3), 0.5)
    npt.assert_array_equal(kg.cfcs_crisp(lo, lo, kg.SCOPE_GLOBAL), lo)
    lo2 = np.zeros((2, 2))
    up2 = np.array([[0.0, 0.0], [0.25, 0.5]])
    out = kg.cfcs_crisp(lo2, up2, kg.SCOPE_ROW)
    npt.assert_array_equal(out[0], [0.0, 0.0])  # row 0 is all [0, 0]


@pytest.mark.parametrize("normalization", ["row", "max"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dematel_kernels_vs_naive(normalization, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 15))
    z = rng.uniform(0, 4, size=(n, n))
    np.fill_diagonal(z, 0.0)
    ref = naive.dematel(z, normalization)
    s = kd.normalization_scale(z, _options.code("normalization", normalization))
    assert s == pytest.approx(ref["s"], rel=1e-12)
    t = kd.total_relation_matrix(z / s)
    npt.assert_allclose(t, ref["T"], rtol=1e-12, atol=1e-15)
    r, c, p, rel = kd.influence_sums(t)
    npt.assert_allclose(r, ref["R"], rtol=1e-12)
    npt.assert_allclose(c, ref["C"], rtol=1e-12)
    npt.assert_allclose(p, ref["prominence"], rtol=1e-12)
    npt.assert_allclose(rel, ref["relation"], rtol=1e-12, atol=1e-14)
    cond = kd.condition_number_1(z / s, t)
    assert cond == pytest.approx(np.linalg.cond(np.eye(n) - z / s, 1), rel=1e-10)


@pytest.mark.parametrize("aggregation", ["cfcs_then_mean", "grey_mean_then_cfcs"])
@pytest.mark.parametrize("scope", ["global", "row"])
@pytest.mark.parametrize("normalization", ["row", "max"])
def test_grey_dematel_vs_naive(aggregation, scope, normalization):
    rng = np.random.default_rng(5)
    lv = random_levels(rng, 4, 7)
    w = np.array([0.85, 0.7, 0.55, 0.4])
    res = fi.grey_dematel(
        lv, scale="0-4", expert_weights=["VI", "MI", "I", "LI"], cfcs_scope=scope,
        aggregation=aggregation, normalization=normalization,
    )
    ref = naive.grey_dematel(GREY_LO[lv], GREY_UP[lv], w, scope, aggregation, normalization)
    npt.assert_allclose(res.direct, ref["Z"], rtol=1e-12)
    npt.assert_allclose(res.T, ref["T"], rtol=1e-12)
    npt.assert_allclose(res.factors["relation"].to_numpy(), ref["relation"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("normalization", ["row", "max"])
def test_bootstrap_kernel_vs_naive(normalization):
    rng = np.random.default_rng(3)
    k, n, b_count = 5, 6, 300
    crisp = rng.uniform(0, 1, size=(k, n, n))
    for e in range(k):
        np.fill_diagonal(crisp[e], 0.0)
    w = rng.uniform(0.2, 1.0, size=k)
    seeds = block_seeds(11, 0, -(-b_count // _config.DRAW_BLOCK))
    norm = _options.code("normalization", normalization)
    r, c = kd.bootstrap_experts(crisp, crisp, w, kd.AGG_CFCS_THEN_MEAN, 0, norm, seeds, b_count, _config.DRAW_BLOCK)
    draws = kd.bootstrap_draws(k, seeds, b_count, _config.DRAW_BLOCK)
    counts = kd.bootstrap_counts(k, seeds, b_count, _config.DRAW_BLOCK)
    npt.assert_array_equal(counts, np.array([np.bincount(d, minlength=k) for d in draws]))
    r_ref, c_ref = naive.bootstrap_experts(crisp, w, draws, normalization)
    npt.assert_allclose(r, r_ref, rtol=1e-12)
    npt.assert_allclose(c, c_ref, rtol=1e-12)


@pytest.mark.parametrize("k", [2, 6, 17])  # 17 experts: count vectors keyed by bytes, not int64
def test_bootstrap_distinct_equals_full_resamples(k):
    rng = np.random.default_rng(k)
    n, b_count = 4, 700
    crisp = rng.uniform(0, 1, size=(k, n, n))
    w = rng.uniform(0.2, 1.0, size=k)
    seeds = block_seeds(k, 0, -(-b_count // 64))
    r_full, c_full = kd.bootstrap_experts(crisp, crisp, w, 0, 0, 0, seeds, b_count, 64)
    counts = kd.bootstrap_counts(k, seeds, b_count, 64)
    for chunk in (1, 3, 64):  # results do not depend on how the draws are chunked
        uniq, mult, r, c = kd.bootstrap_distinct(crisp, crisp, w, 0, 0, 0, seeds, b_count, 64, chunk_blocks=chunk)
        assert mult.sum() == b_count and len(np.unique(uniq, axis=0)) == len(uniq)
        assert (uniq.sum(axis=1) == k).all()
        npt.assert_array_equal(np.sort(np.repeat(r, mult, axis=0), axis=0), np.sort(r_full, axis=0))
        npt.assert_array_equal(np.sort(np.repeat(c, mult, axis=0), axis=0), np.sort(c_full, axis=0))
        # each distinct count vector occurs as often as its multiplicity says
        for row, m in zip(uniq[:20], mult[:20]):
            assert (counts == row).all(axis=1).sum() == m


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_percentile_equals_expanded_numpy(seed):
    rng = np.random.default_rng(seed)
    u = int(rng.integers(1, 30))
    values = rng.normal(size=(u, 3))
    values[: u // 2, 0] = 1.5  # ties
    mult = rng.integers(1, 9, size=u)
    q = [0, 2.5, 25, 50, 97.5, 100]
    got = kd.weighted_percentile(values, mult, q)
    npt.assert_allclose(got, np.percentile(np.repeat(values, mult, axis=0), q, axis=0), rtol=1e-14, atol=1e-15)


def test_bootstrap_grey_mean_then_cfcs_vs_naive():
    rng = np.random.default_rng(4)
    lv = random_levels(rng, 4, 5)
    lo, up = GREY_LO[lv], GREY_UP[lv]
    w = np.array([0.4, 0.3, 0.2, 0.1])
    seeds = block_seeds(2, 0, 1)
    r, c = kd.bootstrap_experts(lo, up, w, kd.AGG_GREY_MEAN_THEN_CFCS, kg.SCOPE_ROW, kd.NORM_ROW, seeds, 40, 64)
    draws = kd.bootstrap_draws(4, seeds, 40, 64)
    for q in range(40):
        idx = draws[q]
        ref = naive.grey_dematel(lo[idx], up[idx], w[idx], "row", "grey_mean_then_cfcs", "row")
        npt.assert_allclose(r[q], ref["R"], rtol=1e-12)
        npt.assert_allclose(c[q], ref["C"], rtol=1e-12)


def test_bootstrap_is_thread_count_independent():
    rng = np.random.default_rng(8)
    lv = random_levels(rng, 6, 8)
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = fi.grey_dematel(lv, scale="0-4", replicates=500, seed=42)
    finally:
        numba.set_num_threads(default)
    many = fi.grey_dematel(lv, scale="0-4", replicates=500, seed=42)
    assert one.factors.equals(many.factors)
    other = fi.grey_dematel(lv, scale="0-4", replicates=500, seed=43)
    assert not other.factors.equals(many.factors)
    assert many.options["seed"] == 42 and many.options["n_valid_resamples"] == 500


def test_bootstrap_columns_and_identical_experts():
    rng = np.random.default_rng(9)
    one = random_levels(rng, 1, 6)
    lv = np.repeat(one, 4, axis=0)  # identical experts: every resample is the point estimate
    res = fi.grey_dematel(lv, scale="0-4", replicates=200, seed=1, ci=0.9)
    f = res.factors
    for key in ("R", "C", "prominence", "relation"):
        npt.assert_allclose(f[f"{key}_lower"].to_numpy(), f[key].to_numpy(), rtol=1e-12)
        npt.assert_allclose(f[f"{key}_upper"].to_numpy(), f[key].to_numpy(), rtol=1e-12)
    npt.assert_array_equal(f["p_cause"].to_numpy(), (f["relation"].to_numpy() > 0).astype(float))
    with pytest.raises(InputError, match="at least 2 experts"):
        fi.grey_dematel(one, scale="0-4", replicates=10)
    with pytest.raises(InputError, match="ci must be"):
        fi.grey_dematel(lv, scale="0-4", replicates=10, ci=1.5)


def test_bootstrap_percentiles_match_numpy_on_the_resamples():
    rng = np.random.default_rng(10)
    lv = random_levels(rng, 5, 6)
    res = fi.grey_dematel(lv, scale="0-4", replicates=256, seed=5)
    seeds = block_seeds(5, 0, 4)
    crisp = kg.cfcs_experts(GREY_LO[lv], GREY_UP[lv], kg.SCOPE_GLOBAL)
    w = np.full(5, 0.2)
    r, c = kd.bootstrap_experts(crisp, crisp, w, 0, 0, 0, seeds, 256, 64)
    npt.assert_allclose(res.factors["relation_lower"].to_numpy(), np.percentile(r - c, 2.5, axis=0), rtol=1e-12)
    npt.assert_allclose(res.factors["p_cause"].to_numpy(), ((r - c) > 0).mean(axis=0))


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@st.composite
def direct_matrices(draw):
    n = draw(st.integers(2, 7))
    vals = draw(st.lists(st.integers(0, 4), min_size=n * n, max_size=n * n))
    z = np.array(vals, dtype=float).reshape(n, n)
    np.fill_diagonal(z, 0.0)
    if z.sum() == 0:
        z[0, 1] = 1.0
    return z


def _solvable(z, normalization):
    try:
        return fi.dematel(z, normalization=normalization)
    except SingularMatrixError:
        return None


@HYP
@given(z=direct_matrices(), normalization=st.sampled_from(["row", "max"]))
def test_property_identities(z, normalization):
    res = _solvable(z, normalization)
    if res is None:
        return
    f = res.factors
    r, c = f["R"].to_numpy(), f["C"].to_numpy()
    npt.assert_allclose(f["prominence"].to_numpy(), r + c, rtol=1e-13)
    npt.assert_allclose(f["relation"].to_numpy(), r - c, rtol=1e-13, atol=1e-15)
    assert r.sum() == pytest.approx(c.sum(), rel=1e-12)
    assert f["relation"].sum() == pytest.approx(0.0, abs=1e-10 * max(1.0, r.sum()))
    t, n_mat = res.T, res.normalized
    npt.assert_allclose(t, n_mat + n_mat @ t, rtol=1e-9, atol=1e-12 * np.abs(t).max())
    assert (t >= -1e-12).all()
    assert ((f["role"] == "cause").to_numpy() == (f["relation"].to_numpy() > 0)).all()


@HYP
@given(z=direct_matrices(), scale=st.floats(0.01, 100.0), normalization=st.sampled_from(["row", "max"]))
def test_property_roles_invariant_to_scaling(z, scale, normalization):
    a = _solvable(z, normalization)
    if a is None:
        return
    b = fi.dematel(z * scale, normalization=normalization)
    npt.assert_allclose(b.T, a.T, rtol=1e-10, atol=1e-13)
    rel = a.factors["relation"].to_numpy()
    clear = np.abs(rel) > 1e-9
    assert (a.factors["role"].to_numpy()[clear] == b.factors["role"].to_numpy()[clear]).all()


@HYP
@given(seed=st.integers(0, 10_000), factor=st.floats(0.1, 10.0))
def test_property_grey_roles_invariant_to_scaling_the_scale(seed, factor):
    # multiplying every grey bound of the scale by c scales each CFCS value by c (global scope)
    rng = np.random.default_rng(seed)
    lv = random_levels(rng, 3, 5)
    levels = [
        {"code": i, "label": lab, "lower": lo * factor, "upper": up * factor}
        for i, (lab, lo, up) in enumerate(zip(PAPER_SCALE.labels, GREY_LO, GREY_UP))
    ]
    try:
        a = fi.grey_dematel(lv, scale="0-4")
    except (SingularMatrixError, fi.DegenerateDataError):
        return
    b = fi.grey_dematel(lv, scale={"name": "scaled", "levels": levels})
    npt.assert_allclose(b.direct, a.direct * factor, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(b.T, a.T, rtol=1e-10, atol=1e-13)
    clear = np.abs(a.factors["relation"].to_numpy()) > 1e-9
    assert (a.factors["role"].to_numpy()[clear] == b.factors["role"].to_numpy()[clear]).all()


@HYP
@given(z=direct_matrices())
def test_property_permuting_factors_permutes_results(z):
    res = _solvable(z, "row")
    if res is None:
        return
    n = z.shape[0]
    perm = np.random.default_rng(n).permutation(n)
    res_p = fi.dematel(z[perm][:, perm])
    npt.assert_allclose(res_p.T, res.T[perm][:, perm], rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# API: results, thresholds, orderings, errors
# ---------------------------------------------------------------------------------------------


def test_result_frames_and_orderings():
    z = np.array([[0, 3, 1], [1, 0, 0], [2, 2, 0]], dtype=float)
    res = fi.dematel(z, factors=["A", "B", "X"])
    assert res.factors.columns == ["code", "name", "group", "R", "C", "prominence", "relation", "role"]
    assert res.total_relation.columns == ["factor", "A", "B", "X"]
    npt.assert_array_equal(res.total_relation.drop("factor").to_numpy(), res.T)
    assert res.relations.columns == ["from", "to", "t", "above_threshold"]
    assert res.relations.height == 6  # off-diagonal pairs
    assert res.threshold == pytest.approx(res.T.mean())
    assert (res.relations["above_threshold"] == (res.relations["t"] > res.T.mean())).all()
    order = sorted(range(3), key=lambda i: -res.factors["prominence"][i])
    assert res.orderings["prominence"] == " > ".join(["A", "B", "X"][i] for i in order)
    assert set(res.orderings) == {"R", "C", "prominence", "relation"}
    assert res.codes == ("A", "B", "X")
    assert set(res.causes) == set(res.factors.filter(pl.col("relation") > 0)["code"])
    assert res.to_polars() is res.factors


def test_orderings_mark_ties():
    z = np.array([[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [0, 0, 0, 0]], dtype=float)
    res = fi.dematel(z, normalization="max", threshold=0.5)
    assert res.orderings["R"] == "C1 = C2 = C3 > C4"


def test_thresholds():
    z = np.array([[0, 3, 1, 0], [1, 0, 0, 2], [2, 2, 0, 1], [0, 1, 3, 0]], dtype=float)
    t = fi.dematel(z).T
    assert fi.dematel(z, threshold="mean+1sd").threshold == pytest.approx(t.mean() + t.std())
    assert fi.dematel(z, threshold="mean + 0.5 sd").threshold == pytest.approx(t.mean() + 0.5 * t.std())
    assert fi.dematel(z, threshold=0.2).threshold == 0.2
    with pytest.raises(InputError, match="threshold must be"):
        fi.dematel(z, threshold="median")
    with pytest.raises(InputError, match="threshold must be"):
        fi.dematel(z, threshold=True)


def test_negative_threshold_is_an_error():
    z = np.array([[0, 3, 1], [1, 0, 0], [2, 2, 0]], dtype=float)
    with pytest.raises(InputError, match=r"threshold must be >= 0 .*'mean'.*got -0.1"):
        fi.dematel(z, threshold=-0.1)
    assert fi.dematel(z, threshold=0).threshold == 0.0


def test_ragged_list_of_matrices_names_the_shapes():
    with pytest.raises(InputError, match=r"same square shape.*\(3, 3\), \(4, 4\)"):
        fi.dematel([np.ones((3, 3)), np.ones((4, 4)), np.ones((3, 3))])


def test_relations_frame_is_the_off_diagonal_of_t_in_row_order():
    z = np.random.default_rng(5).integers(0, 5, size=(7, 7)).astype(float)
    np.fill_diagonal(z, 0.0)
    codes = [f"F{i}" for i in range(7)]
    res = fi.dematel(z, factors=codes, threshold="mean+0.5sd")
    ii, jj = np.nonzero(~np.eye(7, dtype=bool))
    rel = res.relations
    assert rel["from"].cast(pl.String).to_list() == [codes[i] for i in ii]
    assert rel["to"].cast(pl.String).to_list() == [codes[j] for j in jj]
    npt.assert_array_equal(rel["t"].to_numpy(), res.T[ii, jj])
    npt.assert_array_equal(rel["above_threshold"].to_numpy(), res.T[ii, jj] > res.threshold)
    assert rel.schema["from"] == pl.Enum(codes)  # factor order, integer physical codes
    assert rel.filter((pl.col("from") == "F2") & (pl.col("to") == "F5"))["t"].item() == res.T[2, 5]
    npt.assert_array_equal(res.total_relation.drop("factor").to_numpy(), res.T)
    assert res.total_relation["factor"].to_list() == codes


def test_influence_sums_and_checks_kernels():
    rng = np.random.default_rng(6)
    for n in (2, 5, 9):  # the 4-row blocks and the remainder rows
        t = rng.random((n, n))
        r, c, prom, rel = kd.influence_sums(t)
        npt.assert_allclose(r, t.sum(axis=1), rtol=1e-14)
        npt.assert_allclose(c, t.sum(axis=0), rtol=1e-14)
        npt.assert_array_equal(prom, r + c)
        npt.assert_array_equal(rel, r - c)
        n_mat = rng.random((n, n)) / (2 * n)
        t = np.linalg.inv(np.eye(n) - n_mat) - np.eye(n)
        cond, lo, big, bad = kd.relation_checks(n_mat, t)
        assert cond == kd.condition_number_1(n_mat, t)
        npt.assert_allclose(cond, np.linalg.cond(np.eye(n) - n_mat, 1), rtol=1e-9)
        assert (lo, big, bad) == (t.min(), np.abs(t).max(), 0)
        t[n - 1, 0] = np.nan
        assert kd.relation_checks(n_mat, t)[3] == 1


def test_singular_matrix_error_suggests_max():
    # rows 1 and 2 reach the max row sum and pass all influence between each other: rho(N) = 1
    z = np.array([[0, 2, 0], [2, 0, 0], [1, 1, 0]], dtype=float)
    with pytest.raises(SingularMatrixError, match="normalization='max'") as info:
        fi.dematel(z)
    assert isinstance(info.value, ValueError)
    assert "spectral radius of N" in str(info.value)
    res = fi.dematel(z, normalization="max")
    assert np.isfinite(res.T).all()


def test_all_zero_and_bad_matrices():
    with pytest.raises(fi.DegenerateDataError, match="every influence score is zero"):
        fi.dematel(np.zeros((3, 3)))
    with pytest.raises(SchemaError, match="square"):
        fi.dematel(np.zeros((3, 4)))
    with pytest.raises(InputError, match="finite and >= 0"):
        fi.dematel(np.array([[0, -1.0], [1, 0]]))
    with pytest.raises(InputError, match="Unknown normalization 'col'"):
        fi.dematel(np.eye(2), normalization="col")


def test_nonzero_diagonal_warns_and_is_zeroed():
    z = np.array([[5, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
    with pytest.warns(FastinnoWarning, match="non-zero diagonal"):
        res = fi.dematel(z)
    z0 = z.copy()
    z0[0, 0] = 0
    npt.assert_allclose(res.T, fi.dematel(z0).T)
    assert z[0, 0] == 5  # input not mutated


def test_several_matrices_are_averaged_with_weights():
    rng = np.random.default_rng(0)
    mats = rng.uniform(0, 4, size=(3, 4, 4))
    for m in mats:
        np.fill_diagonal(m, 0)
    res = fi.dematel(list(mats), weights=[1, 2, 1])
    npt.assert_allclose(res.direct, (mats[0] + 2 * mats[1] + mats[2]) / 4, rtol=1e-14)
    assert res.experts == ("matrix1", "matrix2", "matrix3")


# ---------------------------------------------------------------------------------------------
# Plot and CLI
# ---------------------------------------------------------------------------------------------


def test_cause_effect_diagram(tmp_path):
    from fastinno.plots_dematel import cause_effect_diagram, save_figure

    rng = np.random.default_rng(3)
    lv = random_levels(rng, 4, 5)
    res = fi.grey_dematel(lv, scale="0-4", replicates=64, seed=1)
    ax = cause_effect_diagram(res)
    assert ax.get_xlabel() == "Prominence R + C"
    assert {t.get_text() for t in ax.texts} >= {"C1", "C5", "core causes"}
    import matplotlib.figure

    fig = matplotlib.figure.Figure()
    ax2 = fig.add_subplot()
    assert cause_effect_diagram(res.factors, ax=ax2, errorbars=False, label="name") is ax2
    save_figure(ax, tmp_path / "ce.svg")
    assert (tmp_path / "ce.svg").read_text().lstrip().startswith("<?xml")
    with pytest.raises(InputError, match="bootstrapped"):
        cause_effect_diagram(fi.dematel(np.ones((3, 3)) - np.eye(3) + np.diag([1.0, 0], 1)), errorbars=True)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def survey_levels():
    return survey_cases.survey_levels()


def test_cli_demo_writes_tables_and_plot(runner, tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(cli, ["dematel", "--demo", "--bootstrap", "128", "--seed", "3", "--out", str(out),
                            "--plot", str(out / "ce.png")])
    assert r.exit_code == 0, r.output
    assert "Prominence R+C: C1 >" in r.output
    for name in ("dematel_factors.csv", "dematel_relations.csv", "dematel_total_relation.csv",
                 "dematel_orderings.csv", "dematel_options.json", "ce.png"):
        assert (out / name).exists(), name
    opts = json.loads((out / "dematel_options.json").read_text())
    assert opts["seed"] == 3 and opts["replicates"] == 128 and len(opts["expert_weights"]) == 6
    f = pl.read_csv(out / "dematel_factors.csv")
    assert "p_cause" in f.columns and f.height == 12
    assert not list(out.glob(".*tmp"))


def test_cli_options_match_api(runner, tmp_path, survey_levels):
    p = tmp_path / "s.csv"
    long_frame(survey_levels).write_csv(p)
    r = runner.invoke(cli, ["dematel", str(p), "--normalization", "max", "--cfcs-scope", "row",
                            "--expert-weights", "VI,I,LI", "--out", str(tmp_path / "o"), "--format", "parquet"])
    assert r.exit_code == 0, r.output
    got = pl.read_parquet(tmp_path / "o" / "dematel_factors.parquet")
    ref = fi.grey_dematel(p, normalization="max", cfcs_scope="row", expert_weights=["VI", "I", "LI"])
    npt.assert_allclose(got["R"].to_numpy(), ref.factors["R"].to_numpy(), rtol=1e-15)
    r = runner.invoke(cli, ["dematel", str(p), "--crisp"])
    assert r.exit_code == 0, r.output


def test_cli_errors_exit_2_one_line(runner, tmp_path, survey_levels):
    p = tmp_path / "s.csv"
    long_frame(survey_levels).with_columns(pl.lit(9).alias("score")).write_csv(p)
    r = runner.invoke(cli, ["dematel", str(p)])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert [ln for ln in r.output.splitlines() if ln.startswith("Error:")]
    r = runner.invoke(cli, ["dematel"])
    assert r.exit_code == 2 and "--demo" in r.output


def test_cli_never_overwrites_input(runner, tmp_path, survey_levels):
    d = tmp_path / "o"
    d.mkdir()
    p = d / "dematel_factors.csv"
    long_frame(survey_levels).write_csv(p)
    before = p.read_bytes()
    r = runner.invoke(cli, ["dematel", str(p), "--out", str(d)])
    assert r.exit_code == 2 and "Refusing to write" in r.output
    assert p.read_bytes() == before



def test_bootstrap_option_forms():
    rng = np.random.default_rng(30)
    lv = random_levels(rng, 3, 4)
    res = fi.grey_dematel(lv, scale="0-4", replicates=True, seed=0)
    assert res.options["replicates"] == md.DEFAULT_BOOTSTRAP == 2000
    assert res.options["n_valid_resamples"] == 2000
    assert "p_cause" not in fi.grey_dematel(lv, scale="0-4", replicates=False).factors.columns
    with pytest.raises(InputError, match="replicates must be"):
        fi.grey_dematel(lv, scale="0-4", replicates=-5)
    with pytest.raises(InputError, match="replicates must be"):
        fi.dematel(np.ones((3, 3)), replicates="many")


def test_bootstrap_keyword_is_the_old_name_of_replicates():
    lv = random_levels(np.random.default_rng(31), 3, 4)
    new = fi.grey_dematel(lv, scale="0-4", replicates=100, seed=7)
    with pytest.warns(FutureWarning, match="replicates="):
        old = fi.grey_dematel(lv, scale="0-4", bootstrap=100, seed=7)
    npt.assert_array_equal(old.T, new.T)
    assert_frame_equal(old.factors, new.factors)
    assert old.options == new.options
    with pytest.raises(InputError, match="replicates= only"):
        fi.grey_dematel(lv, scale="0-4", replicates=100, bootstrap=100)
    # plain DEMATEL has the same word for the same thing
    m = np.random.default_rng(32).uniform(0, 4, (4, 5, 5))
    m[:, np.arange(5), np.arange(5)] = 0.0
    new = fi.dematel(m, replicates=50, seed=1)
    with pytest.warns(FutureWarning, match="bootstrap= is renamed replicates="):
        old = fi.dematel(m, bootstrap=50, seed=1)
    assert_frame_equal(old.factors, new.factors)
    assert old.options == new.options and new.options["replicates"] == 50
