#!/usr/bin/env python3
"""Rendering speed: real Helm (SDK, in-process) vs capstan's release build, per chart.

Every conformance case that renders successfully with both is timed (cases *-os-* are
the example OpenStack charts with prod-like values). For each chart, in one run:

  helm      N offline installs (dry_run="client") through the SDK in this process; the
            chart is loaded from disk each time, like `helm template` does.
  proc      N runs of `capstan chart template CHART -f ... --set ...`, one process
            each: includes process start-up, which dominates small charts.
  stack     one `capstan template -f GEN.yaml` process over a generated stack holding
            the chart N times (releases CASE-0..CASE-N-1, same values), divided by N:
            start-up amortised, chart loaded once and rendered N times, on all cores.
  stack1    the same pinned to one core (taskset -c 0), the fair per-core figure.
  cold1     like stack1, but over N distinct copies of the chart (each template file
            gets a different trailing comment), so no parsed template is reused between
            releases: what a stack of different charts costs per chart, parse included.
  lib       N renders in one process by capstan's library (the bench_chart_template
            example: chart loaded from disk each time, parsed templates reused), the
            counterpart of the Helm column: no process start-up on either side.
  libcold   the same with every per-process cache of capstan's emptied before each
            render (parsed templates, compiled regexes and schemas, semverCompare
            results, decoded JSON), so every render does all that work, as Helm does.
  inproc    with --criterion DIR: criterion's mean for conformance/CASE from
            `cargo bench --bench render` (load + values + render in process, one core).

With --clock cpu, CPU time replaces elapsed time (Helm: this process, all its threads;
capstan: the child processes), which is stable on a machine busy with other work; the
inproc column is always criterion's elapsed time.

A warm-up render per chart and engine is done first and not counted. The ratio
columns are helm / capstan (above 1: capstan is faster); the target is >= 5.

    CARGO_TARGET_DIR=/work/target-bench cargo build --release --bins --example bench_chart_template
    CARGO_TARGET_DIR=/work/target-bench cargo bench --bench render -- conformance/
    /work/venv-helm/bin/python tests/conformance/bench.py -n 20 \\
        --capstan /work/target-bench/release/capstan --criterion /work/target-bench/criterion
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helm_python as helm  # noqa: E402

from helmref import user_values  # noqa: E402
from run import DEFAULT_CASES, REPO, Case, capstan_args, discover  # noqa: E402

_RELEASE_DIR = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")),
                            "release")
DEFAULT_BIN = os.environ.get("CAPSTAN_BIN", os.path.join(_RELEASE_DIR, "capstan"))


# --clock wall (default) times elapsed seconds; --clock cpu times CPU seconds used (this
# process's threads for Helm, the children's for capstan), which stays meaningful on a
# machine busy with other work.
CLOCK = "wall"


def now_self() -> float:
    return time.perf_counter() if CLOCK == "wall" else time.process_time()


def now_children() -> float:
    if CLOCK == "wall":
        return time.perf_counter()
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_helm(cfg: helm.Config, case: Case, values, n: int) -> float | None:
    def once() -> None:
        cfg.install(case.chart, case.release, values, namespace=case.namespace,
                    dry_run="client")
    try:
        once()  # warm-up
        start = now_self()
        for _ in range(n):
            once()
    except helm.HelmError:
        return None
    return (now_self() - start) * 1000 / n


def time_proc(binary: str, case: Case, n: int) -> float | None:
    args = capstan_args([binary, "chart", "template"], case)

    def once() -> bool:
        proc = subprocess.run(args, cwd=REPO, capture_output=True, check=False)
        return proc.returncode == 0
    if not once():
        return None
    start = now_children()
    for _ in range(n):
        if not once():
            return None
    return (now_children() - start) * 1000 / n


def time_lib(binary: str, case: Case, n: int) -> tuple[float, float] | None:
    """(warm, cold) ms per render in one capstan process; see the module docstring."""
    proc = subprocess.run(capstan_args([binary, str(n)], case), cwd=REPO,
                          capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    times = json.loads(proc.stdout)
    clock = "cpu" if CLOCK == "cpu" else "wall"
    return times[f"warm_{clock}_ms"], times[f"cold_{clock}_ms"]


def _yaml_str(s: str) -> str:
    # JSON strings are valid YAML flow scalars.
    return json.dumps(s)


def cold_copies(case: Case, n: int, workdir: str) -> list[str]:
    """n copies of the case's chart whose template files all differ (a trailing template
    comment naming the copy), so capstan's parsed-template cache cannot serve one copy
    from another. Symlinked subcharts are copied as files."""
    copies = []
    for i in range(n):
        dest = os.path.join(workdir, "cold", case.name, str(i), os.path.basename(case.chart))
        shutil.copytree(case.chart, dest, symlinks=False)
        for root, _dirs, files in os.walk(dest):
            if os.path.basename(root) != "templates" and "/templates/" not in root + "/":
                continue
            for name in files:
                with open(os.path.join(root, name), "a", encoding="utf-8") as f:
                    f.write(f"{{{{/* bench copy {i} */}}}}")
        copies.append(dest)
    return copies


def stack_file(case: Case, n: int, workdir: str, charts: list[str] | None = None,
               suffix: str = "") -> str | None:
    """A stack with the case's chart n times (or the given n charts), or None when its
    --set cannot be expressed as a stack `set` entry (the stack escapes commas, so one
    entry is one key)."""
    sets = []
    for expr in case.sets:
        key, sep, value = expr.partition("=")
        if not sep or "," in expr or "[" in key:
            return None
        sets.append((key, value))
    lines = ["name: bench", "releases:"]
    for i in range(n):
        lines.append(f"  - name: {_yaml_str(f'{case.release}-{i}')}")
        chart = charts[i] if charts else case.chart
        lines.append(f"    chart: {_yaml_str(os.path.abspath(chart))}")
        lines.append(f"    namespace: {_yaml_str(case.namespace)}")
        if case.values:
            lines.append("    values: [" + ", ".join(_yaml_str(os.path.abspath(v))
                                                    for v in case.values) + "]")
        if sets:
            lines.append("    set: {" + ", ".join(f"{_yaml_str(k)}: {_yaml_str(v)}"
                                                  for k, v in sets) + "}")
    path = os.path.join(workdir, f"{case.name}{suffix}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def time_stack(binary: str, path: str, n: int, one_core: bool) -> float | None:
    args = [binary, "template", "-f", path]
    if one_core:
        args = ["taskset", "-c", "0"] + args

    def once() -> float | None:
        start = now_children()
        proc = subprocess.run(args, cwd=REPO, capture_output=True, check=False)
        elapsed = now_children() - start
        return elapsed if proc.returncode == 0 else None
    if once() is None:
        return None
    elapsed = once()
    return None if elapsed is None else elapsed * 1000 / n


def criterion_ms(root: str | None, case: Case) -> float | None:
    if not root:
        return None
    path = os.path.join(root, "conformance", case.name, "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["mean"]["point_estimate"] / 1e6
    except (OSError, KeyError, ValueError):
        return None


NA = "n/a"  # the method cannot express this case (stack `set` with commas or indexes)


def fmt(v: float | str | None) -> str:
    if isinstance(v, str):
        return f"{v:>8}"
    return "    fail" if v is None else f"{v:8.2f}"


def ratio(h: float, c: float | str | None) -> str:
    return "      -" if not c or isinstance(c, str) else f"{h / c:7.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10, help="renders per chart and engine")
    ap.add_argument("--capstan", default=DEFAULT_BIN, help="capstan binary (release build)")
    ap.add_argument("--lib", default=None,
                    help="the bench_chart_template example (columns lib, libcold; skipped "
                         "when missing); default: examples/ beside the capstan binary")
    ap.add_argument("--criterion", default=None,
                    help="criterion output dir (CARGO_TARGET_DIR/criterion) for in-process means")
    ap.add_argument("--no-one-core", action="store_true", help="skip the taskset -c 0 column")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="elapsed time, or CPU time used (robust on a loaded machine)")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("-k", action="append", default=[])
    args = ap.parse_args()
    global CLOCK
    CLOCK = args.clock

    if not os.path.isfile(args.capstan):
        print(f"capstan binary not found: {args.capstan} (build with cargo build --release)")
        return 1
    one_core = not args.no_one_core and shutil.which("taskset") is not None
    cfg = helm.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
    if args.lib is None:
        args.lib = os.path.join(os.path.dirname(args.capstan), "examples",
                                "bench_chart_template")
    have_lib = os.path.isfile(args.lib)
    if not have_lib:
        print(f"no {args.lib}: columns lib and libcold skipped "
              "(cargo build --release --example bench_chart_template)")
    cols = ["helm", "proc", "stack"] + (["stack1", "cold1"] if one_core else []) + \
        (["lib", "libcold"] if have_lib else []) + (["inproc"] if args.criterion else [])
    print(f"{args.clock} ms per render, n={args.n}; ratio = helm / capstan (target >= 5)")
    print(f"{'case':28}" + "".join(f"{c:>9}" for c in cols) + "".join(
        f"{'x' + c:>8}" for c in cols[1:]))
    totals = {c: 0.0 for c in cols}
    log_ratios: dict[str, list[float]] = {c: [] for c in cols[1:]}
    counted = 0
    with tempfile.TemporaryDirectory(prefix="capstan-bench-") as work:
        for case in discover(args.cases, args.k):
            if case.error_contains is not None:
                continue
            values = user_values(case.values, case.sets)
            row = {"helm": time_helm(cfg, case, values, args.n)}
            if row["helm"] is None:
                continue
            row["proc"] = time_proc(args.capstan, case, args.n)
            path = stack_file(case, args.n, work)
            row["stack"] = time_stack(args.capstan, path, args.n, False) if path else NA
            if one_core:
                row["stack1"] = time_stack(args.capstan, path, args.n, True) if path else NA
                cold = stack_file(case, args.n, work, cold_copies(case, args.n, work), "-cold") \
                    if path else None
                row["cold1"] = time_stack(args.capstan, cold, args.n, True) if cold else NA
            if have_lib:
                lib = time_lib(args.lib, case, args.n)
                row["lib"], row["libcold"] = lib if lib else (None, None)
            if args.criterion:
                row["inproc"] = criterion_ms(args.criterion, case)
            h = row["helm"]
            print(f"{case.name:28}" + "".join(fmt(row[c]) for c in cols) +
                  "".join(f" {ratio(h, row[c])}" for c in cols[1:]))
            sys.stdout.flush()
            for c in cols[1:]:
                if isinstance(row[c], float) and row[c] > 0:
                    log_ratios[c].append(math.log(h / row[c]))
            if all(isinstance(row[c], float) for c in cols):
                counted += 1
                for c in cols:
                    totals[c] += row[c]
    if not counted:
        print("no chart rendered with every method")
        return 0
    h = totals["helm"]
    print(f"{'TOTAL (' + str(counted) + ' charts)':28}" +
          "".join(f"{totals[c]:9.2f}" for c in cols) +
          "".join(f" {ratio(h, totals[c])}" for c in cols[1:]))
    print(f"{'geomean ratio (per chart)':28}" + " " * 9 * len(cols) + "".join(
        f" {math.exp(sum(v) / len(v)):7.1f}" if v else "       -"
        for v in (log_ratios[c] for c in cols[1:])))
    print("columns: proc = process per render; stack = one `capstan template` over N "
          "copies, all cores; stack1 = same on one core; cold1 = N different copies on one "
          "core (no parse reuse); lib = in one process like the Helm SDK, parsed templates "
          "reused; libcold = same, every template parsed each time; inproc = criterion "
          "(one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
