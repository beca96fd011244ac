#!/usr/bin/env python3
"""Differential fuzzing of template expressions: real Helm against capstan.

Generates random, well-typed Sprig/Helm expressions over literals and chart values,
renders each in a chart of its own with Helm (helm-python-sdk, in process) and with
capstan (the `template` example, or any command taking the same arguments), and
prints every expression whose output or error text differs. Each expression prints
its value (`%v`), its Go type (`%T`) and its JSON, so representation differences show.

    /work/venv-helm/bin/python tests/conformance/fuzz_diff.py -n 500 --seed 7 \\
        --capstan-cmd target/debug/examples/template

A difference found this way becomes a conformance case under cases/ (the expression
in a template, its expected output from `run.py --update`).
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from helmref import HelmRef, user_values  # noqa: E402

VALUES = """\
num: 1
float: 1.5
big: 1e21
neg: -3
zero: 0
str: hello world
numstr: "42"
empty: ""
yes: true
no: false
nothing: null
list: [3, "b", 1.5, null, "a"]
strs: ["b", "a", "c", "a"]
nums: [3, 1, 2]
dict: {a: 1, b: "two", c: [1, 2], d: {e: f}}
unicode: "Ünïcödé ǅemal ß ﬀ"
"""

STRINGS = [
    '""', '" "', '"a"', '"Hello World"', '"hello_world-foo bar"', '"HTTPServer2xx"',
    '"  padded  "', '"a,b,,c"', '"1.5"', '"-7"', '"0x1F"', '"1e3"', '"true"', '"null"',
    '"é"', '"ǆ"', '"日本語"', '"ß"', '"a\\nb"', '"a\\tb"', '"$1 ${x}"', '"x.y.z"',
    '"/a/b/../c.txt"', '"v1.2.3"', '"1.2.3-beta.1+build"', '">=1.2.0 <2.0.0"', '"abc123"',
    '"{\\"a\\": 1}"', '"[1, 2]"', '"a: 1"', '"%d %s"', '"🎉"',
    ".Values.str", ".Values.numstr", ".Values.empty", ".Values.unicode",
]
INTS = ["0", "1", "-1", "2", "3", "7", "10", "255", "1000000", "-100",
        "9223372036854775807", ".Values.num", ".Values.neg", ".Values.zero"]
# Counts and sizes (repeat, until, indent, ...) stay small: Helm has no output limit,
# and a nested `repeat` of big counts takes all the machine's memory.
COUNTS = ["0", "1", "-1", "2", "3", "7", ".Values.num", ".Values.neg", ".Values.zero"]
FLOATS = ["1.5", "0.1", "-2.5", "1e21", "1e-7", "3.0", "0.0", ".Values.float", ".Values.big"]
BOOLS = ["true", "false", ".Values.yes", ".Values.no"]
LISTS = [".Values.list", ".Values.strs", ".Values.nums", "(list)", '(list 1 "a" 2.5)',
         '(list "b" "a" "b")', "(list 3 1 2)", "(list nil 1)", '(splitList "," "a,b,,c")']
DICTS = [".Values.dict", "(dict)", '(dict "a" 1 "b" "x")', '(dict "z" (list 1 2) "y" nil)']
ANY_LEAVES = [".Values.nothing", "nil"]

# name -> (argument kinds, result kind). Kinds: s str, i int, c small count, f float,
# n number, b bool, l list, d dict, a anything. `keys` and `values` are left out: they
# return Go's random map order.
FUNCS: dict[str, tuple[list[str], str]] = {
    "upper": (["s"], "s"), "lower": (["s"], "s"), "title": (["s"], "s"),
    "untitle": (["s"], "s"), "trim": (["s"], "s"), "trimAll": (["s", "s"], "s"),
    "trimPrefix": (["s", "s"], "s"), "trimSuffix": (["s", "s"], "s"),
    "nospace": (["s"], "s"), "abbrev": (["c", "s"], "s"), "abbrevboth": (["c", "c", "s"], "s"),
    "trunc": (["c", "s"], "s"), "substr": (["c", "c", "s"], "s"), "repeat": (["c", "s"], "s"),
    "wrap": (["c", "s"], "s"), "wrapWith": (["c", "s", "s"], "s"),
    "contains": (["s", "s"], "b"), "hasPrefix": (["s", "s"], "b"), "hasSuffix": (["s", "s"], "b"),
    "quote": (["a"], "s"), "squote": (["a"], "s"), "cat": (["a", "a"], "s"),
    "indent": (["c", "s"], "s"), "nindent": (["c", "s"], "s"), "replace": (["s", "s", "s"], "s"),
    "plural": (["s", "s", "c"], "s"), "snakecase": (["s"], "s"), "camelcase": (["s"], "s"),
    "kebabcase": (["s"], "s"), "swapcase": (["s"], "s"), "initials": (["s"], "s"),
    "splitList": (["s", "s"], "l"), "split": (["s", "s"], "d"), "splitn": (["s", "c", "s"], "d"),
    "join": (["s", "l"], "s"), "sortAlpha": (["l"], "l"), "toString": (["a"], "s"),
    "toStrings": (["l"], "l"), "atoi": (["s"], "i"), "int": (["a"], "i"), "int64": (["a"], "i"),
    "float64": (["a"], "f"), "toDecimal": (["a"], "i"), "add": (["n", "n"], "i"),
    "add1": (["n"], "i"), "sub": (["n", "n"], "i"), "mul": (["n", "n"], "i"),
    "div": (["n", "n"], "i"), "mod": (["n", "n"], "i"), "max": (["n", "n"], "i"),
    "min": (["n", "n"], "i"), "addf": (["n", "n"], "f"), "subf": (["n", "n"], "f"),
    "mulf": (["n", "n"], "f"), "divf": (["n", "n"], "f"), "maxf": (["n", "n"], "f"),
    "minf": (["n", "n"], "f"), "floor": (["n"], "f"), "ceil": (["n"], "f"),
    "round": (["n", "c"], "f"), "seq": (["c", "c"], "s"), "until": (["c"], "l"),
    "untilStep": (["c", "c", "c"], "l"), "toJson": (["a"], "s"), "toPrettyJson": (["a"], "s"),
    "toRawJson": (["a"], "s"), "toYaml": (["a"], "s"), "toYamlPretty": (["a"], "s"),
    "toToml": (["d"], "s"), "fromJson": (["s"], "d"), "fromJsonArray": (["s"], "l"),
    "fromYaml": (["s"], "d"), "fromYamlArray": (["s"], "l"), "b64enc": (["s"], "s"),
    "b64dec": (["s"], "s"), "b32enc": (["s"], "s"), "sha256sum": (["s"], "s"),
    "sha1sum": (["s"], "s"), "adler32sum": (["s"], "s"), "first": (["l"], "a"),
    "last": (["l"], "a"), "rest": (["l"], "l"), "initial": (["l"], "l"), "reverse": (["l"], "l"),
    "uniq": (["l"], "l"), "compact": (["l"], "l"), "append": (["l", "a"], "l"),
    "prepend": (["l", "a"], "l"), "concat": (["l", "l"], "l"), "has": (["a", "l"], "b"),
    "without": (["l", "a"], "l"), "slice": (["l", "c"], "l"), "len": (["l"], "i"),
    "hasKey": (["d", "s"], "b"),
    "get": (["d", "s"], "a"), "pick": (["d", "s"], "d"), "omit": (["d", "s"], "d"),
    "merge": (["d", "d"], "d"), "mergeOverwrite": (["d", "d"], "d"), "deepCopy": (["a"], "a"),
    "pluck": (["s", "d"], "l"), "dig": (["s", "a", "d"], "a"), "kindOf": (["a"], "s"),
    "typeOf": (["a"], "s"), "empty": (["a"], "b"), "default": (["a", "a"], "a"),
    "coalesce": (["a", "a"], "a"), "ternary": (["a", "a", "b"], "a"), "not": (["a"], "b"),
    "and": (["a", "a"], "a"), "or": (["a", "a"], "a"), "eq": (["a", "a"], "b"),
    "ne": (["a", "a"], "b"), "lt": (["n", "n"], "b"), "ge": (["n", "n"], "b"),
    "regexMatch": (["s", "s"], "b"), "regexFind": (["s", "s"], "s"),
    "regexFindAll": (["s", "s", "c"], "l"), "regexReplaceAll": (["s", "s", "s"], "s"),
    "regexSplit": (["s", "s", "c"], "l"), "regexQuoteMeta": (["s"], "s"),
    "semver": (["s"], "a"), "semverCompare": (["s", "s"], "b"), "base": (["s"], "s"),
    "dir": (["s"], "s"), "ext": (["s"], "s"), "clean": (["s"], "s"), "isAbs": (["s"], "b"),
    "urlquery": (["a"], "s"), "html": (["a"], "s"), "js": (["a"], "s"),
    "print": (["a", "a"], "s"), "printf": (["fmt", "a"], "s"), "dict": (["s", "a"], "d"),
    "list": (["a", "a"], "l"), "tuple": (["a"], "l"), "index": (["l", "c"], "a"),
    "chunk": (["c", "l"], "l"), "mustToJson": (["a"], "s"), "sortAlpha ": (["l"], "l"),
}
FORMATS = ['"%v"', '"%d"', '"%s"', '"%q"', '"%x"', '"%5.2f"', '"%T"', '"%+v"', '"%#v"',
           '"%e"', '"%g"', '"%08.3f"', '"%-6s|"', '"%t"', '"%c"', '"%U"', '"%o"', '"%b"']
LEAVES = {"s": STRINGS, "i": INTS, "c": COUNTS, "f": FLOATS, "b": BOOLS, "l": LISTS,
          "d": DICTS}
KINDS_FOR = {"n": ["i", "f", "i", "s"], "a": ["s", "i", "f", "b", "l", "d", "a"]}


def gen(kind: str, depth: int, rng: random.Random) -> str:
    if kind == "fmt":
        return rng.choice(FORMATS)
    if kind == "c":
        return rng.choice(COUNTS)
    if kind in KINDS_FOR:
        kind = rng.choice(KINDS_FOR[kind])
        if kind == "a":
            return rng.choice(ANY_LEAVES + STRINGS[:5] + INTS[:5])
    if depth <= 0 or rng.random() < 0.35:
        return rng.choice(LEAVES[kind])
    # Mostly functions of the wanted kind, sometimes any function (type errors are
    # compared too).
    names = [n for n, (_, r) in FUNCS.items() if r == kind or rng.random() < 0.05]
    if not names:
        return rng.choice(LEAVES[kind])
    name = rng.choice(names).strip()
    args = [gen(k, depth - 1, rng) for k in FUNCS[name][0]]
    return "(" + " ".join([name] + args) + ")"


def template_for(expr: str) -> str:
    return ("{{- $v := " + expr + " }}\n"
            "v: {{ printf \"%v\" $v | toJson }}\n"
            "t: {{ printf \"%T\" $v | toJson }}\n"
            "j: {{ toJson $v | toJson }}\n")


def write_chart(root: str, expr: str) -> str:
    chart = os.path.join(root, "chart")
    os.makedirs(os.path.join(chart, "templates"), exist_ok=True)
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: fuzz\nversion: 0.1.0\n")
    with open(os.path.join(chart, "values.yaml"), "w") as f:
        f.write(VALUES)
    with open(os.path.join(chart, "templates", "t.yaml"), "w") as f:
        f.write(template_for(expr))
    return chart


def run_capstan(cmd: list[str], chart: str) -> tuple[str | None, str | None]:
    proc = subprocess.run(cmd + [chart, "--name", "fz", "--namespace", "default"],
                          capture_output=True, timeout=60, check=False)
    out = proc.stdout.decode("utf-8", errors="replace")
    err = proc.stderr.decode("utf-8", errors="replace").strip()
    return (out, None) if proc.returncode == 0 else (None, err)


def normalize_error(text: str) -> str:
    """capstan prefixes `Error: ` as the helm CLI does; the SDK's text has none."""
    text = text.strip()
    return text[len("Error: "):] if text.startswith("Error: ") else text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=200, help="expressions to try")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--capstan-cmd", default="target/debug/examples/template")
    ap.add_argument("--errors", action="store_true",
                    help="also report expressions both fail on with different texts")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    ref = HelmRef()
    cmd = shlex.split(args.capstan_cmd)
    differ = rendered = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            expr = gen(rng.choice(["s", "i", "f", "l", "d", "a", "b"]), args.depth, rng)
            chart = write_chart(tmp, expr)
            want = ref.template(chart, "fz", "default", user_values([], [], []))
            got_out, got_err = run_capstan(cmd, chart)
            if want.error is None and got_out == want.output:
                rendered += 1
                continue
            if want.error is not None and got_err is not None:
                if not args.errors:
                    continue
                # Helm's text names the chart's temporary path; compare from `template:`.
                w, g = normalize_error(want.error), normalize_error(got_err)
                if w.split("template:", 1)[-1] == g.split("template:", 1)[-1]:
                    continue
            differ += 1
            print(f"--- #{i}: {{{{ {expr} }}}}")
            print(f"helm:    {want.output if want.error is None else 'ERROR ' + want.error}")
            print(f"capstan: {got_out if got_err is None else 'ERROR ' + got_err}")
    print(f"{args.n} expressions ({rendered} rendered alike, the rest failing), "
          f"{differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
