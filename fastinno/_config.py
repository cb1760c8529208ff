"""Numeric defaults read by the API layer (never by kernels: pass values in as arguments)."""

from __future__ import annotations

#: Relative tolerance for weights summing to one.
WEIGHT_SUM_RTOL = 1e-9
#: Given weights whose sum is off by at most this (e.g. rounded to four decimals) are rescaled to
#: sum to 1 with a warning; further off is an error.
WEIGHT_SUM_RESCALE_TOL = 1e-3
#: Cubes of the ideal-solution model smaller than this (values) run its kernels on one thread: a
#: parallel region costs more than it saves on a small panel (and much more on a busy machine).
INDEX_SERIAL_BELOW = 200_000
#: Rank matrices (rows x regions) smaller than this are ranked with a numpy argsort (the same ranks,
#: nothing to compile); larger ones by the packed-key sort and its numba kernels.
NUMPY_RANKS_BELOW = 1 << 14
#: Drifts closer than this are treated as equal in the drift-degree combination.
DRIFT_TIE_TOL = 1e-12
#: Spectral-radius / conditioning limit for DEMATEL's I - N.
DEMATEL_COND_LIMIT = 1e12
#: Up to this many factors DEMATEL's T is solved with BLAS on one thread: the LU then takes
#: milliseconds, and a multi-threaded BLAS stalls whenever one of its threads is descheduled (on a
#: 2-core machine running other processes, n = 600: 34 ms on one thread, 216 ms on two; n = 200:
#: 1 ms against spikes of 100-200 ms). Above it the threads pay off.
DEMATEL_SERIAL_BLAS_MAX_N = 512
#: Up to this many factors DEMATEL's whitening, normalisation, checks and influence sums run their
#: numpy versions (the same numbers; nothing to compile), larger matrices the numba kernels.
DEMATEL_NUMPY_MAX_N = 64
#: Number of Monte Carlo draws seeded together; chunks are whole multiples of it.
DRAW_BLOCK = 64
#: Default Monte Carlo chunk size (draws per kernel call), a multiple of DRAW_BLOCK.
CHUNK_SIZE = 1024
#: Bins of the fixed histogram used for streaming index quantiles on [0, 1].
INDEX_HIST_BINS = 4096

# --- Monte Carlo robustness engine (fastinno.robustness); read at call time, so tests may patch them.
#: Memory allowed for the index histograms before the bin count is halved (bytes).
HIST_MEMORY_BUDGET = 512 * 2**20
#: Default ``rank_memory``: bytes the rank counts may use. Exact counts (b x years x regions^2
#: bytes, b = 2 for uint16 counts up to 65,535 draws, else 4: 28,377 regions for one year and
#: 6,345 for 20 with uint16, 20,066 and 4,487 with int32) while they fit; past it, rank
#: histograms of 2^s ranks per bin (b x years x regions x ceil(regions / 2^s) bytes, the smallest
#: s that fits, with at most ``RANK_HIST_BINS`` bins per region).
COUNTS_MEMORY_BUDGET = 1536 * 2**20
#: Most bins per region of the rank histograms: bins of 2^s ranks with ceil(regions / 2^s) at most
#: this (bins of 16 ranks for 30,000 regions, 64 for 100,000; 20,000 x 20 years: 16 by the budget,
#: 32 with int32 counts).
#: Finer bins cost more than they give: a 1,000-draw run of 30,000 regions took 1.8 s with
#: 938 bins per region, 2.1 s with 3,750 and 3.7-5.2 s with 7,500 (the budget's choice); the
#: histograms' pages and their cache misses dominate.
RANK_HIST_BINS = 2048
#: Memory for one chunk's rank codes (4 bytes per draw and region), which sets the default chunk
#: size (bytes).
CHUNK_MEMORY = 32 * 2**20
#: Below this many (draw, region) cells per chunk and year the work stays on the calling thread.
PARALLEL_MIN_CELLS = 256 * 1024
#: (draw, region) cells of a standalone combined-model evaluation (not the engine's blocks) from
#: which the parallel combination kernel is used.
COMBINED_PARALLEL_MIN_CELLS = 16 * 1024
#: Bins of the Spearman-rho histogram on [-1, 1].
RHO_BINS = 2**16
#: Bins of the bootstrap's weight histograms on [0, 1].
WEIGHT_BINS = 2**14
#: Memory allowed for the replicates' growth values of ``bootstrap(over="years")`` (bytes): they
#: are kept exactly, (replicates x regions x 2) float64, so this is the one store that grows with
#: the number of replicates.
GROWTH_MEMORY_BUDGET = 2**30
#: Bytes of one region slice of the growth values copied at a time for the growth statistics.
GROWTH_SLICE = 32 * 2**20
#: Default ``quantile_memory``: bytes the exact index quantiles may keep (the draw matrix). 64 MiB
#: = 8M index values (e.g. 800 regions x 10 years x 1,000 draws) are exact by default; larger runs
#: use the histograms unless asked (keeping and selecting 30M values costs about as much as the
#: 10,000-draw Monte Carlo of 3,000 regions itself: measured 0.4 s).
EXACT_QUANTILE_MEMORY = 64 * 2**20
#: Bytes of the two GEMM outputs of one block of draws: they should stay in the core's L2 cache
#: between the product and the ranking kernel (measured on 2,800 regions: 16 draws per block
#: 23.4 ns per cell, 32 draws 19.5, 64 draws 20.1, a whole 2,048-draw chunk 28.5).
BLOCK_BYTES = 2 * 2**20
#: Seconds before the progress bar appears (none for short runs).
PROGRESS_DELAY = 1.0
#: Dask tasks per worker (each task = a contiguous group of chunks).
TASKS_PER_WORKER = 2
#: Seconds to wait for a Dask scheduler (``scheduler_timeout=`` of simulate / bootstrap) before
#: reporting that it cannot be reached.
SCHEDULER_TIMEOUT = 10.0

# --- report (fastinno.report, fastinno.plots)
#: Regions up to which a rank heatmap shows every region; beyond it the report draws the rank
#: distribution (bands over years, rank changes) and a top/bottom view instead.
REPORT_ALL_REGIONS_MAX = 60
#: Regions at each end of a top/bottom rank heatmap (so 2 x this rows).
REPORT_TOP_BOTTOM = 20
#: Regions a rank-stability chart shows at most (the best by median rank).
REPORT_STABILITY_MAX = 40
#: Largest figure side the report writes, in pixels (the dpi is lowered for a bigger figure).
REPORT_MAX_FIGURE_PX = 3000
#: A run's report draws every other figure in a second process from this many figures on (the
#: process costs about a second to start, overlapped with the run's steps) ...
REPORT_WORKER_MIN_FIGURES = 4
#: ... and waits at most this many seconds for it before drawing its figures itself.
REPORT_WORKER_TIMEOUT = 600.0
#: A growth rate computed from an index below this share of its year's maximum is flagged.
GROWTH_LOW_BASE_SHARE = 0.01
#: The report flags the headline index when it lies outside the bootstrap 5-95 % band for more
#: than this share of regions (last year).
BOOTSTRAP_OUTSIDE_SHARE = 0.10
#: Rows the report's "find a region" table shows at most for one search.
REPORT_FINDER_ROWS = 50

# --- GM(1,1) forecasts (fastinno.forecast / fastinno.gm11); read at call time.
#: Longest forecast horizon (steps): a larger ``horizon`` is an error. GM(1,1) is a model for
#: short series; forecasts far beyond the data are extrapolation (a horizon longer than the series
#: already warns), and an exponential this far out only overflows.
FORECAST_MAX_HORIZON = 100
#: Plausible calendar years (inclusive) of a panel: a year outside is an error, most often a
#: YYYYMM or YYYYQ code read as a year.
YEAR_RANGE = (1000, 2999)
