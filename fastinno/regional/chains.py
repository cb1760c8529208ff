"""Finite Markov chains from class sequences: transition counts, steady state and mean first
passage times (Kemeny & Snell 1976, Finite Markov Chains)."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from ..errors import FastinnoWarning

__all__ = ["transition_counts", "probabilities", "recurrent_classes", "steady_state", "first_passage", "chain_tables"]


def transition_counts(ids: np.ndarray, lag_ids: np.ndarray, k: int, m: int) -> np.ndarray:
    """Counts (m, k, k): moves from class ids[i, t] to ids[i, t + 1], by lag class lag_ids[i, t]."""
    a = ids[:, :-1].ravel()
    b = ids[:, 1:].ravel()
    g = lag_ids[:, :-1].ravel()
    flat = np.bincount((g * k + a) * k + b, minlength=m * k * k)
    return flat.reshape(m, k, k).astype(np.int64)


def probabilities(counts: np.ndarray) -> np.ndarray:
    """Row-normalized counts; a row without observations is NaN."""
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, counts / np.where(total > 0, total, 1), np.nan)


def recurrent_classes(p: np.ndarray) -> list[list[int]]:
    """The closed communicating classes of a stochastic matrix (states reachable along p > 0)."""
    k = p.shape[0]
    reach = (p > 0) | np.eye(k, dtype=bool)
    for j in range(k):  # Warshall's transitive closure
        reach |= reach[:, [j]] & reach[[j], :]
    out, seen = [], set()
    for i in range(k):
        if i in seen:
            continue
        comm = [j for j in range(k) if reach[i, j] and reach[j, i]]
        seen.update(comm)
        closed = all(set(np.flatnonzero(reach[j])) <= set(comm) for j in comm)
        if closed:
            out.append(comm)
    return out


def steady_state(p: np.ndarray) -> np.ndarray:
    """pi with pi P = pi, sum pi = 1 (least squares on the stacked system; exact when unique)."""
    k = p.shape[0]
    a = np.vstack([p.T - np.eye(k), np.ones((1, k))])
    rhs = np.zeros(k + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(a, rhs, rcond=None)[0]
    pi[np.abs(pi) < 1e-15] = 0.0
    return pi


def first_passage(p: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Mean first passage times of an irreducible chain, M = (I - Z + E Z_dg) D with
    Z = (I - P + 1 pi')^-1, D = diag(1 / pi) (Kemeny & Snell 1976, thm. 4.4.7); M_jj = 1 / pi_j."""
    k = p.shape[0]
    z = np.linalg.inv(np.eye(k) - p + np.outer(np.ones(k), pi))
    e = np.ones((k, k))
    return (np.eye(k) - z + e @ np.diag(np.diag(z))) @ np.diag(1.0 / pi)


def _analyse(p: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray, str | None]:
    k = p.shape[0]
    nan_pi, nan_m = np.full(k, np.nan), np.full((k, k), np.nan)
    empty = np.flatnonzero(np.isnan(p).any(axis=1))
    if empty.size:
        return nan_pi, nan_m, (f"{label}class(es) {', '.join(str(int(c) + 1) for c in empty)} never start a "
                               "transition: no steady state or first passage times")
    rec = recurrent_classes(p)
    if len(rec) > 1:
        return nan_pi, nan_m, (f"{label}the chain has {len(rec)} closed classes of states "
                               f"({'; '.join(str([c + 1 for c in r]) for r in rec)}): no unique steady state")
    pi = steady_state(p)
    if len(rec[0]) < k:
        trans = sorted(set(range(k)) - set(rec[0]))
        return pi, nan_m, (f"{label}the chain is reducible (class(es) {', '.join(str(c + 1) for c in trans)} "
                           "are transient): first passage times are NaN")
    return pi, first_passage(p, pi), None


def chain_tables(counts: np.ndarray, spatial: bool) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """transitions, ergodic, first_passage frames from counts (m, k, k)."""
    m, k, _ = counts.shape
    probs = probabilities(counts)
    pis, mfpts, notes = [], [], []
    for g in range(m):
        pi, mfpt, note = _analyse(probs[g], f"lag class {g + 1}: " if spatial else "")
        pis.append(pi)
        mfpts.append(mfpt)
        if note:
            notes.append(note)
    if notes:
        warnings.warn("; ".join(notes) + ".", FastinnoWarning, stacklevel=3)
    cls = np.arange(1, k + 1)
    lag = np.repeat(np.arange(1, m + 1), k * k)
    transitions = pl.DataFrame({
        "lag_class": lag, "from_class": np.tile(np.repeat(cls, k), m), "to_class": np.tile(cls, m * k),
        "count": counts.ravel(), "probability": probs.ravel(),
    })
    ergodic = pl.DataFrame({"lag_class": np.repeat(np.arange(1, m + 1), k), "class": np.tile(cls, m),
                            "probability": np.concatenate(pis)})
    passage = transitions.select("lag_class", "from_class", "to_class").with_columns(
        pl.Series("years", np.concatenate([x.ravel() for x in mfpts])))
    if not spatial:
        transitions, ergodic, passage = (f.drop("lag_class") for f in (transitions, ergodic, passage))
    return transitions, ergodic, passage
