"""Chunk-independent seeding for every random path.

Draws (Monte Carlo) and replicates (bootstrap) are split into blocks of a library-constant size
(:data:`fastinno._config.DRAW_BLOCK`). Block ``k`` is seeded from
``np.random.SeedSequence(seed, spawn_key=(k,))``; kernels reseed numba's per-thread generator at
the start of every block, so the numbers do not depend on chunk size, thread count, or whether
the chunks run locally or on Dask workers.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError


def check_seed(seed: object) -> int:
    """Return a non-negative int seed; ``None`` draws fresh entropy (reported back to the caller)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be a non-negative integer or None; got {seed!r}.")
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer; got {seed}.")
    return int(seed)


def block_seeds(seed: int, first_block: int, n_blocks: int, stream: int | None = None) -> np.ndarray:
    """uint32 seeds (as int64) for blocks ``first_block .. first_block + n_blocks - 1``.

    Numba's ``np.random.seed`` takes a 32-bit integer; each block gets one drawn from its own
    ``SeedSequence(seed, spawn_key=(block,))``. ``stream`` = s selects an independent second
    stream of the same block, ``SeedSequence(seed, spawn_key=(block, s))`` (the child ``s`` that
    ``SeedSequence(seed, spawn_key=(block,)).spawn`` would give), for a further random step of
    the block's draws or replicates that must not reuse the block's own numbers.
    """
    out = np.empty(n_blocks, dtype=np.int64)
    for i in range(n_blocks):
        key = (first_block + i,) if stream is None else (first_block + i, int(stream))
        ss = np.random.SeedSequence(seed, spawn_key=key)
        out[i] = int(ss.generate_state(1, dtype=np.uint32)[0])
    return out
