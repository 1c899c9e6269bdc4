"""The ``curtain`` command's entry point, outside the ``sim`` package so that it loads in a moment.

Loading ``sim`` takes about a second (numpy, pandas, numba, Dask …); a Ctrl-C in that second used to print a
traceback from deep inside an import. Here the package loads under a guard, and Ctrl-C says one line and exits
with status 130, as the command does when stopped later (``sim.cli_common.interruptible``).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Load the command line (``sim.cli``) and run it; Ctrl-C while it loads: one line, status 130."""
    try:
        from sim.cli import main as command  # lazy: the whole package, under the guard
    except KeyboardInterrupt:
        sys.stderr.write("interrupted while Curtain was loading; nothing was run or written\n")
        raise SystemExit(130) from None
    command()


if __name__ == "__main__":
    main()
