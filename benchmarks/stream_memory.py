"""Peak memory of a search on a CSV, streamed (``data.stream: true``) against read whole.

Usage: python benchmarks/stream_memory.py [--sizes 24,48,96]

For each size (MiB) it writes a CSV of that size (a 5,000-row table repeated), then runs,
in a fresh process each, a one-trial, one-epoch search on it streamed and read whole, and
prints how much the process's peak resident memory grew during that search (the process
first runs the same search on a small file, so what Keras, TensorFlow and MLflow keep
from their first use is not counted; see ``tests/stream_memory.py``). Streamed, the
growth stays flat in the file's size; read whole, it grows with it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from stream_memory import peak_growth  # noqa: E402
from stream_memory import write_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="24,48,96", help="file sizes in MiB")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="archsmith-stream-"))
    print("| file MiB | rows | streamed: peak RSS growth MiB | whole: peak RSS growth MiB |")
    print("|---|---|---|---|")
    for size in (float(s) for s in args.sizes.split(",")):
        name = f"t{size:g}.csv"
        rows = write_table(folder / name, size)
        grown = {}
        for stream in (True, False):
            start = time.time()
            used = peak_growth(folder, name, stream)
            grown[stream] = (used["peak"] - used["base"]) / 2**20
            print(
                f"  ({'streamed' if stream else 'whole'}: {time.time() - start:.0f} s)",
                file=sys.stderr,
            )
        print(f"| {size:g} | {rows:,} | {grown[True]:.0f} | {grown[False]:.0f} |", flush=True)


if __name__ == "__main__":
    main()
