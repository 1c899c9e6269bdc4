"""Split one scenario seed into independent generators, one per stage.

Every random choice in Curtain takes a :class:`numpy.random.Generator` that
comes from here, so the same seed gives the same results bit for bit and a
change in one stage's draws never shifts another stage's.
"""

from __future__ import annotations

import zlib

import numpy as np

#: The random streams, in a fixed order: a stream is the child of the seed at its position, so adding one at
#: the end keeps the others' draws, and a stream's name can change without changing them ("routes" was
#: "traffic" when traffic chose the routes). :data:`sim.pipeline.STAGES` says which stage draws from which.
STREAMS: tuple[str, ...] = (
    "network",
    "cameras",
    "demand",
    "routes",
    "reads",
    "reconstruct",
    "metrics",
    "outages",
    "patrols",
    "searches",
)


def stage_rngs(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent generator per stream (:data:`STREAMS`), derived from ``seed``.

    Examples
    --------
    >>> a = stage_rngs(7)["demand"].integers(0, 1000, 3)
    >>> b = stage_rngs(7)["demand"].integers(0, 1000, 3)
    >>> bool((a == b).all())
    True
    """
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def named_rng(seed: int, *names: str) -> np.random.Generator:
    """A generator of its own for ``names`` (e.g. one metric): adding or changing another never shifts its draws.

    Examples
    --------
    >>> a = named_rng(7, "metric", "uniqueness").integers(0, 1000, 3)
    >>> b = named_rng(7, "metric", "uniqueness").integers(0, 1000, 3)
    >>> c = named_rng(7, "metric", "pairs").integers(0, 1000, 3)
    >>> bool((a == b).all()), bool((a == c).all())
    (True, False)
    """
    key = tuple(zlib.crc32(name.encode()) for name in names)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
