"""Memory a run frees goes back to the operating system between its steps (sim.allocator)."""

from __future__ import annotations

import numpy as np
import psutil
import pytest

from sim.allocator import malloc_trim, release_freed_memory


@pytest.mark.skipif(malloc_trim() is None, reason="glibc's malloc_trim only")
def test_freed_arrays_leave_the_resident_memory():
    """After a 16 MB array is freed, glibc carves arrays up to that size from its heap; freeing 300 such arrays
    (1.6 MB each, every 50th kept so the heap cannot shrink from its top) leaves their 0.48 GB resident, and
    :func:`release_freed_memory` gives it back."""
    process = psutil.Process()
    big = np.ones(2_000_000)
    del big
    arrays = [np.ones(200_000) for _ in range(300)]
    kept = arrays[1::50]
    held = process.memory_info().rss
    del arrays
    freed = process.memory_info().rss
    release_freed_memory()
    trimmed = process.memory_info().rss
    assert held - freed < 0.2e9  # (glibc kept them)
    assert freed - trimmed > 0.3e9, (held, freed, trimmed)
    assert len(kept) == 6
