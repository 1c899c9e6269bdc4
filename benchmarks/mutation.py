"""Mutation score of the person-level and district code: how many deliberate bugs the tests catch.

    python benchmarks/mutation.py                      # this checkout's HEAD, the default modules and tests
    python benchmarks/mutation.py --rev f0ceb2a        # the same at another commit (a "before" score)
    python benchmarks/mutation.py --paths sim/district.py --tests "tests/test_placement.py -k district"

mutmut 2.5 (``pip install "mutmut==2.5.1"``) changes one operator, constant or name at a time in the modules
(``--paths``) and runs the tests (``--tests``) against each change; a mutant the tests fail on is *killed*, one
they pass is a *survivor* (a bug the suite would let through). The run happens in a copy of the commit (``git
archive``) in a temporary folder, never in this checkout, with ``sim`` imported from that copy. It takes long
(each mutant reruns the tests: about 5-10 s each on 2 cores), so it is not part of the test suite; the score
is written in docs/metrics.md ("How well the tests catch bugs").

Prints, per module, killed / all and the surviving mutants (``mutmut show`` diffs) to stdout.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
#: the modules whose bugs change a published person-level or district number
PATHS = ("sim/district.py", "sim/metrics/predictability.py", "sim/metrics/person.py", "sim/metrics/trips.py",
         "sim/reconstruct.py", "sim/views.py")
#: fast tests that exercise them (about 40 s on 2 cores): not the whole suite, so that each mutant is quick
TESTS = ("tests/test_honest_numbers.py tests/test_person.py tests/test_movements.py tests/test_metrics.py "
         "tests/test_placement.py tests/test_access.py")


def copy_of(rev: str, where: Path) -> Path:
    """The commit's files (``git archive``) under ``where``, with the shared data beside it as in a checkout."""
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", rev], check=True, capture_output=True).stdout
    root = where / "project"
    root.mkdir()
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    shared = PROJECT.parent / "shared"
    if shared.exists():
        (where / "shared").symlink_to(shared)
    return root


def run_mutmut(root: Path, path: str, tests: str) -> dict[str, int]:
    """Mutate ``path`` in the copy at ``root``; the counts by status from mutmut's cache."""
    # only the test files the commit has (a missing one would fail every run and "kill" every mutant)
    words = shlex.split(tests)
    kept = [w for w in words if not w.startswith("tests/") or (root / w.split("::")[0]).exists()]
    pytest = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -o addopts= -m 'not slow' {shlex.join(kept)}"
    # mutmut 2.5 counts a mutant killed only when the tests exit 1: one that breaks the import (pytest's 2, a
    # syntax error) would count as a survivor (helper-36 found one), so any failure is made 1
    runner = f"bash -c {shlex.quote(pytest + ' || exit 1')}"
    env = os.environ | {"PYTHONPATH": str(root), "MPLBACKEND": "Agg"}
    subprocess.run(["mutmut", "run", "--paths-to-mutate", path, "--tests-dir", "tests", "--runner", runner,
                    "--no-progress", "--simple-output"], cwd=root, env=env, check=False, capture_output=True)
    with sqlite3.connect(root / ".mutmut-cache") as db:
        rows = db.execute("select status, count(*) from Mutant group by status").fetchall()
    return {status: int(n) for status, n in rows}


def survivors(root: Path) -> list[str]:
    """``mutmut show`` of every surviving mutant (the diff of each)."""
    with sqlite3.connect(root / ".mutmut-cache") as db:
        ids = [r[0] for r in db.execute("select id from Mutant where status = 'bad_survived' order by id")]
    return [subprocess.run(["mutmut", "show", str(i)], cwd=root, capture_output=True, text=True).stdout for i in ids]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--paths", nargs="+", default=list(PATHS))
    parser.add_argument("--tests", default=TESTS)
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    args = parser.parse_args()
    total_killed = total = 0
    for path in args.paths:
        with tempfile.TemporaryDirectory(prefix="curtain-mutation-") as tmp:
            root = copy_of(args.rev, Path(tmp))
            counts = run_mutmut(root, path, args.tests)
            killed = counts.get("ok_killed", 0) + counts.get("bad_timeout", 0)  # a hang is caught too
            n = sum(counts.values()) - counts.get("skipped", 0)
            total_killed, total = total_killed + killed, total + n
            print(f"{path}: {killed} of {n} mutants killed ({killed / n:.0%}); {counts}", flush=True)
            if args.show:
                for diff in survivors(root):
                    print(re.sub(r"^", "    ", diff.strip(), flags=re.M), flush=True)
    if total:
        print(f"all: {total_killed} of {total} killed ({total_killed / total:.1%}) at {args.rev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
