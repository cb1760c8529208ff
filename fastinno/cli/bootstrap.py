"""``fastinno bootstrap``: resample regions or blocks of years and re-estimate the model."""

from __future__ import annotations

import click

from .common import backend_kwargs, echo_table, parse_top_k
from .options import choice_option, panel_options, robustness_options, table_output, writes
from .robustness import echo_robustness, robustness_model_options, write_robustness


@click.command(epilog="""\b
Examples:
  fastinno bootstrap --demo --replicates 500 --seed 1
  fastinno bootstrap --demo --over years --replicates 200 --seed 1 --out bootstrap.csv
""")
@writes(table_output(companions=lambda params: ("agreement", "weights") + (("growth",) if params["over"] == "years" else ())))
@panel_options()
@choice_option("--model", name="model", only=("hew-topsis", "topsis"), default="hew-topsis", show_default=True,
               lead="Ideal-solution model re-estimated on every replicate:")
@click.option("--replicates", type=int, default=1000, show_default=True)
@click.option("--over", type=click.Choice(["regions", "years"]), default="regions", show_default=True,
              help="Resample regions with replacement, or moving blocks of years.")
@click.option("--block-length", "block_length", type=int, default=None, help="Years per block (--over years).")
@choice_option("--weights", name="weighting", only=("entropy", "max_deviation"), extra=("system",),
               default="entropy", show_default=True,
               lead="Objective weights recomputed on every replicate, or the system's fixed weights (system):")
@robustness_options
def bootstrap(panel, model, replicates, over, block_length, weights, scope, standardize, form, constant, seed, top_k,
              workers, scheduler, scheduler_timeout, chunk_size, quantile_memory, rank_memory, progress, show, out_path) -> None:
    """Bootstrap: resample regions (or blocks of years) and re-estimate the model.

    Standardization bounds, ideal points and objective weights are re-estimated on every
    replicate and applied to every region; prints rank stability and weight intervals. With
    --over years also growth-rate intervals (CAGR and mean y-o-y rate per region, from a block
    resample of each replicate's annual growth terms) and the regions with the widest CAGR
    interval; --out writes them with the suffix _growth.
    """
    from ..robustness import bootstrap as run

    opts = robustness_model_options(model, scope, standardize, form, constant)
    opts["weights"] = None if weights == "system" else weights
    res = run(
        panel, model=model, model_options=opts, replicates=replicates, over=over, block_length=block_length,
        top_k=parse_top_k(top_k), seed=seed, chunk_size=chunk_size, quantile_memory=quantile_memory, rank_memory=rank_memory,
        progress=progress, **backend_kwargs(workers, scheduler, scheduler_timeout),
    )
    echo_robustness(panel, res, "replicates", show)
    echo_table(res.weights, max_rows=60, title="Indicator weights: base and bootstrap 90% interval")
    if res.growth is not None:
        echo_table(res.widest_growth_intervals(show),
                   title=f"Widest CAGR intervals (bootstrap 90%; growth terms resampled in blocks of "
                   f"{res.options['growth_block_length']})")
    if out_path:
        write_robustness(res, out_path, extra=("weights",) + (("growth",) if res.growth is not None else ()))
