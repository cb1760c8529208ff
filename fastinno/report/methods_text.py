"""The report's methods section: every formula with its source, filled with the options each step
ran with. The texts are HTML templates under ``templates/methods/``."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from .. import _config
from .figures import robustness_model
from .format import fill
from .format import step_option as _opt
from .sections import ReportPart

__all__ = ["WU", "XIA", "methods_section", "ideal_solution_methods", "combined_methods",
           "robustness_methods", "forecast_methods", "dematel_methods", "compare_methods"]

WU = ("Wu, Wang, Chen, &ldquo;Comparative Evaluation of Scientific and Technological Innovation "
      "Levels in the Beijing-Tianjin-Hebei Region&rdquo;")
XIA = ("Xia, W.; Li, B.; Yin, S. (2020). &ldquo;Identification of Influencing Factors for "
       "Sustainable Development: Evaluation and Management of Regional Innovation Performance in "
       "Heilongjiang, China&rdquo;. <i>Sustainability</i> 12(7), 2739. "
       '<a href="https://doi.org/10.3390/su12072739">doi:10.3390/su12072739</a>')

#: Bundled datasets with a paragraph on their source (``templates/methods/data_<name>.html``).
_DATASET_TEXTS = ("six_triangles",)


def ideal_solution_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """Hierarchical equal-weight TOPSIS (Wu, Wang, Chen)."""
    return fill("methods/ideal_solution.html", wu=WU,
                standardize=html.escape(str(_opt(info, "ideal_solution", "standardize",
                                                 "max_ratio"))),
                scope=html.escape(str(_opt(info, "ideal_solution", "scope", "panel"))),
                form=html.escape(str(_opt(info, "ideal_solution", "form", "ratio2"))),
                low_base=f"{100 * _config.GROWTH_LOW_BASE_SHARE:g} %")


def combined_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """The single methods, the compatibility test and the drift-degree combination (Xia et al.)."""
    return fill("methods/combined.html", xia=XIA,
                alpha=html.escape(str(_opt(info, "combined", "alpha", 0.05))),
                rho=html.escape(str(_opt(info, "combined", "rho", 0.5))))


def robustness_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """Weight Monte Carlo and bootstrap (one text for both)."""
    draws = _opt(info, "simulate", "draws", None)
    scheme = _opt(info, "simulate", "scheme", "dirichlet")
    kappa = _opt(info, "simulate", "concentration", None)
    what = []
    if "simulate" in ran:
        what.append(f"{draws if draws is not None else 'the default number of'} weight draws, "
                    f"scheme <code>{html.escape(str(scheme))}</code>"
                    + (f", concentration &kappa; = {kappa}" if kappa is not None else ""))
    if "bootstrap" in ran:
        what.append(f"{_opt(info, 'bootstrap', 'replicates', 'the default number of')} "
                    "bootstrap replicates")
    if "simulate" in ran and _opt(info, "simulate", "model", "hew-topsis") == "combined":
        recomb = (_opt(info, "simulate", "model_options", None) or {}).get("recombine", "drift")
        model_text = (
            "The combined evaluation is recomputed for every draw: each single method's base-run "
            "indicator weights are multiplied by the draw's factors <i>w</i> / <i>w</i><sub>0</sub> and "
            "renormalised, and " + ("the compatibility test and drift-degree method weights are rerun "
                                    "on the draw's own scores" if recomb != "fixed" else
                                    "the base run's drift-degree method weights are kept") + "."
        )
    else:
        model_text = ("The ideal-solution model is recomputed for every draw with the same "
                      "standardization, scope and form.")
    if "bootstrap" in ran:
        model_text += (" Bootstrap replicates re-estimate the model's data-dependent parts on each "
                       "resample. " + html.escape(robustness_model(info, "bootstrap"))
                       + " (The main job gives the bootstrap the headline index's model options "
                       "and weights unless its section sets <code>model_options</code>.)")
    return fill("methods/robustness.html", what="; ".join(what), model_text=model_text)


def forecast_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """GM(1,1) and its accuracy grades."""
    return fill("methods/forecast.html", xia=XIA, horizon=_opt(info, "forecast", "horizon", 3))


def dematel_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """Grey-DEMATEL with CFCS defuzzification (Xia et al.)."""
    return fill("methods/dematel.html", xia=XIA)


def compare_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """Many ranking configurations and their agreement (rank correlations, W, reversals)."""
    def names(key, default):
        v = _opt(info, "compare", key, default)
        v = [v] if isinstance(v, str) or v is None else v
        return ", ".join(html.escape(str("own" if x is None else x)) for x in v)

    return fill("methods/compare.html", methods=names("methods", "every registered method"),
                weights=names("weights", "equal, entropy, critic"),
                normalize=names("normalize", "own"),
                correlations=names("correlations", "spearman, ws, rw"),
                by=html.escape(str(_opt(info, "compare", "by", "year"))))


def methods_section(info: Mapping[str, Any], parts: Iterable[ReportPart]) -> str:
    """The methods ``<section>``: conventions, the text of every step that ran (in ``parts``
    order; a text shared by several parts once) and the source of a bundled dataset."""
    ran = {s["step"] for s in info.get("steps", []) if s.get("status") == "ok"}
    out = [fill("methods/intro.html", seed=info.get("seed"))]
    done = []
    for part in parts:
        if part.methods is not None and part.key in ran and part.methods not in done:
            done.append(part.methods)
            out.append(part.methods(info, ran))
    ds = (info.get("config") or {}).get("panel", {}).get("dataset")
    if ds in _DATASET_TEXTS:
        out.append(fill(f"methods/data_{ds}.html", xia=XIA))
    out.append("</section>")
    return "".join(out)
