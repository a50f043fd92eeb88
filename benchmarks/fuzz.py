"""Long fuzzing run: the checks of tests/test_fuzz.py for many more generated cases.

Usage: python benchmarks/fuzz.py [--cases 10000] [--seed 0]

Splits ``--cases`` over four generators (declarations 40 %, search spaces 25 %, data
tables 20 %, predict inputs 15 %), runs each case's check (``tests/fuzzing.py``) and,
unlike the bounded CI run, keeps going after a failure. Prints the number of cases run
per generator, the failures (raw exceptions, errors without location, silent wrong
answers: must be 0), and the first distinct failures. Exit status 1 when any failed.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzzing  # noqa: E402

SHARES = {"declarations": 0.40, "spaces": 0.25, "tables": 0.20, "predict": 0.15}
CASES = {
    "declarations": (fuzzing.declarations(), fuzzing.check_declaration),
    "spaces": (fuzzing.spaces(), fuzzing.check_space),
    "tables": (fuzzing.labelled_tables(), lambda case: fuzzing.check_table(*case)),
    "predict": (fuzzing.predict_rows(), fuzzing.check_predict_rows),
}


def run(kind: str, count: int, seed: int) -> tuple[int, list[str]]:
    strategy, check = CASES[kind]
    seen: list[int] = [0]
    failures: list[str] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def body(data: st.DataObject) -> None:
        case = data.draw(strategy)
        seen[0] += 1
        failure = check(case)
        if failure is not None:
            failures.append(failure)

    body()
    return seen[0], failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=list(SHARES), default=None, help="one generator")
    args = parser.parse_args()
    total, failed = 0, 0
    distinct: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    start = time.perf_counter()
    for kind, share in SHARES.items():
        if args.only is not None and kind != args.only:
            continue
        t0 = time.perf_counter()
        count = args.cases if args.only else max(1, round(args.cases * share))
        cases, failures = run(kind, count, args.seed)
        total += cases
        failed += len(failures)
        for failure in failures:
            distinct[failure.splitlines()[0][:160]] += 1
            examples.setdefault(failure.splitlines()[0][:160], failure)
        print(
            f"{kind:<13} {cases:>6} cases  {len(failures):>4} failures  "
            f"{time.perf_counter() - t0:7.1f}s",
            flush=True,
        )
    print(
        f"total         {total:>6} cases  {failed:>4} failures  {time.perf_counter() - start:7.1f}s"
    )
    for text, n in distinct.most_common(10):
        print(f"  {n:>5} x {text}")
        print("        " + examples[text].replace("\n", "\n        "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
