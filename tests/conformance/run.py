#!/usr/bin/env python3
"""Helm-compatibility conformance suite: real Helm vs capstan, byte for byte.

Each case is tests/conformance/cases/<case>/ with chart/ and case.yaml:

    release: my-release          # release name (default: the case directory name)
    namespace: demo              # default: default
    values: [values-a.yaml]      # -f files, relative to the case directory
    set: ["image.tag=v2"]        # --set expressions
    errorContains: "must be set" # the case is expected to FAIL; both Helm's error and
                                 # capstan's stderr must contain this text
    errorLinesUnordered: true    # and both errors have the same lines, in any order
                                 # (Helm reports schema failures in Go map order)

Usage (run with the Helm SDK venv, see setup-venv.sh):

    /work/venv-helm/bin/python tests/conformance/run.py [-k SUBSTR] [--capstan-cmd CMD]
    /work/venv-helm/bin/python tests/conformance/run.py --helm-only   # check cases only
    /work/venv-helm/bin/python tests/conformance/run.py --update      # write expected.out

capstan is run as `CMD CHART_DIR -f VALUES... --set k=v... --name NAME --namespace NS`
and must print what `helm template` prints (exit non-zero on a render error).
Prints a unified diff per failing case and finally `N passed, M failed`; exits 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helm_python as helm  # noqa: E402

from helmref import HarnessError, HelmRef, Rendered, ValuesFileError, user_values  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CMD = "cargo run -q -p capstan-helm --example template --"
DEFAULT_CASES = os.path.join(HERE, "cases")


@dataclass
class Case:
    name: str
    dir: str
    chart: str
    release: str
    namespace: str
    values: list[str]
    sets: list[str]
    error_contains: str | None
    error_lines_unordered: bool = False


def load_case(case_dir: str) -> Case:
    with open(os.path.join(case_dir, "case.yaml"), encoding="utf-8") as f:
        spec: dict[str, Any] = helm.values_from_yaml(f.read()) or {}
    name = os.path.basename(case_dir)
    return Case(
        name=name,
        dir=case_dir,
        chart=os.path.join(case_dir, spec.get("chart", "chart")),
        release=str(spec.get("release", name)),
        namespace=str(spec.get("namespace", "default")),
        values=[os.path.join(case_dir, v) for v in spec.get("values") or []],
        sets=[str(s) for s in spec.get("set") or []],
        error_contains=spec.get("errorContains"),
        error_lines_unordered=bool(spec.get("errorLinesUnordered", False)),
    )


def discover(cases_dir: str, filters: list[str]) -> list[Case]:
    cases = []
    for entry in sorted(os.listdir(cases_dir)):
        d = os.path.join(cases_dir, entry)
        if not os.path.isfile(os.path.join(d, "case.yaml")):
            continue
        if filters and not any(f in entry for f in filters):
            continue
        cases.append(load_case(d))
    return cases


def shown_path(path: str) -> str:
    """A -f path as given to capstan (which runs in REPO) and as Helm's errors name it:
    relative, so expected.err does not depend on where the repository lives."""
    return os.path.relpath(path, REPO)


def capstan_args(cmd: list[str], case: Case) -> list[str]:
    args = list(cmd) + [case.chart]
    for v in case.values:
        args += ["-f", shown_path(v)]
    for s in case.sets:
        args += ["--set", s]
    return args + ["--name", case.release, "--namespace", case.namespace]


def run_capstan(cmd: list[str], case: Case, timeout: float) -> Rendered:
    try:
        proc = subprocess.run(capstan_args(cmd, case), cwd=REPO, capture_output=True,
                              timeout=timeout, check=False)
    except FileNotFoundError as e:
        return Rendered(error=f"capstan command not found: {e}")
    except subprocess.TimeoutExpired:
        return Rendered(error=f"capstan timed out after {timeout}s")
    stdout = proc.stdout.decode("utf-8", errors="replace")
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        return Rendered(error=stderr.strip() or f"exit status {proc.returncode}")
    return Rendered(output=stdout, warnings=stderr.splitlines())


def helm_render(ref: HelmRef, case: Case) -> Rendered:
    try:
        values = user_values(case.values, case.sets, [shown_path(v) for v in case.values])
    except ValuesFileError as e:
        return Rendered(error=str(e))
    except helm.HelmError as e:
        return Rendered(error=f"values: {e}")
    return ref.template(case.chart, case.release, case.namespace, values)


def check_expectation(case: Case, expected: Rendered) -> str | None:
    """A case must behave as it declares with real Helm, or the case itself is wrong."""
    if case.error_contains is not None:
        if expected.error is None:
            return "case declares errorContains but Helm rendered successfully"
        if case.error_contains not in expected.error:
            return (f"Helm's error does not contain {case.error_contains!r}:\n"
                    f"{expected.error[:4000]}")
        return None
    if expected.error is not None:
        return f"Helm failed on a case expected to render:\n{expected.error[:4000]}"
    return None


def error_lines(text: str) -> collections.Counter[str]:
    """An error's lines as a multiset, without the CLI's `Error: ` lead-in."""
    lines = text.strip().splitlines()
    if lines:
        for lead in ("Error: ", "error: "):
            if lines[0].startswith(lead):
                lines[0] = lines[0][len(lead):]
    return collections.Counter(line.rstrip() for line in lines)


def compare(case: Case, expected: Rendered, actual: Rendered) -> str | None:
    """None when they agree, else a human-readable explanation (diff)."""
    if case.error_contains is not None:
        if actual.error is None:
            return "Helm fails but capstan rendered:\n" + (actual.output or "")[:4000]
        if case.error_contains not in actual.error:
            return (f"both fail, but capstan's error lacks {case.error_contains!r}:\n"
                    f"capstan: {actual.error[:2000]}\nhelm:    {(expected.error or '')[:2000]}")
        if case.error_lines_unordered:
            want, got = error_lines(expected.error or ""), error_lines(actual.error)
            if want != got:
                return ("both fail, but with different lines:\n"
                        + "".join(f"  helm only:    {line}\n" for line in want - got)
                        + "".join(f"  capstan only: {line}\n" for line in got - want))
        return None
    if actual.error is not None:
        return f"capstan failed:\n{actual.error[-4000:]}"
    if actual.output == expected.output:
        return compare_warnings(expected.warnings, actual.warnings)
    diff = difflib.unified_diff(
        (expected.output or "").splitlines(keepends=True),
        (actual.output or "").splitlines(keepends=True),
        fromfile=f"helm/{case.name}", tofile=f"capstan/{case.name}")
    text = "".join(d if d.endswith("\n") else d + "\n\\ No newline at end of file\n"
                   for d in diff)
    return text or "outputs differ only in ways difflib does not show (line endings?)"


def compare_warnings(helm_lines: list[str], capstan_lines: list[str]) -> str | None:
    """Helm's values-coalescing warnings against capstan's stderr, as multisets: each
    line as often as Helm logs it. Within one coalescing pass Helm logs in Go's random
    map order, so the order is not compared."""
    want, got = collections.Counter(helm_lines), collections.Counter(capstan_lines)
    if want == got:
        return None
    return ("same output, different warnings on stderr (line: helm's count, capstan's):\n"
            + "".join(f"  {line}: {want[line]}, {got[line]}\n"
                      for line in sorted(set(want) | set(got)) if want[line] != got[line]))


def write_expected(case: Case, expected: Rendered) -> None:
    """Store Helm's output beside the case so Rust tests can use it without Python."""
    out = os.path.join(case.dir, "expected.out")
    err = os.path.join(case.dir, "expected.err")
    warnings = os.path.join(case.dir, "expected.warnings")
    for p in (out, err, warnings):
        if os.path.exists(p):
            os.remove(p)
    if expected.error is not None:
        with open(err, "w", encoding="utf-8") as f:
            f.write(expected.error + "\n")
    else:
        with open(out, "w", encoding="utf-8") as f:
            f.write(expected.output or "")
        if expected.warnings:
            # Sorted: Helm's order within a coalescing pass varies from run to run.
            with open(warnings, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in sorted(expected.warnings)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--capstan-cmd", default=os.environ.get("CAPSTAN_TEMPLATE_CMD", DEFAULT_CMD))
    ap.add_argument("--cases", default=DEFAULT_CASES, help="cases directory")
    ap.add_argument("-k", action="append", default=[], help="only cases containing SUBSTR")
    ap.add_argument("--helm-only", action="store_true",
                    help="only check every case against real Helm (no capstan)")
    ap.add_argument("--update", action="store_true",
                    help="write expected.out / expected.err from real Helm into each case")
    ap.add_argument("--show", action="store_true", help="print Helm's output per case")
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="seconds per capstan run (the first may compile)")
    args = ap.parse_args()

    cmd = shlex.split(args.capstan_cmd)
    ref = HelmRef()
    cases = discover(args.cases, args.k)
    passed = failed = 0
    for case in cases:
        t0 = time.monotonic()
        try:
            expected = helm_render(ref, case)
        except HarnessError as e:
            failed += 1
            print(f"FAIL {case.name}: harness: {e}")
            continue
        problem = check_expectation(case, expected)
        if problem is None and args.update:
            write_expected(case, expected)
        if args.show:
            print(f"===== {case.name}")
            print(expected.output if expected.error is None else f"ERROR: {expected.error}")
        if problem is None and not (args.helm_only or args.update):
            actual = run_capstan(cmd, case, args.timeout)
            problem = compare(case, expected, actual)
        ms = (time.monotonic() - t0) * 1000
        if problem is None:
            passed += 1
            print(f"ok   {case.name} ({ms:.0f} ms)")
        else:
            failed += 1
            print(f"FAIL {case.name} ({ms:.0f} ms)\n{problem.rstrip()}\n")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
