"""Method-choice uncertainty: the full factorial of alternatives and the rank-variance shares.

``simulate(choices=...)`` evaluates every weight draw under every combination of the listed
alternatives (evaluation method -- ``"model"`` is another name --, normalization or
standardization, scope, form, base weighting); the shares of the
rank variance attributable to each choice come from exact integer sums kept during the run
(:func:`fastinno.kernels.accumulate.variance_accumulate`).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable

import numpy as np
import polars as pl

from ..errors import FastinnoWarning, InputError, format_keys
from .models import check_model, model_defaults, prepare_model
from .sampling import check_sampler, make_sampler

__all__ = ["CHOICE_KEYS", "combinations", "variance_shares"]

CHOICE_KEYS = ("method", "model", "normalize", "standardize", "scope", "form", "weights")


def combinations(panel, model, model_options, choices, scheme, concentration, spread, given):
    """Full factorial of the method choices: [(model, sampler)], levels (K, F), n_levels, names."""
    if not choices:
        return [], None, None, []
    unknown = sorted(set(choices) - set(CHOICE_KEYS))
    if unknown:
        raise InputError(f"Unknown choices {format_keys(unknown)}: use {', '.join(map(repr, CHOICE_KEYS))}.")
    if "method" in choices and "model" in choices:
        raise InputError('choices["model"] is another name of choices["method"]: give one of them.')
    names = [k for k in CHOICE_KEYS if k in choices]
    lists = []
    for k in names:
        if isinstance(choices[k], (str, bytes)) or not isinstance(choices[k], Iterable):
            raise InputError(f"choices[{k!r}] must be a list of alternatives, e.g. [{choices[k]!r}]; "
                             f"got {choices[k]!r}.")
        vals = list(choices[k])
        if not vals:
            raise InputError(f"choices[{k!r}] is empty: give at least one alternative.")
        lists.append(vals)
    n_levels = np.array([len(v) for v in lists], dtype=np.int64)
    combos = []
    levels = []
    for idx in itertools.product(*[range(n) for n in n_levels]):
        pick = {k: lists[f][i] for f, (k, i) in enumerate(zip(names, idx))}
        m_name = check_model(pick.get("method", pick.get("model", model)))
        defaults = model_defaults(m_name)
        opts = dict(model_options or {})
        for k in ("standardize", "scope", "form"):
            if k in pick and k in defaults:
                opts[k] = pick[k]
        if "normalize" in pick:
            _set_normalize(opts, defaults, m_name, pick["normalize"])
        if "weights" in pick:
            opts["weights"] = pick["weights"]
        if m_name == "gra" and opts.get("scope", "year") != "year":
            opts["scope"] = "year"  # grey relational grades compare regions within a year
        for k in list(opts):
            if k not in defaults and k != "weights":
                del opts[k]
        mdl, base = prepare_model(panel, m_name, opts)
        sampler, _ = make_sampler(panel, scheme, base, concentration, spread, given)
        check_sampler(mdl, sampler)
        combos.append((mdl, sampler))
        levels.append(idx)
    return combos, np.array(levels, dtype=np.int64), n_levels, names


def _set_normalize(opts: dict, defaults: dict, model: str, value) -> None:
    """The normalization choice for ``model``: its ``normalize`` option (a registered method), or
    ``standardize`` (the built-in models, which standardize a cube). A method with its own
    normalization built in (VIKOR, PROMETHEE II, SPOTIS, EDAS, COPRAS, MOORA) keeps it: that
    level then repeats the method's own result, and a warning says so."""
    if "normalize" in defaults:
        from ..methods import registry

        spec = registry.method(model)
        if not spec.normalizations:
            warnings.warn(
                f"choices['normalize'] = {value!r} does not apply to {model!r}, which normalizes on its own; "
                "its combinations repeat the method's own normalization.", FastinnoWarning, stacklevel=4,
            )
            return
        opts["normalize"] = value
    elif "standardize" in defaults:
        opts["standardize"] = value


def variance_shares(acc, names, n_levels) -> pl.DataFrame:
    """First-order and total shares of rank variance per choice (ratio of sums over cells)."""
    s_k, q_k, t_f, w1 = (a.astype(np.float64) for a in acc.var)
    n = acc.n_draws
    k = s_k.shape[0]
    mean = s_k.sum(axis=0) / (n * k)
    var = q_k.sum(axis=0) / (n * k) - mean**2
    ok = var > 0
    total_var = var[ok].sum()
    rows = []
    for f, name in enumerate(names):
        lf = int(n_levels[f])
        # level means: combinations in C order, factor f has stride prod(n_levels[f + 1:])
        stride = int(np.prod(n_levels[f + 1 :]))
        lvl = (np.arange(k) // stride) % lf
        v1 = np.zeros_like(mean)
        for a in range(lf):
            m_a = s_k[lvl == a].sum(axis=0) / (n * k / lf)
            v1 += (m_a - mean) ** 2 / lf
        vt = t_f[f] / (lf * lf * n * (k / lf))
        rows.append((name, v1[ok].sum() / total_var if total_var > 0 else np.nan,
                     vt[ok].sum() / total_var if total_var > 0 else np.nan))
    v1w = w1 / (n * k * k) - mean**2
    vtw = (q_k / n - (s_k / n) ** 2).mean(axis=0)
    rows.append(("weight_draws", v1w[ok].sum() / total_var if total_var > 0 else np.nan,
                 vtw[ok].sum() / total_var if total_var > 0 else np.nan))
    return pl.DataFrame(rows, schema=["choice", "first_order", "total"], orient="row")
