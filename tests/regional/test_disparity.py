"""fastinno.disparity: overall measures, Theil and Dagum decompositions, bootstrap intervals."""

from __future__ import annotations

import naive
import numba
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest

import fastinno as fi
from fastinno.errors import DegenerateDataError, InputError

#: Mexico, per-capita GDP of the 32 states in 1940 and 1950 and the Hanson (1998) regions, from
#: the ``mexico.csv`` example of libpysal (columns ``pcgdp1940``, ``pcgdp1950``, ``hanson98``).
MEXICO = {
    1940: [10384, 22361, 9573, 3758, 2934, 8578, 8537, 6909, 17816, 12132, 4359, 2181, 4414, 5309,
           3408, 3327, 6936, 4836, 9073, 1892, 3569, 11016, 21965, 4372, 4840, 6399, 2459, 7508,
           3605, 5203, 7990, 3734],
    1950: [6234, 20977, 16013, 4929, 4138, 13997, 9673, 6049, 17119, 8859, 5686, 3629, 5194, 8232,
           4972, 5272, 8962, 7515, 11490, 4538, 6415, 5560, 28747, 7533, 6663, 10345, 3857, 8536,
           4178, 10143, 8428, 6435],
}
HANSON98 = [2, 1, 2, 5, 5, 1, 1, 3, 4, 2, 3, 5, 3, 3, 4, 3, 3, 2, 1, 5, 3, 3, 5, 2, 2, 1, 5, 1, 3, 3, 5, 2]
#: inequality 1.1.2 (PySAL), inequality/theil.py, docstring of TheilD on mexico.csv with the
#: hanson98 regimes: bg and wg for 1940 and 1950 (the first two decades).
MEXICO_BG = [0.0345889, 0.02816853]
MEXICO_WG = [0.17435454, 0.12405598]


def mexico():
    regions = [f"s{i:02d}" for i in range(32)]
    scores = pl.DataFrame({
        "region": regions * 2,
        "year": [1940] * 32 + [1950] * 32,
        "pcgdp": [float(v) for y in (1940, 1950) for v in MEXICO[y]],
    })
    groups = {r: f"h{g}" for r, g in zip(regions, HANSON98)}
    return scores, groups


def panel(n_regions=24, n_years=3, seed=0):
    rng = np.random.default_rng(seed)
    regions = [f"r{i:02d}" for i in range(n_regions)]
    vals = rng.lognormal(size=(n_regions, n_years))
    scores = pl.DataFrame({
        "region": np.repeat(regions, n_years),
        "year": np.tile(np.arange(2015, 2015 + n_years), n_regions),
        "index": vals.ravel(),
    })
    codes = np.arange(n_regions) % 3
    groups = {r: "abc"[c] for r, c in zip(regions, codes)}
    return scores, groups, vals, codes


def measure(res, name):
    return res.overall.filter(pl.col("measure") == name).sort("year")["value"].to_numpy()


def test_mexico_theil_decomposition_matches_pysal_fixture():
    scores, groups = mexico()
    res = fi.disparity(scores, column="pcgdp", groups=groups)
    npt.assert_allclose(res.theil["between"].to_numpy(), MEXICO_BG, rtol=1e-6)
    npt.assert_allclose(res.theil["within"].to_numpy(), MEXICO_WG, rtol=1e-6)
    npt.assert_allclose(measure(res, "theil_between"), MEXICO_BG, rtol=1e-6)
    # Gini of 1940: inequality 1.1.2, inequality/gini.py Gini(pcgdp1940).g
    npt.assert_allclose(measure(res, "gini")[0], 0.3537237117345285, rtol=1e-12)
    t = res.theil
    npt.assert_allclose(t["within"] + t["between"], t["total"], rtol=1e-12)
    npt.assert_allclose(t["within_share"] + t["between_share"], 1.0, rtol=1e-12)
    contrib = res.theil_groups.group_by("year").agg(pl.col("contribution").sum()).sort("year")
    npt.assert_allclose(contrib["contribution"].to_numpy(), t["within"].to_numpy(), rtol=1e-12)


def test_matches_pysal_live():
    pytest.importorskip("inequality")
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    scores, groups, vals, codes = panel(30, 3, seed=1)
    res = fi.disparity(scores, groups=groups)
    td = TheilD(vals, codes)
    npt.assert_allclose(res.theil["total"].to_numpy(), Theil(vals).T, rtol=1e-10)
    npt.assert_allclose(res.theil["between"].to_numpy(), np.ravel(td.bg), rtol=1e-8)
    npt.assert_allclose(res.theil["within"].to_numpy(), np.ravel(td.wg), rtol=1e-8)
    npt.assert_allclose(measure(res, "gini"), [Gini(vals[:, t]).g for t in range(3)], rtol=1e-10)


def test_overall_and_dagum_tables_match_definitions():
    scores, groups, vals, codes = panel(20, 2, seed=3)
    res = fi.disparity(scores, groups=groups)
    for t in range(2):
        ref, grp, pairs = naive.year_stats(vals[:, t], codes)
        for name, key in (("cv", "cv"), ("gini", "gini"), ("theil_t", "theil_t"), ("theil_l", "theil_l"),
                          ("dagum_within", "dagum_within"), ("dagum_net_between", "dagum_net"),
                          ("dagum_transvariation", "dagum_trans")):
            npt.assert_allclose(measure(res, name)[t], ref[key], rtol=1e-10, atol=1e-14)
        dw = res.dagum_within.filter(pl.col("year") == 2015 + t)
        npt.assert_allclose(dw["gini"].to_numpy(), [g["gini"] for g in grp], rtol=1e-10)
        db = res.dagum_between.filter(pl.col("year") == 2015 + t)
        npt.assert_allclose(db["d"].to_numpy(), [pairs[p]["d"] for p in sorted(pairs)], rtol=1e-10)
        npt.assert_allclose(db["gross"].to_numpy(), [pairs[p]["gross"] for p in sorted(pairs)], rtol=1e-10)
    d = res.dagum
    npt.assert_allclose(d["within"] + d["net_between"] + d["transvariation"], d["gini"], rtol=1e-12)
    npt.assert_allclose(d["within_share"] + d["net_between_share"] + d["transvariation_share"], 1.0, rtol=1e-12)
    by_year = res.dagum_between.group_by("year").agg(pl.col("net_between", "transvariation_part").sum()).sort("year")
    npt.assert_allclose(by_year["net_between"].to_numpy(), d["net_between"].to_numpy(), rtol=1e-12)
    npt.assert_allclose(by_year["transvariation_part"].to_numpy(), d["transvariation"].to_numpy(), rtol=1e-12)
    within = res.dagum_within.group_by("year").agg(pl.col("contribution").sum()).sort("year")
    npt.assert_allclose(within["contribution"].to_numpy(), d["within"].to_numpy(), rtol=1e-12)
    assert res.dagum_between.columns[:3] == ["year", "group_a", "group_b"]
    assert res.dagum_between.height == 2 * 3


def test_groups_of_identical_members():
    regions = ["a1", "a2", "b1", "b2"]
    scores = pl.DataFrame({"region": regions, "year": [2020] * 4, "index": [1.0, 1.0, 3.0, 3.0]})
    res = fi.disparity(scores, groups={"a1": "A", "a2": "A", "b1": "B", "b2": "B"})
    row = res.dagum.row(0, named=True)
    assert row["gini"] == pytest.approx(0.25) and row["within"] == pytest.approx(0.0)
    assert row["net_between"] == pytest.approx(0.25) and row["transvariation"] == pytest.approx(0.0)
    assert res.theil["within"][0] == pytest.approx(0.0, abs=1e-15)
    # between = s_A ln(1/2) + s_B ln(3/2), s = (1/4, 3/4)
    assert res.theil["between"][0] == pytest.approx(0.25 * np.log(0.5) + 0.75 * np.log(1.5))
    assert measure(res, "cv")[0] == pytest.approx(0.5)  # sd 1, mean 2


def test_singleton_group_and_zero_group():
    scores, groups, vals, codes = panel(7, 2, seed=4)
    groups = dict(groups)
    groups["r00"] = "solo"
    res = fi.disparity(scores, groups=groups, measures=("gini", "dagum"))
    solo = res.dagum_within.filter(pl.col("group") == "solo")
    assert solo["gini"].to_list() == [0.0, 0.0] and solo["n_regions"].to_list() == [1, 1]
    d = res.dagum
    npt.assert_allclose(d["within"] + d["net_between"] + d["transvariation"], d["gini"], rtol=1e-12)
    codes = np.array([{"a": 0, "b": 1, "c": 2, "solo": 3}[groups[r]] for r in sorted(groups)])
    ref = naive.year_stats(vals[:, 0], codes)[0]
    assert d["transvariation"][0] == pytest.approx(ref["dagum_trans"], rel=1e-10)
    zero = scores.with_columns(pl.when(pl.col("region") == "r00").then(0.0).otherwise(pl.col("index")).alias("index"))
    with pytest.raises(DegenerateDataError, match="sums to 0 within"):
        fi.disparity(zero, groups=groups, measures=("gini", "dagum"))


def test_without_groups_and_measure_selection():
    scores, _, vals, _ = panel(10, 2)
    res = fi.disparity(scores)
    assert res.overall["measure"].unique(maintain_order=True).to_list() == ["cv", "gini", "theil_t", "theil_l"]
    assert res.theil is None and res.dagum is None
    assert set(res.tables()) == {"overall"}
    npt.assert_allclose(measure(res, "cv"), vals.std(axis=0) / vals.mean(axis=0), rtol=1e-12)
    assert res.overall["lower"].null_count() == res.overall.height
    res = fi.disparity(scores, measures=["gini", "theil-l", "gini"])
    assert res.overall["measure"].unique(maintain_order=True).to_list() == ["gini", "theil_l"]
    assert res.options["seed"] is None and "2 years" in repr(res)


def test_errors_say_what_to_do():
    scores, groups, _, _ = panel(10, 2)
    with pytest.raises(InputError, match="needs groups"):
        fi.disparity(scores, measures=("gini", "dagum"))
    with pytest.raises(InputError, match="Unknown measure"):
        fi.disparity(scores, measures=("atkinson",))
    with pytest.raises(InputError, match="at least 2"):
        fi.disparity(scores, bootstrap=1)
    with pytest.raises(InputError, match="seed"):
        fi.disparity(scores, seed=-1)
    with pytest.raises(InputError, match="no group"):
        fi.disparity(scores, groups={"r00": "a"})
    bad = scores.with_columns(pl.when(pl.col("region") == "r03").then(0.0).otherwise(pl.col("index")).alias("index"))
    with pytest.raises(DegenerateDataError, match="> 0 for the Theil"):
        fi.disparity(bad)
    res = fi.disparity(bad, measures=("gini", "cv"))  # zeros are fine for Gini and CV
    assert np.all(measure(res, "gini") > 0)
    neg = scores.with_columns(-pl.col("index"))
    with pytest.raises(DegenerateDataError, match=">= 0"):
        fi.disparity(neg, measures=("gini",))


def test_bootstrap_intervals_deterministic_and_stratified():
    scores, groups, _, _ = panel(24, 2, seed=5)
    res = fi.disparity(scores, groups=groups, bootstrap=60, seed=11)
    again = fi.disparity(scores, groups=groups, bootstrap=60, seed=11)
    assert res.overall.equals(again.overall)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = fi.disparity(scores, groups=groups, bootstrap=60, seed=11)
    finally:
        numba.set_num_threads(old)
    assert res.overall.equals(single.overall)
    other = fi.disparity(scores, groups=groups, bootstrap=60, seed=12)
    assert not res.overall.equals(other.overall)
    o = res.overall
    assert o["lower"].null_count() == 0
    assert (o["lower"] <= o["upper"]).all()
    gini = o.filter(pl.col("measure") == "gini")
    assert ((gini["lower"] < gini["value"]) & (gini["value"] < gini["upper"])).all()
    assert res.options["seed"] == 11 and res.options["bootstrap"] == 60
    assert set(o["measure"].unique()) == {"cv", "gini", "theil_t", "theil_l", "theil_within", "theil_between",
                                          "dagum_within", "dagum_net_between", "dagum_transvariation"}


def test_accepts_a_result_with_scores():
    scores, groups, _, _ = panel(12, 2)

    class Holder:
        pass

    h = Holder()
    h.scores = scores
    res = fi.disparity(h, groups=pl.DataFrame({"region": list(groups), "zone": list(groups.values())}))
    assert res.options["groups"] == ("a", "b", "c")
    assert isinstance(res, fi.DisparityResult)


def test_score_table_places_values_and_names_what_is_wrong():
    from fastinno.regional.inputs import score_table

    scores = pl.DataFrame({
        "region": ["b", "a", "b", "a", "c", "c"],
        "year": [2002, 2001, 2001, 2002, 2002, 2001],
        "index": [4.0, 1.0, 3.0, 2.0, 6.0, 5.0],
    })
    st = score_table(scores, "index")
    assert st.regions == ["b", "a", "c"] and st.years.tolist() == [2001, 2002]
    npt.assert_array_equal(st.values, [[3.0, 4.0], [1.0, 2.0], [5.0, 6.0]])
    assert st.values.flags.c_contiguous and st.years.dtype == np.int64
    with pytest.raises(InputError, match=r"1 duplicated \(region, year\): \('a', 2001\)"):
        score_table(pl.concat([scores, scores.slice(1, 1)]), "index")
    with pytest.raises(InputError, match=r"not balanced: 1 missing \(region, year\): \('c', 2001\)"):
        score_table(scores.slice(0, 5), "index")
    nan = scores.with_columns(pl.Series("index", [4.0, 1.0, np.nan, 2.0, 6.0, None]))
    with pytest.raises(InputError, match=r"2 missing or non-finite value\(s\) at \('b', 2001\), \('c', 2001\)"):
        score_table(nan, "index")
    with pytest.raises(InputError, match="'region' has 1 missing"):
        score_table(scores.with_columns(pl.Series("region", ["b", None, "b", "a", "c", "c"])), "index")
