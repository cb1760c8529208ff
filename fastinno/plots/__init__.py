"""Figures: index trajectories, rank heatmap, rank stability, method agreement, method weights,
GM(1,1) forecasts, the DEMATEL cause-effect diagram, maps (choropleth, LISA clusters) and the
regional analyses (Dagum and Theil decompositions, sigma convergence, score densities, Moran
scatter, Markov transitions).

Every function takes the tidy polars frame a result exposes (or the table the main job saved) and
an optional matplotlib ``ax``; matplotlib is imported inside the functions, so importing this
package stays cheap. :func:`save_figure` writes any of them atomically.
"""

from __future__ import annotations

from ..io.write import save_figure
from .compare import method_comparison
from .dematel import cause_effect_diagram
from .forecast import forecast_fits, gm11_plot
from .index import (
    index_trajectories,
    method_agreement,
    method_weights,
    rank_bands,
    rank_heatmap,
    rank_stability,
    rho_distribution,
)
from .maps import china_counties, choropleth, cluster_map
from .regional import (
    dagum_contributions,
    density_curves,
    disparity_trends,
    markov_matrix,
    moran_scatter,
    sigma_convergence,
    theil_decomposition,
)
from .style import INDEX_LABEL, RANK_LABEL, cjk_font, region_colors

__all__ = [
    "region_colors",
    "cjk_font",
    "index_trajectories",
    "rank_heatmap",
    "rank_bands",
    "rank_stability",
    "rho_distribution",
    "method_agreement",
    "method_weights",
    "forecast_fits",
    "gm11_plot",
    "cause_effect_diagram",
    "method_comparison",
    "disparity_trends",
    "dagum_contributions",
    "theil_decomposition",
    "sigma_convergence",
    "density_curves",
    "moran_scatter",
    "markov_matrix",
    "choropleth",
    "cluster_map",
    "china_counties",
    "save_figure",
    "INDEX_LABEL",
    "RANK_LABEL",
]
