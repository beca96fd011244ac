#!/usr/bin/env python3
"""Rendering speed: real Helm (SDK, in-process) vs capstan, per chart and in total.

Every conformance case that renders successfully is timed, which includes the
example OpenStack charts exactly as the prod stack deploys them (cases *-os-*).

  * Helm: N offline installs (dry_run="client") through the SDK in this process;
    the chart is loaded from disk each time, like `helm template` does.
  * capstan: N runs of --capstan-cmd (a process per render, so this includes process
    start-up), same interface as run.py.
  * Optionally --capstan-repeat-cmd, an in-process repeat runner called as
    `CMD CHART N` that prints `load+render X ms` (crates/helm/examples/bench_render);
    it renders with the chart's default values only, so it is reported separately.

    /work/venv-helm/bin/python tests/conformance/bench.py -n 5 \\
        --capstan-cmd /work/target-x/debug/examples/template

Prints a table of mean milliseconds per render and the Helm/capstan ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helm_python as helm  # noqa: E402

from helmref import user_values  # noqa: E402
from run import DEFAULT_CASES, DEFAULT_CMD, REPO, capstan_args, discover  # noqa: E402


def time_helm(cfg: helm.Config, case, values, n: int) -> float | None:
    start = time.perf_counter()
    for _ in range(n):
        try:
            cfg.install(case.chart, case.release, values, namespace=case.namespace,
                        dry_run="client")
        except helm.HelmError:
            return None
    return (time.perf_counter() - start) * 1000 / n


def time_capstan(cmd: list[str], case, n: int) -> float | None:
    args = capstan_args(cmd, case)
    start = time.perf_counter()
    for _ in range(n):
        try:
            proc = subprocess.run(args, cwd=REPO, capture_output=True, check=False)
        except OSError:
            return None
        if proc.returncode != 0:
            return None
    return (time.perf_counter() - start) * 1000 / n


def time_repeat(cmd: list[str], chart: str, n: int) -> float | None:
    try:
        proc = subprocess.run(cmd + [chart, str(n)], cwd=REPO, capture_output=True, check=False)
    except OSError:
        return None
    m = re.search(r"load\+render ([0-9.]+) ms", proc.stdout.decode(errors="replace"))
    return float(m.group(1)) if proc.returncode == 0 and m else None


def fmt(v: float | None) -> str:
    return "   fail" if v is None else f"{v:7.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5, help="renders per chart and engine")
    ap.add_argument("--capstan-cmd", default=os.environ.get("CAPSTAN_TEMPLATE_CMD", DEFAULT_CMD))
    ap.add_argument("--capstan-repeat-cmd", default=None,
                    help="in-process repeat runner: CMD CHART N -> 'load+render X ms'")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("-k", action="append", default=[])
    args = ap.parse_args()

    cmd = shlex.split(args.capstan_cmd)
    repeat = shlex.split(args.capstan_repeat_cmd) if args.capstan_repeat_cmd else None
    cfg = helm.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
    header = f"{'case':34} {'helm ms':>8} {'capstan':>8} {'ratio':>6}"
    if repeat:
        header += f" {'in-proc':>8}"
    print(header)
    tot_h = tot_c = 0.0
    counted = 0
    for case in discover(args.cases, args.k):
        if case.error_contains is not None:
            continue
        values = user_values(case.values, case.sets)
        h = time_helm(cfg, case, values, args.n)
        if h is None:
            continue
        c = time_capstan(cmd, case, args.n)
        ratio = f"{h / c:6.2f}" if c else "     -"
        line = f"{case.name:34} {fmt(h)} {fmt(c)} {ratio}"
        if repeat:
            line += f" {fmt(time_repeat(repeat, case.chart, args.n))}"
        print(line)
        sys.stdout.flush()
        if c is not None:
            tot_h += h
            tot_c += c
            counted += 1
    if counted:
        print(f"{'TOTAL (' + str(counted) + ' charts)':34} {tot_h:7.2f} {tot_c:7.2f} "
              f"{tot_h / tot_c:6.2f}")
        print("ratio = helm ms / capstan ms (above 1: capstan is faster)")
    else:
        print("no chart rendered with both engines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
