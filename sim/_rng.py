"""Split one scenario seed into independent generators, one per stage.

Every random choice in Curtain takes a :class:`numpy.random.Generator` that
comes from here, so the same seed gives the same results bit for bit and a
change in one stage's draws never shifts another stage's.
"""

from __future__ import annotations

import numpy as np

#: Stage names in a fixed order: adding a stage at the end keeps the
#: streams of the earlier ones unchanged.
STAGES: tuple[str, ...] = (
    "network",
    "cameras",
    "demand",
    "traffic",
    "reads",
    "reconstruct",
    "metrics",
    "outages",
    "patrols",
)


def stage_rngs(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent generator per stage, derived from ``seed``.

    Examples
    --------
    >>> a = stage_rngs(7)["demand"].integers(0, 1000, 3)
    >>> b = stage_rngs(7)["demand"].integers(0, 1000, 3)
    >>> bool((a == b).all())
    True
    """
    children = np.random.SeedSequence(seed).spawn(len(STAGES))
    return {name: np.random.default_rng(child) for name, child in zip(STAGES, children)}
