"""Array helpers numpy lacks, or has slowly."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array: ``np.unique(values)``, by sorting.

    numpy 2.4's ``np.unique`` hashes when asked for nothing but the values,
    at about 1 µs per distinct value (11 s for 10 million, against 0.2 s to
    sort them): too slow for a run's (trip, edge) pairs.

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    >>> a = np.random.default_rng(0).integers(-40, 40, 5_000)
    >>> bool(np.array_equal(distinct(a), np.unique(a))), distinct(a[:0]).tolist(), distinct(a[:1]).tolist()
    (True, [], [28])
    """
    values = np.asarray(values).ravel()
    ordered = np.sort(values, kind=_sort_kind(values))
    return ordered[new_runs(ordered)]


def _sort_kind(values: np.ndarray) -> Any:
    """numpy's stable sort for integers (the same sorted values as quicksort, in about half the time where they
    come in runs, as a run's keys trip by trip do; never slower on random keys); quicksort for floats, whose
    equal values (0.0 and -0.0) two sorts may order differently."""
    return "stable" if values.dtype.kind in "iub" else "quicksort"


def new_runs(*keys: np.ndarray) -> np.ndarray:
    """Where a new run starts in arrays sorted together (a boolean mask): the first element, and every element
    where any of ``keys`` differs from the element before.

    Examples
    --------
    >>> new_runs(np.array([1, 1, 2, 2]), np.array([5, 6, 6, 6])).tolist()
    [True, True, True, False]
    >>> new_runs(np.zeros(0)).tolist()
    []
    """
    keep = np.zeros(len(keys[0]), dtype=bool)
    keep[:1] = True
    for key in keys:
        keep[1:] |= key[1:] != key[:-1]
    return keep


def first_occurrences(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True)`` for non-negative integer keys: the sorted distinct keys
    and where each first occurs.

    Each key is packed with its position into one int64 and the packed values sorted once (3x
    faster than the stable argsort ``np.unique`` does); keys too wide to share 63 bits with a
    position fall back to ``np.unique``.

    Examples
    --------
    >>> keys, first = first_occurrences(np.array([7, 3, 7, 0, 3]))
    >>> keys.tolist(), first.tolist()
    ([0, 3, 7], [3, 1, 0])
    >>> a = np.random.default_rng(1).integers(0, 30, 2_000)
    >>> all(np.array_equal(x, y) for x, y in zip(first_occurrences(a), np.unique(a, return_index=True)))
    True
    """
    keys = np.asarray(keys, dtype=np.int64)
    if not len(keys):
        return keys, np.zeros(0, np.int64)
    position_bits = int(len(keys)).bit_length()
    if int(keys.min()) < 0 or int(keys.max()).bit_length() + position_bits > 63:
        distinct_keys, first = np.unique(keys, return_index=True)
        return distinct_keys, first.astype(np.int64)
    # distinct values, so any sort gives the same array; numpy's stable sort (radix or timsort) takes the runs
    # of keys that come in order (routes, trip by trip) at about half quicksort's time, and random keys at its
    packed = np.sort((keys << position_bits) | np.arange(len(keys), dtype=np.int64), kind="stable")
    ordered = packed >> position_bits
    keep = new_runs(ordered)
    return ordered[keep], packed[keep] & ((1 << position_bits) - 1)


def first_rows(keys: np.ndarray) -> np.ndarray:
    """Where each distinct key first occurs, in increasing order: ``np.sort(np.unique(keys,
    return_index=True)[1])``.

    Keys that are dense non-negative integers (below four times their number, as sighting ids are) are marked
    in a table of the keys seen, in one compiled pass (a county week's 12 M sightings: no 64-bit packing and
    sort, 0.4 GB less at the person metrics' peak); others go through :func:`first_occurrences`.

    Examples
    --------
    >>> first_rows(np.array([7, 3, 7, 0, 3])).tolist()
    [0, 1, 3]
    >>> a = np.random.default_rng(2).integers(0, 500, 3_000)
    >>> bool(np.array_equal(first_rows(a), np.sort(np.unique(a, return_index=True)[1])))
    True
    >>> sparse = (a.astype(np.int32) * 1_000_003) % 97_777  # (keys far above their number: the other path)
    >>> bool(np.array_equal(first_rows(sparse), np.sort(np.unique(sparse, return_index=True)[1])))
    True
    """
    keys = np.asarray(keys)
    if not len(keys):
        return np.zeros(0, np.int64)
    if keys.dtype.kind in "iu" and int(keys.min()) >= 0 and int(keys.max()) < 4 * len(keys):
        return _first_rows(keys, int(keys.max()) + 1)
    return np.sort(first_occurrences(keys)[1], kind="stable")


@numba.njit(cache=True)
def _first_rows(keys: np.ndarray, n_keys: int) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`first_rows`, compiled: one pass to count the distinct keys, one to note where each first occurs."""
    seen = np.zeros(n_keys, np.bool_)
    n = 0
    for key in keys:
        if not seen[key]:
            seen[key] = True
            n += 1
    seen[:] = False
    out = np.empty(n, np.int64)
    n = 0
    for i in range(len(keys)):
        if not seen[keys[i]]:
            seen[keys[i]] = True
            out[n] = i
            n += 1
    return out


def value_of_each_key(keys: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """The one value each distinct key holds, in order of first appearance (``values[first_rows(keys)]``), or
    ``None`` when some key holds two values (a NaN differs from every value, itself included). ``keys`` dense
    non-negative integers (as sighting ids are), in one compiled pass with no per-row copy.

    Examples
    --------
    >>> value_of_each_key(np.array([3, 0, 3, 1]), np.array([7, 5, 7, -1])).tolist()
    [7, 5, -1]
    >>> value_of_each_key(np.array([3, 0, 3]), np.array([7, 5, 6])) is None  # key 3 holds 7 and 6
    True
    """
    keys, values = np.asarray(keys), np.asarray(values)
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} keys for {len(values)} values")
    if not len(keys):
        return values[:0].copy()
    if keys.dtype.kind not in "iu" or int(keys.min()) < 0:
        raise ValueError("keys must be non-negative integers")
    out, consistent = _value_of_each_key(keys, values, int(keys.max()) + 1)
    return out if consistent else None


@numba.njit(cache=True)
def _value_of_each_key(keys: np.ndarray, values: np.ndarray,
                       n_keys: int) -> tuple[np.ndarray, bool]:  # pragma: no cover - compiled
    """:func:`value_of_each_key`, compiled: each key's slot holds the first row's position, later rows compared."""
    first = np.full(n_keys, -1, np.int64)
    n = 0
    for i in range(len(keys)):
        at = first[keys[i]]
        if at < 0:
            first[keys[i]] = i
            n += 1
        elif values[at] != values[i]:
            return values[:0].copy(), False
    out = np.empty(n, values.dtype)
    n = 0
    for i in range(len(keys)):
        if first[keys[i]] == i:
            out[n] = values[i]
            n += 1
    return out, True


def factorized(column: Any) -> tuple[np.ndarray, Any]:
    """``pd.factorize(column)``: codes in order of first appearance (-1 for a missing value) and the distinct
    values. 32-bit codes for a column of Arrow text (as pandas holds ``str``: its dictionary's indices, with no
    64-bit copy; a county week's 12 M plates as read: 49 MB, not 98) and for dense non-negative integers (below
    four times their number: vehicle ids), numbered in one compiled pass with no hash table.

    Examples
    --------
    >>> codes, plates = factorized(pd.Series(["b", None, "a", "b"], dtype="str"))
    >>> codes.tolist(), list(plates)
    ([0, -1, 1, 0], ['b', 'a'])
    >>> factorized(pd.Series(["b", None, "b"], dtype=pd.StringDtype("python", na_value=np.nan)))[0].tolist()
    [0, -1, 0]
    >>> [part.tolist() for part in factorized(np.array([5, 3, 5]))]
    [[0, 1, 0], [5, 3]]
    >>> ids = np.random.default_rng(5).integers(0, 700, 3_000)
    >>> all(all(np.array_equal(a, b) for a, b in zip(factorized(k), pd.factorize(k)))
    ...     for k in (ids, ids * 10**6, ids.astype(np.uint16)))
    True
    """
    values = column.to_numpy() if isinstance(column, pd.Series) and column.dtype.kind in "iu" else column
    if (isinstance(values, np.ndarray) and values.dtype.kind in "iu" and 0 < len(values) < 2**31
            and int(values.min()) >= 0 and int(values.max()) < 4 * len(values)):
        # dense integers (vehicle ids): numbered in one compiled pass, no hash table
        return _first_appearance_codes(values, int(values.max()) + 1)
    if (isinstance(column, pd.Series) and column.dtype == "str" and getattr(column.dtype, "storage", "") == "pyarrow"
            and 0 < len(column) < 2**31):
        encoded = pc.dictionary_encode(column.array.__arrow_array__())
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        return (pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False),  # (read-only, as Arrow's)
                encoded.dictionary.to_numpy(zero_copy_only=False))
    return pd.factorize(column)


def factorized_codes(column: Any) -> np.ndarray:
    """The codes of :func:`factorized` (``pd.factorize(column)[0]``), for a column whose values are not needed.

    Examples
    --------
    >>> factorized_codes(pd.Series(["b", None, "a", "b"], dtype="str")).tolist()
    [0, -1, 1, 0]
    """
    return factorized(column)[0]


def least_of_each_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct non-negative ``keys`` (increasing) and the least of ``values`` at each: what
    ``pd.Series(values).groupby(keys).min()`` gives, negative keys left out. Keys that are dense (below four times
    their number, as trip ids are) go through one compiled pass with no hash table or sort (a county week's 12 M
    reads: 0.55 GB less than pandas' group-by); others through one sort.

    Examples
    --------
    >>> keys, least = least_of_each_key(np.array([4, 1, 4, -1, 1]), np.array([2.0, 5.0, 1.0, 0.0, 7.0]))
    >>> keys.tolist(), least.tolist()
    ([1, 4], [5.0, 1.0])
    >>> rng = np.random.default_rng(4)
    >>> k, v = rng.integers(-5, 300, 4_000), rng.random(4_000)
    >>> by_pandas = pd.Series(v[k >= 0]).groupby(k[k >= 0]).min()
    >>> all(np.array_equal(a, b) for a, b in zip(least_of_each_key(k, v), (by_pandas.index, by_pandas.to_numpy())))
    True
    >>> all(np.array_equal(a, b) for a, b in zip(least_of_each_key(k * 1_000, v), (by_pandas.index * 1_000,
    ...                                                                              by_pandas.to_numpy())))
    True
    """
    keys, values = np.asarray(keys), np.asarray(values)
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} keys for {len(values)} values")
    if len(keys) and keys.dtype.kind in "iu" and 0 <= int(keys.max()) < 4 * len(keys):
        seen, least = _least_of_each_key(keys, values, int(keys.max()) + 1)
        present = np.flatnonzero(seen)
        return present.astype(keys.dtype, copy=False), least[present]
    kept = keys >= 0
    keys, values = keys[kept], values[kept]
    order = np.lexsort((values, keys))  # (each key's least value first)
    first = order[new_runs(keys[order])] if len(order) else order
    return keys[first], values[first]


@numba.njit(cache=True)
def _least_of_each_key(keys: np.ndarray, values: np.ndarray,
                       n_keys: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`least_of_each_key`, compiled: each key's slot holds the least value met so far."""
    seen = np.zeros(n_keys, np.bool_)
    least = np.empty(n_keys, values.dtype)
    for i in range(len(keys)):
        k = keys[i]
        if k < 0:
            continue
        if not seen[k] or values[i] < least[k] or least[k] != least[k]:  # (a NaN is replaced, as pandas skips it)
            least[k] = values[i]
            seen[k] = True
    return seen, least


@numba.njit(cache=True)
def _first_appearance_codes(keys: np.ndarray,
                            n_keys: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Dense non-negative ``keys`` numbered in order of first appearance (as ``pd.factorize``), 32-bit, and the
    distinct keys in that order."""
    code_of = np.full(n_keys, -1, np.int32)
    out = np.empty(len(keys), np.int32)
    distinct_keys = np.empty(n_keys, keys.dtype)
    n = 0
    for i in range(len(keys)):
        k = keys[i]
        if code_of[k] < 0:
            code_of[k] = n
            distinct_keys[n] = k
            n += 1
        out[i] = code_of[k]
    return out, distinct_keys[:n]


def member(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin(values, pool)`` for distinct ``values``, by sorting both: about 2x ``assume_unique=True``
    and 4x plain ``np.isin`` on a run's 8 million (trip, edge) keys (numpy 2.4).

    Examples
    --------
    >>> member(np.array([5, 1, 9, 3]), np.array([3, 4, 5, 5])).tolist()
    [True, False, False, True]
    >>> a = np.random.default_rng(1).permutation(10_000)[:3_000]
    >>> b = np.random.default_rng(2).integers(0, 10_000, 2_000)
    >>> bool(np.array_equal(member(a, b), np.isin(a, b))), member(a[:0], b).tolist(), member(a[:2], b[:0]).tolist()
    (True, [], [False, False])
    """
    values = np.asarray(values)
    order = np.argsort(values, kind="stable")  # (distinct values: the same order; faster, see first_occurrences)
    ordered = values[order]
    pool = np.sort(np.asarray(pool), kind="stable")
    out = np.zeros(len(values), dtype=bool)
    if len(pool):
        at = np.minimum(np.searchsorted(pool, ordered), len(pool) - 1)
        out[order] = pool[at] == ordered
    return out


def code_type(n: int) -> type[np.signedinteger[Any]]:
    """The integer type of codes or positions below ``n`` (and -1 for none): 32 bits where they fit, else 64.

    Examples
    --------
    >>> code_type(12_000_000).__name__, code_type(2**31).__name__
    ('int32', 'int64')
    """
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def run_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sorted array's distinct values, and each element's run among them (0, 1, …).

    Examples
    --------
    >>> distinct_values, run = run_codes(np.array([3, 3, 8, 9, 9]))
    >>> distinct_values.tolist(), run.tolist()
    ([3, 8, 9], [0, 0, 1, 2, 2])
    """
    values = np.asarray(values)
    new = new_runs(values)
    return values[new], np.cumsum(new) - 1


def run_starts(labels: np.ndarray) -> np.ndarray:
    """For each position of a sorted label array, the position where its run of equal labels starts.

    Examples
    --------
    >>> run_starts(np.array([4, 4, 6, 7, 7, 7])).tolist()
    [0, 0, 2, 3, 3, 3]
    """
    if not len(labels):
        return np.zeros(0, dtype=np.int64)
    new = new_runs(np.asarray(labels))
    starts = np.flatnonzero(new)
    return starts[np.cumsum(new) - 1]


def ranked_pairs(group: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (group, item) pair and how often it occurs, ranked within its group.

    Returns ``group, item, count, rank`` of the distinct pairs, ordered by group, then count (most
    first), then item (smallest first); ``rank`` is 0 for the group's most frequent item. The same
    as ``DataFrame.value_counts`` sorted by group, count descending and item, by sorting integers
    instead of hashing rows.

    Examples
    --------
    >>> g, i, n, r = ranked_pairs(np.array([1, 1, 1, 0, 1]), np.array([5, 3, 5, 9, 3]))
    >>> g.tolist(), i.tolist(), n.tolist(), r.tolist()
    ([0, 1, 1], [9, 3, 5], [1, 2, 2], [0, 0, 1])
    """
    group, item = np.asarray(group, np.int64), np.asarray(item, np.int64)
    if not len(group):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    g_lo, i_lo = int(group.min()), int(item.min())
    g_span, i_span = int(group.max()) - g_lo + 1, int(item.max()) - i_lo + 1
    if _fits(g_span, i_span):  # one packed integer per row: one sort, no argsort (3 s -> 0.5 s for 12 M rows)
        key = np.sort((group - g_lo) * i_span + (item - i_lo), kind="stable")
        first = np.flatnonzero(new_runs(key))
        g, i = key[first] // i_span + g_lo, key[first] % i_span + i_lo
    else:
        order = np.lexsort((item, group))
        g, i = group[order], item[order]
        first = np.flatnonzero(new_runs(g, i))
        g, i = g[first], i[first]
    count = np.diff(np.append(first, len(group))).astype(np.int64)
    c_span = int(count.max()) + 1
    if _fits(g_span, c_span, i_span):  # the pairs are distinct: any sort of their packed keys is the order
        ranked = np.argsort(((g - g_lo) * c_span + (c_span - 1 - count)) * i_span + (i - i_lo), kind="stable")
    else:
        ranked = np.lexsort((i, -count, g))
    g, i, count = g[ranked], i[ranked], count[ranked]
    return g, i, count, np.arange(len(g)) - run_starts(g)


def _fits(*spans: int) -> bool:
    """Whether values in these ranges, packed into one integer, fit in 62 bits."""
    return sum(max(int(span) - 1, 1).bit_length() for span in spans) <= 62


def rows_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of each ``wanted`` id among ``ids`` (distinct), -1 where absent: ``pd.Index(ids).get_indexer``,
    by binary search when ``ids`` are increasing (a trips table's ``trip_id``; 12 million reads in 0.3 s).

    Examples
    --------
    >>> rows_of(np.array([10, 20, 30]), np.array([30, 10, 25, -1])).tolist()
    [2, 0, -1, -1]
    >>> rows_of(np.array([30, 10]), np.array([10, 11])).tolist()
    [1, -1]
    >>> rows_of(np.array([3, 1], dtype=np.uint64), np.array([1], dtype=np.uint64)).tolist()   # not increasing
    [1]
    >>> rng = np.random.default_rng(2)
    >>> ids, wanted = np.unique(rng.integers(-50, 900, 300)), rng.integers(-60, 960, 5_000)
    >>> np.array_equal(rows_of(ids, wanted), pd.Index(ids).get_indexer(wanted))
    True
    """
    ids, wanted = np.asarray(ids), np.asarray(wanted)
    if not len(ids) or not (ids.dtype.kind in "iu" and wanted.dtype.kind in "iu") or not (ids[1:] > ids[:-1]).all():
        return np.asarray(pd.Index(ids).get_indexer(wanted), dtype=np.int64)
    if ids[0] == 0 and ids[-1] == len(ids) - 1:  # increasing from 0 to n - 1: each id is its own row
        return np.where((wanted >= 0) & (wanted < len(ids)), wanted, -1).astype(np.int64, copy=False)
    # one int64 per id wanted, worked in place (a county week's 12 M reads: 0.1 GB an array)
    at = np.searchsorted(ids, wanted).astype(np.int64, copy=False)
    np.minimum(at, len(ids) - 1, out=at)
    at[ids[at] != wanted] = -1
    return at


def distinct_counts(group: np.ndarray, item: np.ndarray, minlength: int = 0) -> np.ndarray:
    """How many distinct ``item`` values each ``group`` (non-negative integers) holds: ``np.bincount`` of the
    distinct (group, item) pairs, found by one sort of packed integers (or a lexsort where they would not fit).

    Examples
    --------
    >>> distinct_counts(np.array([0, 0, 2, 0, 2]), np.array([5, 5, 1, 7, -3]), minlength=4).tolist()
    [2, 0, 2, 0]
    >>> rng = np.random.default_rng(3)
    >>> item = rng.integers(0, 400, 2_000)           # dense items, each in one group (the compiled path) ...
    >>> def by_sets(g, i): return np.bincount([a for a, _ in set(zip(g.tolist(), i.tolist()))], minlength=30)
    >>> all(np.array_equal(distinct_counts(g, item, minlength=30), by_sets(g, item))
    ...     for g in (item % 30, rng.integers(0, 30, 2_000)))   # ... and items spread over groups (the sort)
    True
    """
    group, item = np.asarray(group), np.asarray(item)
    if (len(item) and item.dtype.kind in "iu" and group.dtype.kind in "iu" and int(item.min()) >= 0
            and int(item.max()) < 4 * len(item)):
        # dense items (sighting ids): when each item lies in one group, as a sighting in one vehicle-day, count
        # each item once, in one compiled pass, with no sort
        of_item = value_of_each_key(item, group)
        if of_item is not None:
            return np.bincount(of_item.astype(np.int64, copy=False), minlength=minlength).astype(np.int64)
    group, item = np.asarray(group, np.int64), np.asarray(item, np.int64)
    if not len(group):
        return np.zeros(minlength, np.int64)
    i_lo = int(item.min())
    i_span = int(item.max()) - i_lo + 1
    if _fits(int(group.max()) + 1, i_span):
        key = np.sort(group * i_span + (item - i_lo), kind="stable")
        first = key[new_runs(key)] // i_span
    else:
        order = np.lexsort((item, group))
        g, i = group[order], item[order]
        first = g[new_runs(g, i)]
    return np.bincount(first, minlength=minlength).astype(np.int64)


def shared_codes(*coded: tuple[np.ndarray, Any]) -> list[np.ndarray]:
    """Several factorized columns (each ``(codes, uniques)``, codes -1 where a value is missing) as codes of one
    factorization of all their distinct values, so that equal values have equal codes across columns; a missing
    value gets a code of its own column's (-2, -3, …) and so equals nothing in another. Only the distinct values
    are hashed again, never every row. The codes are for comparing (32-bit where they fit).

    Examples
    --------
    >>> a = pd.factorize(pd.Series(["x", "y", None]))
    >>> b = (np.array([1, 0, -1]), np.array(["z", "x"], dtype=object))
    >>> [codes.tolist() for codes in shared_codes(a, b)]
    [[0, 1, -2], [0, 2, -3]]
    """
    uniques = [np.asarray(u, dtype=object) for _, u in coded]
    joint = pd.factorize(pd.Series(np.concatenate(uniques) if uniques else [], dtype=object))[0]
    parts = np.split(joint, np.cumsum([len(u) for u in uniques])[:-1])
    # 32-bit codes where they fit: compared, never multiplied (a county week's reads: 49 MB a column, not 98)
    fit = code_type(len(joint) + len(coded) + 2)
    out = []
    for i, ((codes, _), part) in enumerate(zip(coded, parts)):
        missing = -2 - i
        out.append(np.append(np.where(part >= 0, part, missing), missing).astype(fit)[np.asarray(codes)])
    return out


def positions_in(index: Any, column: Any) -> np.ndarray:
    """``pd.Index(index).get_indexer(column)`` (each value's position, -1 where absent), looking up each distinct
    value of ``column`` once: a column of millions of text values is never turned into Python objects. A missing
    value is -1 even where ``index`` holds one (``get_indexer`` would find it there).

    Examples
    --------
    >>> positions_in(["a", "b"], pd.Series(["b", "c", "b", None], dtype="str")).tolist()
    [1, -1, 1, -1]
    """
    code, uniques = pd.factorize(column)
    return np.append(pd.Index(index).get_indexer(uniques), -1)[code]


def used_codes(code: np.ndarray, uniques: Any) -> tuple[np.ndarray, Any]:
    """Codes into ``uniques`` (-1: none) renumbered over the values some code still uses, in their order, with
    those values: what factorizing the codes' values again (sorted as ``uniques`` are) would give.

    Examples
    --------
    >>> code, kept = used_codes(np.array([2, -1, 2, 0]), np.array(["a", "b", "c"], dtype=object))
    >>> code.tolist(), kept.tolist()
    ([1, -1, 1, 0], ['a', 'c'])
    """
    used = np.bincount(code[code >= 0], minlength=len(uniques)) > 0
    renumber = np.append(np.cumsum(used) - 1, -1)
    return renumber[code], uniques[used]


def joined(parts: Any, dtype: Any) -> np.ndarray:
    """``parts`` (arrays, any iterable of them) end to end, of ``dtype`` or the wider type the parts hold: an
    empty array of ``dtype`` when there are none (what shards' or blocks' pieces join into).

    Examples
    --------
    >>> joined((np.arange(n, dtype=np.int32) for n in (2, 1)), np.int64)
    array([0, 1, 0])
    >>> joined([], bool)
    array([], dtype=bool)
    """
    return np.concatenate([np.zeros(0, dtype), *parts])
