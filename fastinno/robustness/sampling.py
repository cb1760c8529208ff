"""Weight samplers of the robustness engine: block-seeded draws around the base weights.

Draw ``i`` belongs to seeding block ``i // DRAW_BLOCK``; block ``k`` uses
``SeedSequence(seed, spawn_key=(k,))``, so a draw does not depend on how the run is chunked.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .. import _config
from .. import _options as opt
from .._random import block_seeds
from ..errors import InputError, format_keys
from ..kernels import resample as kr
from .models import Model

__all__ = ["SCHEMES", "Sampler", "check_sampler", "is_real", "as_float", "make_sampler"]

SCHEMES = ("dirichlet", "uniform", "hierarchical", "simplex", "given")


@dataclass
class Sampler:
    """One weight scheme around ``base``: ``draw`` gives any run of draws by global position."""

    scheme: str
    base: np.ndarray
    concentration: float = 100.0
    spread: float = 0.2
    given: np.ndarray | None = None
    hier: tuple | None = None

    def support(self) -> np.ndarray:
        """Indicators any draw may weight (the a-priori index range is taken over them)."""
        if self.scheme == "simplex":
            return np.ones(self.base.shape[0], dtype=bool)
        if self.scheme == "given":
            return (self.given > 0).any(axis=0)
        if self.scheme == "hierarchical":
            return self.hier[3] > 0  # indicator shares (zero-share groups covered via product)
        return self.base > 0

    def draw(self, seed: int, first_block: int, n_blocks: int, first: int, n: int) -> np.ndarray:
        """Weights of draws ``first .. first + n - 1`` (blocks ``first_block ..``)."""
        block = _config.DRAW_BLOCK
        if self.scheme == "given":
            return np.ascontiguousarray(self.given[first : first + n])
        seeds = block_seeds(seed, first_block, n_blocks)
        if self.scheme == "dirichlet":
            w = kr.dirichlet_weights(self.base, self.concentration, seeds, block)
        elif self.scheme == "uniform":
            w = kr.uniform_weights(self.base, self.spread, seeds, block)
        elif self.scheme == "simplex":
            w = kr.simplex_weights(self.base.shape[0], seeds, block)
        else:
            gp, gs, ip, ish = self.hier
            w = kr.hierarchical_weights(gp, gs, ip, ish, self.concentration, seeds, block)
        return np.ascontiguousarray(w[:n])


def check_sampler(mdl: Model, sampler: Sampler) -> None:
    """Model-specific checks of the draws (the combined model reads them as tilts of its base)."""
    if mdl.custom is not None:
        mdl.custom.check_sampler(sampler)


def is_real(x) -> bool:
    """A real number (numpy scalars included), not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def as_float(x):
    """A numpy scalar as a plain float (for ``options``); anything else unchanged."""
    return float(x) if is_real(x) else x


def make_sampler(panel, scheme, base, concentration, spread, given) -> tuple[Sampler, int | None]:
    """The sampler of ``scheme`` and, for ``scheme="given"``, the number of given rows."""
    scheme = opt.check("scheme", scheme)
    n = base.shape[0]
    if scheme in ("dirichlet", "hierarchical"):
        # any real number type (numpy scalars included); math.inf is the no-perturbation limit
        if not (is_real(concentration) and concentration > 0 and not math.isnan(concentration)):
            raise InputError(f"concentration must be a positive number; got {concentration!r}.")
    if scheme == "uniform" and not (is_real(spread) and 0.0 <= spread <= 1.0):
        raise InputError(f"spread must be in [0, 1] (weights stay >= 0); got {spread!r}.")
    if scheme == "given":
        if given is None:
            raise InputError("scheme='given' needs given=<array of shape (draws, indicators)>.")
        arr = np.array(given, dtype=np.float64, order="C", copy=True)
        if arr.ndim != 2 or arr.shape[1] != n:
            raise InputError(f"given weights must have shape (draws, {n}); got {arr.shape}.")
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise InputError("given weights must be finite and >= 0.")
        sums = arr.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > _config.WEIGHT_SUM_RTOL)
        if bad.size:
            raise InputError(
                f"given weight rows must sum to 1; rows {format_keys(bad.tolist())} sum to "
                f"{sums[bad[0]]:.12g}. Divide each row by its sum."
            )
        return Sampler("given", base, given=arr), arr.shape[0]
    if given is not None:
        raise InputError(
            f"given= (a draw matrix) is only used with scheme='given'; got scheme={scheme!r}. Base "
            "weights go in model_options."
        )
    kappa = float(concentration)
    if scheme in ("dirichlet", "hierarchical") and math.isinf(kappa):
        # the limit kappa -> infinity: every draw is the base
        return Sampler("uniform", base, spread=0.0), None
    hier = None
    if scheme == "hierarchical":
        s = panel.system
        gp = np.array([g.parent for g in s.groups], dtype=np.int64)
        gs = np.array([g.share for g in s.groups], dtype=np.float64)
        hier = (gp, gs, np.ascontiguousarray(s.indicator_parent, dtype=np.int64),
                np.ascontiguousarray(s.indicator_share, dtype=np.float64))
    return Sampler(scheme, base, concentration=kappa, spread=float(spread), hier=hier), None
