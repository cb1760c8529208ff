"""``fastinno simulate``: Monte Carlo weight perturbations."""

from __future__ import annotations

import click

from .._options import option
from .common import backend_kwargs, echo_table, parse_top_k
from .options import choice_option, panel_options, robustness_options, table_output, writes
from .robustness import echo_robustness, robustness_model_options, write_robustness

DECLARED_CHOICES = ("standardize", "scope", "form")
"""--choice names whose values are declared options (given in canonical spelling to the API)."""


def parse_choices(specs) -> dict[str, list[str]]:
    """--choice NAME=A,B,... (repeatable) as ``{name: [values]}``."""
    choices = {}
    for spec in specs:
        name, sep, vals = spec.partition("=")
        name = name.strip()
        if not sep or not vals.strip():
            raise click.BadParameter(f"--choice needs NAME=A,B,...; got {spec!r}.")
        values = [v.strip() for v in vals.split(",") if v.strip()]
        if name in DECLARED_CHOICES:
            values = [option(name).check(v) for v in values]
        choices[name] = values
    return choices


@click.command(epilog="""\b
Examples:
  fastinno simulate --demo --draws 2000 --seed 1
  fastinno simulate --demo --draws 500 --seed 1 --choice standardize=max_ratio,minmax --out stability.csv
""")
@writes(table_output(companions=lambda params: ("agreement",) + (("variance_shares",) if params["choice_specs"] else ())))
@panel_options()
@choice_option("--model", name="model", default="hew-topsis", show_default=True,
               lead="Model re-evaluated for every weight draw:")
@choice_option("--recombine", name="recombine", default=None,
               lead="With --model combined, the compatibility test and drift-degree method weights "
               "(default drift):")
@click.option("--draws", type=int, default=10_000, show_default=True, help="Number of weight draws.")
@choice_option("--scheme", name="scheme", only=("dirichlet", "uniform", "hierarchical", "simplex"),
               default="dirichlet", show_default=True, lead="How weights are perturbed around the base weights:")
@click.option("--concentration", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
              help="Dirichlet concentration kappa (dirichlet, hierarchical); larger = closer to the base.")
@click.option("--spread", type=click.FloatRange(min=0, max=1, min_open=True, max_open=True), default=0.2, show_default=True,
              help="delta of the uniform scheme: each weight x U(1 - delta, 1 + delta), renormalised.")
@click.option("--choice", "choice_specs", multiple=True, metavar="NAME=A,B,...",
              help="Method-choice uncertainty (repeatable): model=hew-topsis,topsis "
              "standardize=max_ratio,minmax scope=... form=... weights=equal-hierarchical,entropy. "
              "Every draw runs every combination; prints the variance shares.")
@robustness_options
def simulate(panel, model, recombine, draws, scheme, concentration, spread, choice_specs, scope, standardize, form,
             constant, seed, top_k, workers, scheduler, scheduler_timeout, chunk_size, quantile_memory, rank_memory, progress, show, out_path) -> None:
    """Monte Carlo weight perturbations: how stable are the index and the ranking?

    Re-evaluates the model for every weight draw, ranks the regions of every year and prints
    the Spearman rho distribution per year and the most and least stable regions.
    """
    from ..robustness import simulate as run

    choices = parse_choices(choice_specs)
    res = run(
        panel, model=model, model_options=robustness_model_options(model, scope, standardize, form, constant, recombine),
        draws=draws,
        scheme=scheme, concentration=concentration, spread=spread, top_k=parse_top_k(top_k), seed=seed,
        chunk_size=chunk_size, quantile_memory=quantile_memory, rank_memory=rank_memory, progress=progress, choices=choices or None,
        **backend_kwargs(workers, scheduler, scheduler_timeout),
    )
    echo_robustness(panel, res, "draws", show)
    if res.variance_shares is not None:
        echo_table(res.variance_shares, title="Share of rank variance explained by each choice")
    if out_path:
        write_robustness(res, out_path, extra=("variance_shares",) if res.variance_shares is not None else ())
