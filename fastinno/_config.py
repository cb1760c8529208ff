"""Numeric defaults read by the API layer (never by kernels: pass values in as arguments)."""

from __future__ import annotations

#: Relative tolerance for weights summing to one.
WEIGHT_SUM_RTOL = 1e-9
#: Given weights whose sum is off by at most this (e.g. rounded to four decimals) are rescaled to
#: sum to 1 with a warning; further off is an error.
WEIGHT_SUM_RESCALE_TOL = 1e-3
#: Drifts closer than this are treated as equal in the drift-degree combination.
DRIFT_TIE_TOL = 1e-12
#: Spectral-radius / conditioning limit for DEMATEL's I - N.
DEMATEL_COND_LIMIT = 1e12
#: Number of Monte Carlo draws seeded together; chunks are whole multiples of it.
DRAW_BLOCK = 64
#: Default Monte Carlo chunk size (draws per kernel call), a multiple of DRAW_BLOCK.
CHUNK_SIZE = 1024
#: Bins of the fixed histogram used for streaming index quantiles on [0, 1].
INDEX_HIST_BINS = 4096
#: fastmath stays off: results must be correct to the last decimal and thread-count independent.
FASTMATH = False
FASTMATH_FLAGS = {"nsz", "arcp", "contract", "afn", "reassoc"}
