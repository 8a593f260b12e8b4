#!/usr/bin/env python3
"""Seeds-to-find: how many seeds a sweep runs before it first catches a known bug.

For each scenario file, runs `ranges` disjoint seed ranges (range k starts at k * 10^7) and
notes, in each, how many seeds it took to reach the first run that violates the invariant
(inside or outside the protocol's assumptions). Prints the per-range counts, their median and
the violation rate. A range that finds nothing within --cap seeds counts as "> cap".

    scripts/seeds-to-find.py bench/seeds-to-find/*.toml
    scripts/seeds-to-find.py --invariant agreement --cap 1000000 FILE...

Needs a release build of ftsim (cargo build --release).
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RANGE_STRIDE = 10_000_000


def run_range(ftsim, text, start, count, jobs):
    """Runs seeds start..start+count of the scenario text; returns its JSON summary."""
    seeds = f"seeds = {{ start = {start}, count = {count} }}"
    text = re.sub(r"^seeds\s*=.*$", seeds, text, count=1, flags=re.M)
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        cmd = [ftsim, "run", path, "--format", "json"]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return json.loads(out.stdout)["scenarios"][0]
    finally:
        Path(path).unlink()


def first_seed(summary, invariant):
    """The first seed violating `invariant`, inside or outside the assumptions."""
    found = [
        summary.get("first_failing_seed_by_invariant", {}).get(invariant),
        summary.get("first_outside_seed_by_invariant", {}).get(invariant),
    ]
    found = [s for s in found if s is not None]
    return min(found) if found else None


def violations(summary, invariant):
    return summary.get("violations", {}).get(invariant, 0) + summary.get(
        "outside_violations", {}
    ).get(invariant, 0)


def seeds_to_find(ftsim, text, invariant, start, cap, jobs):
    """Seeds run until the first violation in the range from `start` (None: not within cap),
    and (violations, runs) over the seeds run. Runs the range in growing chunks."""
    done, chunk, hits = 0, 1000, 0
    while done < cap:
        count = min(chunk, cap - done)
        summary = run_range(ftsim, text, start + done, count, jobs)
        hits += violations(summary, invariant)
        seed = first_seed(summary, invariant)
        if seed is not None:
            return seed - start + 1, hits, done + count
        done += count
        chunk *= 4
    return None, hits, done


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--ftsim", default="target/release/ftsim")
    p.add_argument("--invariant", default="agreement")
    p.add_argument("--ranges", type=int, default=10)
    p.add_argument("--cap", type=int, default=2_000_000, help="most seeds per range")
    p.add_argument("--jobs", type=int, default=0)
    args = p.parse_args()
    print(f"{'scenario':<34} {'median':>9}  {'rate':>9}  per range")
    for file in args.files:
        text = file.read_text()
        found, hits, runs = [], 0, 0
        for k in range(args.ranges):
            n, h, r = seeds_to_find(
                args.ftsim, text, args.invariant, k * RANGE_STRIDE, args.cap, args.jobs
            )
            found.append(n)
            hits, runs = hits + h, runs + r
        values = [n if n is not None else float("inf") for n in found]
        median = statistics.median(values)
        shown = f"> {args.cap}" if median == float("inf") else f"{median:g}"
        per_range = " ".join("-" if n is None else str(n) for n in found)
        print(f"{file.stem:<34} {shown:>9}  {hits / max(runs, 1):>9.2e}  {per_range}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
