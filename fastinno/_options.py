"""The option vocabulary: every string option fastinno takes, declared once.

Each :class:`Option` lists its accepted values (canonical spelling first), the kernel code each
value maps to, and a one-line help text per value. The Python API, ``simulate(model_options=...)``,
the main job's TOML config and the CLI all read these declarations, so a value is accepted
everywhere or nowhere.

Spelling: canonical values use underscores; a hyphen is accepted for an underscore everywhere
(``"max-ratio"`` is ``"max_ratio"``). Kernel codes are named as ``"module.CONSTANT"`` of
:mod:`fastinno.kernels` and resolved on first use, so reading the vocabulary (for ``--help``) does
not import numba.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import InputError


@dataclass(frozen=True)
class Option:
    """One string option: its name, values, kernel codes and help.

    Parameters
    ----------
    name : str
        The keyword argument's name (``"standardize"``), also used in messages.
    values : Mapping[str, str]
        Canonical value -> one-line help text, in display order.
    codes : Mapping[str, str], optional
        Canonical value -> ``"kernel_module.CONSTANT"`` for options that reach a kernel.
    aliases : Mapping[str, str], optional
        Extra spellings -> canonical value (hyphenated spellings need not be listed).
    default : str, optional
        The default value (shown in ``--help``).
    """

    name: str
    values: Mapping[str, str]
    codes: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        """The canonical values, in display order."""
        return tuple(self.values)

    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling (canonical, hyphenated and aliases), for CLI choices."""
        out = list(self.values)
        for v in self.values:
            if "_" in v:
                out.append(v.replace("_", "-"))
        out.extend(a for a in self.aliases if a not in out)
        return tuple(out)

    def check(self, value: object, *, name: str | None = None, allowed: Iterable[str] | None = None) -> str:
        """Return the canonical spelling of ``value``, or raise :class:`InputError`.

        ``allowed`` narrows the accepted canonical values for one caller (a method that supports
        only some of them); the message then lists those.
        """
        label = name or self.name
        choices = tuple(allowed) if allowed is not None else self.choices
        if isinstance(value, str):
            key = value.replace("-", "_")
            key = self.aliases.get(value, self.aliases.get(key, key))
            if key in choices:
                return key
        raise InputError(f"Unknown {label} {value!r}: choose one of {', '.join(repr(c) for c in choices)}.")

    def code(self, value: object, *, name: str | None = None) -> int:
        """The kernel code of ``value`` (checked first)."""
        canonical = self.check(value, name=name, allowed=tuple(self.codes) or None)
        module, attr = self.codes[canonical].rsplit(".", 1)
        return int(getattr(importlib.import_module(f"fastinno.kernels.{module}"), attr))

    def help(self) -> str:
        """``value: help; value: help`` for ``--help`` texts and docstrings."""
        return "; ".join(f"{v}: {h}" for v, h in self.values.items())


def option(name: str) -> Option:
    """The declared option called ``name``."""
    try:
        return OPTIONS[name]
    except KeyError:
        raise KeyError(f"no option called {name!r}") from None


def check(option_name: str, value: object, **kwargs) -> str:
    """Canonical spelling of ``value`` for the option ``option_name`` (see :meth:`Option.check`)."""
    return option(option_name).check(value, **kwargs)


def code(option_name: str, value: object, **kwargs) -> int:
    """Kernel code of ``value`` for the option ``option_name`` (see :meth:`Option.code`)."""
    return option(option_name).code(value, **kwargs)


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Check an ad-hoc choice that is not part of the vocabulary (same spelling rules)."""
    return Option(name, {c: "" for c in choices}).check(value)


#: The registered ranking methods (``fastinno.methods.registry``), in display order.
METHOD_HELP = {
    "topsis": "TOPSIS closeness to the ideal (Hwang & Yoon 1981)",
    "vikor": "VIKOR compromise Q, smaller is better (Opricovic & Tzeng 2004)",
    "promethee_ii": "PROMETHEE II net outranking flow (Brans & Vincke 1985)",
    "wsm": "weighted sum model",
    "wpm": "weighted product model",
    "waspas": "WASPAS: lam * WSM + (1 - lam) * WPM",
    "copras": "COPRAS relative significance Q",
    "edas": "EDAS appraisal score from distances to the average",
    "mabac": "MABAC distance to the border approximation area",
    "aras": "ARAS utility degree relative to the ideal alternative",
    "moora": "MOORA ratio system",
    "codas": "CODAS assessment score from Euclidean and taxicab distances",
    "spotis": "SPOTIS distance to the ideal solution point, smaller is better",
    "marcos": "MARCOS utility function",
    "cocoso": "CoCoSo combined compromise solution",
    "gra": "grey relational grade",
    "hew_topsis": "the hierarchical equal-weight ideal-solution index",
}


_DECLARED = (
    Option(
        "standardize",
        {
            "max_ratio": "benefit x / max, cost min / x (values must be > 0)",
            "minmax": "benefit (x - min) / (max - min), cost (max - x) / (max - min)",
            "vector": "x / sqrt(sum x^2); cost 1 - x / sqrt(sum x^2)",
            "zscore": "(x - mean) / sd (population sd); cost negated",
            "sum": "x / sum x; cost (1 / x) / sum(1 / x) (values must be > 0; decision matrices only)",
            "max": "x / max; cost 1 - x / max (max must be > 0; decision matrices only)",
            "log": "ln x / ln prod x; cost (1 - ln x / ln prod x) / (n - 1) (values > 0, prod > 1; "
                   "decision matrices only)",
        },
        codes={
            "max_ratio": "normalize.MAX_RATIO",
            "minmax": "normalize.MINMAX",
            "vector": "normalize.VECTOR",
            "zscore": "normalize.ZSCORE",
            "sum": "normalize.SUM",
            "max": "normalize.MAX",
            "log": "normalize.LOG",
        },
        aliases={"min_max": "minmax"},
        default="max_ratio",
    ),
    Option(
        "scope",
        {
            "panel": "one ideal / anti-ideal point over the whole panel",
            "region": "one per region (its own years)",
            "year": "one per year (that year's regions)",
        },
        codes={"panel": "normalize.SCOPE_PANEL", "region": "normalize.SCOPE_REGION", "year": "normalize.SCOPE_YEAR"},
        default="panel",
    ),
    Option(
        "form",
        {
            "ratio2": "f = d-^2 / (d+^2 + d-^2)",
            "closeness": "f = d- / (d+ + d-) (classical TOPSIS closeness)",
        },
        codes={"ratio2": "distance.RATIO2", "closeness": "distance.CLOSENESS"},
        default="ratio2",
    ),
    Option(
        "constant",
        {
            "error": "a constant indicator is an error",
            "drop": "drop constant indicators (with a warning)",
            "zero": "a constant indicator contributes 0 (with a warning)",
        },
        default="error",
    ),
    Option(
        "by",
        {"year": "one cell per year", "panel": "the whole panel as one cell"},
        default="year",
    ),
    Option(
        "spearman_method",
        {
            "pearson": "Pearson correlation of average ranks (exact with ties)",
            "d2": "1 - 6 sum d^2 / (n (n^2 - 1))",
        },
        codes={"pearson": "rank.PEARSON", "d2": "rank.D2"},
        default="pearson",
    ),
    Option(
        "weighting",
        {
            "entropy": "entropy weights of the normalized matrix",
            "max_deviation": "maximum-deviation weights",
            "equal": "equal weights",
        },
        default="entropy",
    ),
    Option(
        "combined_method",
        {
            "entropy": "entropy-weighted sum",
            "max_deviation": "maximum-deviation-weighted sum",
            "topsis": "TOPSIS closeness",
            "gra": "grey relational grade",
        },
        default="entropy",
    ),
    Option(
        "entropy_data",
        {"normalized": "entropy of the normalized matrix", "raw": "entropy of the raw values"},
        default="normalized",
    ),
    Option(
        "recombine",
        {
            "drift": "re-select the compatible methods and drift weights in every draw",
            "fixed": "keep the base run's methods and drift weights",
        },
        codes={"drift": "combination.RECOMBINE_DRIFT", "fixed": "combination.RECOMBINE_FIXED"},
        default="drift",
    ),
    Option(
        "scheme",
        {
            "dirichlet": "Dirichlet draws centred on the base weights",
            "uniform": "each weight times U(1 - spread, 1 + spread), renormalized",
            "hierarchical": "Dirichlet draws at every level of the indicator system",
            "simplex": "uniform on the simplex (flat Dirichlet)",
            "given": "the rows of a user's draw matrix",
        },
        default="dirichlet",
    ),
    Option(
        "cfcs_scope",
        {"global": "CFCS min / max over the whole matrix", "row": "CFCS min / max per row"},
        codes={"global": "grey.SCOPE_GLOBAL", "row": "grey.SCOPE_ROW"},
        default="global",
    ),
    Option(
        "aggregation",
        {
            "cfcs_then_mean": "defuzzify each expert, then average",
            "grey_mean_then_cfcs": "average the grey numbers, then defuzzify",
        },
        codes={
            "cfcs_then_mean": "dematel.AGG_CFCS_THEN_MEAN",
            "grey_mean_then_cfcs": "dematel.AGG_GREY_MEAN_THEN_CFCS",
        },
        default="cfcs_then_mean",
    ),
    Option(
        "normalization",
        {"row": "divide by the largest row sum", "max": "divide by max(largest row sum, largest column sum)"},
        codes={"row": "dematel.NORM_ROW", "max": "dematel.NORM_MAX"},
        default="row",
    ),
    Option(
        "missing",
        {
            "error": "a missing cell is an error",
            "interpolate": "fill gaps linearly within a region's series",
            "drop_indicator": "drop indicators with missing cells",
            "drop_region": "drop regions with missing cells",
            "keep": "keep NaN (methods then reject it)",
        },
        default="error",
    ),
    Option(
        "backend",
        {"local": "threads in this process", "dask": "a Dask cluster"},
        default="local",
    ),
    # the robustness models keep their hyphenated names (fastinno.robustness.MODELS); the
    # underscore spellings are aliases
    Option(
        "model",
        {
            "hew-topsis": "the ideal-solution model (hew_topsis)",
            "topsis": "classical TOPSIS closeness per year",
            "gra": "grey relational grade per year",
            "weighted-sum": "weighted sum of the standardized values",
            "combined": "the combined evaluation's weighted steps",
            **{k: v for k, v in METHOD_HELP.items() if k not in ("topsis", "gra", "hew_topsis")},
        },
        aliases={"hew_topsis": "hew-topsis", "weighted_sum": "weighted-sum"},
        default="hew-topsis",
    ),
    Option(
        "method",
        METHOD_HELP,
        aliases={"hew-topsis": "hew_topsis", "promethee": "promethee_ii", "weighted_sum": "wsm"},
        default="topsis",
    ),
    Option(
        "preference",
        {
            "usual": "PROMETHEE type I: 1 for any advantage d > 0",
            "u_shape": "type II: 1 for d > q",
            "v_shape": "type III: d / p up to p, then 1",
            "level": "type IV: 1/2 for q < d <= p, 1 beyond p",
            "linear": "type V: (d - q) / (p - q) for q < d <= p, 1 beyond p",
            "gaussian": "type VI: 1 - exp(-d^2 / (2 s^2))",
        },
        codes={
            "usual": "outranking.USUAL",
            "u_shape": "outranking.U_SHAPE",
            "v_shape": "outranking.V_SHAPE",
            "level": "outranking.LEVEL",
            "linear": "outranking.LINEAR",
            "gaussian": "outranking.GAUSSIAN",
        },
        aliases={"ushape": "u_shape", "vshape": "v_shape", "vshape_2": "linear"},
        default="usual",
    ),
    Option(
        "constant_q",
        {
            "zero": "a constant S or R adds 0 to VIKOR's Q (all alternatives tie on it)",
            "nan": "Q is NaN, the 0 / 0 of the formula (as pymcdm)",
            "error": "a constant S or R is an error",
        },
        default="zero",
    ),
    Option(
        "weights",
        {
            "equal": "equal weights",
            "hierarchical": "equal weights at every level of the indicator system",
            "entropy": "entropy weights",
            "max_deviation": "maximum-deviation weights",
            "critic": "CRITIC: contrast times conflict (Diakoulaki et al. 1995)",
            "std": "proportional to the standard deviation of the normalized columns",
            "cv": "proportional to the coefficient of variation",
            "merec": "MEREC: removal effects of each indicator (Keshavarz-Ghorabaee et al. 2021)",
            "gini": "proportional to the Gini coefficient of each column",
            "ahp": "AHP principal eigenvector of a pairwise-comparison matrix",
        },
        default="equal",
    ),
    Option(
        "correlation",
        {
            "spearman": "Spearman's rank correlation",
            "kendall": "Kendall's tau-b",
            "kendall_tau_a": "Kendall's tau-a",
            "kendall_tau_c": "Kendall's tau-c (Stuart)",
            "rw": "weighted Spearman r_w (top ranks weigh more)",
            "ws": "WS rank similarity coefficient (Salabun & Urbaniak 2020), reference first",
            "gamma": "Goodman-Kruskal gamma",
            "pearson": "Pearson correlation of the scores",
        },
        aliases={
            "kendall_tau_b": "kendall",
            "weighted_spearman": "rw",
            "ws_coefficient": "ws",
            "goodman_kruskal_gamma": "gamma",
        },
        default="spearman",
    ),
    Option(
        "measure",
        {
            "cv": "coefficient of variation (population sd / mean)",
            "gini": "Gini coefficient",
            "theil_t": "Theil T index, decomposed within / between groups",
            "theil_l": "Theil L index (mean log deviation)",
            "dagum": "Dagum (1997) Gini decomposition: within, net between, transvariation",
        },
        aliases={"mld": "theil_l", "theil": "theil_t"},
    ),
)

_DECLARED = (
    *_DECLARED,
    # --- regional distribution dynamics and spatial structure ---
    Option(
        "contiguity",
        {"queen": "neighbours share at least one vertex", "rook": "neighbours share an edge"},
        default="queen",
    ),
    Option(
        "cuts",
        {
            "pooled": "class cut points from the quantiles of all years pooled",
            "year": "class cut points from each year's own quantiles",
        },
        default="pooled",
    ),
    Option(
        "bandwidth",
        {
            "silverman": "Silverman's rule: h = sd * (3 n / 4)^(-1/5)",
            "scott": "Scott's rule: h = sd * n^(-1/5)",
        },
        default="silverman",
    ),
    Option(
        "weight_combination",
        {
            "multiplicative": "w_j proportional to subjective_j * objective_j",
            "linear": "alpha * subjective + (1 - alpha) * objective",
            "game_theory": "least-squares game-theory combination (Lai et al. 2015)",
        },
        default="multiplicative",
    ),
)

OPTIONS: dict[str, Option] = {o.name: o for o in _DECLARED}

#: The ``standardize`` values the cube and scope kernels (ideal-solution models, robustness
#: models, bootstrap) take; ``sum``, ``max`` and ``log`` are for decision matrices only.
CUBE_STANDARDIZATIONS = ("max_ratio", "minmax", "vector", "zscore")
