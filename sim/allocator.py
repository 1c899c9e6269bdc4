"""Memory a run has freed, given back to the operating system between its steps."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow as pa


@functools.cache
def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (``None`` where the C library has none: macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Give the memory freed so far back to the operating system: glibc's ``malloc_trim(0)`` and Arrow's pool's
    ``release_unused``; nothing where neither applies.

    glibc keeps what a program frees in its heap for reuse, and after a large array is freed it raises its
    threshold for mapping arrays on their own, so that the next arrays up to 32 MB (a block's) are carved from the
    heap too: a run's resident memory then stays near the most it ever held, whatever it holds now. Dask starts
    its workers with ``MALLOC_TRIM_THRESHOLD_`` set for the same reason (``distributed.nanny.pre-spawn-environ``);
    this process trims at the end of each stage and each metric (a few milliseconds), and keeps glibc's own
    thresholds in between, which fixed would map and zero every array above 128 kB anew (a county week ran 25 %
    slower so).

    Examples
    --------
    >>> release_freed_memory()  # (what it gives back shows in the process's resident memory, not here)
    """
    trim = malloc_trim()
    if trim is not None:
        trim(0)
    pa.default_memory_pool().release_unused()
