"""The array helpers of ``sim/arrays.py`` on the inputs a mutation tester (``benchmarks/mutation.py --paths
sim/arrays.py``) found the other tests never give them: each result is compared with an independent computation
(``np.unique``, pandas or a Python loop), never with the helpers themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.arrays import (distinct_counts, factorized, first_occurrences, first_rows, ranked_pairs, rows_of,
                         value_of_each_key)


def _first_seen(keys: np.ndarray) -> tuple[list[int], list[int]]:
    """The sorted distinct keys and where each first occurs, by a Python loop."""
    first: dict[int, int] = {}
    for i, k in enumerate(keys.tolist()):
        first.setdefault(k, i)
    ordered = sorted(first)
    return ordered, [first[k] for k in ordered]


@pytest.mark.parametrize("low, high", [(-50, 50),            # negative keys: np.unique's path
                                       (2**53, 2**54),       # 54-bit keys, 1,000 positions (10 bits): 64 bits
                                       (0, 2**62)])          # keys as wide as a packed (trip, edge) pair can be
def test_first_occurrences_of_negative_and_wide_keys(low: int, high: int) -> None:
    """Keys that cannot share 63 bits with their position (or are negative) still give np.unique's answer: a
    county week's (trip, edge) keys (``trip * n_edges + edge``) and positions together pass 63 bits."""
    rng = np.random.default_rng(7)
    keys = rng.integers(low, high, 1_000)
    keys = np.concatenate([keys, keys[::3]])  # (repeated keys, so a first occurrence is not the only one)
    rng.shuffle(keys)
    keys = keys[:1_000]
    keys[-1] = high - 1  # (the widest key present)
    distinct_keys, first = first_occurrences(keys)
    assert (distinct_keys.tolist(), first.tolist()) == _first_seen(keys)
    assert first_rows(keys).tolist() == sorted(_first_seen(keys)[1])


def _distinct_per_group(group: np.ndarray, item: np.ndarray, minlength: int) -> list[int]:
    """How many distinct items each group holds, by a set of pairs."""
    out = [0] * max(minlength, int(group.max()) + 1 if len(group) else 0)
    for g, _ in set(zip(group.tolist(), item.tolist())):
        out[g] += 1
    return out


def test_distinct_counts_of_items_too_wide_to_pack() -> None:
    """Items whose span times the groups' passes 62 bits (packed (trip, edge) keys, say) are counted by a lexsort,
    with the same answer as a set of the pairs; the items repeat within and across groups."""
    rng = np.random.default_rng(11)
    pool = rng.integers(-(2**61), 2**61, 40)
    group, item = rng.integers(0, 9, 3_000), pool[rng.integers(0, 40, 3_000)]
    assert distinct_counts(group, item, minlength=12).tolist() == _distinct_per_group(group, item, 12)


@pytest.mark.parametrize("ids", [[0, 1, 2, 3, 4],          # 0 .. n - 1: each id its own row
                                 [0, 5, 7],                # from 0, with gaps
                                 [0, 2, 3, 4, 6],          # from 0, ending at n + 1
                                 [1, 2, 3, 4],             # ending at n, not from 0
                                 [-3, 1, 2],               # ending at n - 1, not from 0
                                 [1, 5, 3],                # not increasing (each id above the first)
                                 []])                      # none
def test_rows_of_increasing_ids_from_zero(ids: list[int]) -> None:
    """Each wanted id's row, -1 where absent (below 0, past the last id, in a gap), by a dict: ids 0 .. n - 1
    are their own rows, other increasing ids (even from 0, or ending at n - 1) are searched, others looked up."""
    wanted = np.array([-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100])
    row = {x: i for i, x in enumerate(ids)}
    expected = [row.get(w, -1) for w in wanted.tolist()]
    assert rows_of(np.array(ids, np.int64), wanted).tolist() == expected
    assert rows_of(np.array(ids, np.int32), wanted.astype(np.int32)).tolist() == expected


@pytest.mark.parametrize("keys", [np.array([2, -1, 2]), np.array([0.0, 1.0, 0.0])])
def test_value_of_each_key_refuses_negative_or_float_keys(keys: np.ndarray) -> None:
    """Keys index a table in compiled code: a negative key would wrap round to another key's slot."""
    with pytest.raises(ValueError, match="non-negative integers"):
        value_of_each_key(keys, np.array([1, 2, 1]))


@pytest.mark.parametrize("column", [np.zeros(0, np.int64), pd.Series([], dtype=np.int32),
                                    pd.Series([], dtype="str")])
def test_factorized_of_nothing(column) -> None:
    """An empty column (an empty block or shard) has no codes and no values, as pd.factorize gives."""
    codes, uniques = factorized(column)
    assert len(codes) == 0 and len(uniques) == 0


@pytest.mark.parametrize("spread", [10, 2**60])  # items packed with groups and counts in one integer, or too wide
def test_ranked_pairs_against_pandas(spread: int) -> None:
    """Each (group, item) pair's count and rank within its group (most frequent first, then the smaller item),
    as pandas' value_counts sorted by group, count descending and item gives."""
    rng = np.random.default_rng(13)
    pool = rng.integers(-spread, spread, 25)
    group, item = rng.integers(0, 6, 2_000), pool[rng.integers(0, 25, 2_000)]
    counted = (pd.DataFrame({"g": group, "i": item}).value_counts().rename("n").reset_index()
               .sort_values(["g", "n", "i"], ascending=[True, False, True], ignore_index=True))
    counted["rank"] = counted.groupby("g").cumcount()
    g, i, n, rank = ranked_pairs(group, item)
    assert g.tolist() == counted["g"].tolist() and i.tolist() == counted["i"].tolist()
    assert n.tolist() == counted["n"].tolist() and rank.tolist() == counted["rank"].tolist()
