#!/usr/bin/env python3
"""Generate values fixtures from REAL Helm (the helm-python-sdk bundling Helm 4.2.3).

Usage: /work/venv-helm/bin/python crates/helm/tests/values_conformance/generate.py

Inputs are written by hand (cases/*.yaml, the lists below); every expected output is
what Helm itself produced:
  cases/NAME.yaml  -> NAME.toyaml / .tojson / .toprettyjson / .torawjson / .totoml /
                      .each (toYaml of each top-level value) /
                      .types (kindOf and %v per top-level key), or NAME.error
  strvals/cases.json   --set family parses (Helm's own JSON of the result, or its error)
  schema/NAME.*        values.schema.json validation messages
  coalesce/NAME/*      parent + subchart coalescing (toYaml of each chart's .Values)
"""
import json
import os
import pathlib
import shutil
import sys
import tempfile

from helm_python import _native
from helm_python.chart import Chart

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "values"

TEMPLATES = {
    "toyaml": "{{ toYaml .Values }}",
    "tojson": "{{ toJson .Values }}",
    "toprettyjson": "{{ toPrettyJson .Values }}",
    "torawjson": "{{ toRawJson .Values }}",
    "totoml": "{{ toToml .Values }}",
    "each": "{{ range $k, $v := .Values }}{{ $k | quote }}:\n{{ toYaml $v }}\n---\n{{ end }}",
    "types": '{{ range $k, $v := .Values }}{{ $k | quote }}={{ kindOf $v }}:{{ printf "%v" $v }}\n{{ end }}',
}


def write_chart(d, name, values_text, templates, schema=None):
    (d / "templates").mkdir(parents=True, exist_ok=True)
    (d / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (d / "values.yaml").write_text(values_text)
    for t, body in templates.items():
        (d / "templates" / f"{t}.yaml").write_text(body)
    if schema is not None:
        (d / "values.schema.json").write_text(schema)


def gen_cases(tmp):
    for case in sorted((ROOT / "cases").glob("*.yaml")):
        name = case.stem
        for old in (ROOT / "cases").glob(name + ".*"):
            if old.suffix != ".yaml":
                old.unlink()
        d = tmp / f"case-{name}"
        write_chart(d, "probe", case.read_text(), TEMPLATES)
        try:
            out = Chart.load(str(d)).render()
        except Exception as e:  # Helm refused the values file
            (ROOT / "cases" / f"{name}.error").write_text(str(e) + "\n")
            continue
        for t in TEMPLATES:
            text = out[f"probe/templates/{t}.yaml"]
            (ROOT / "cases" / f"{name}.{t}").write_text(text)


STRVALS = [
    ("set", e)
    for e in [
        "a=1,b=two,c=true,d=FALSE,e=null,f=0,g=007,h=-3",
        "a.b.c=x",
        "a=1.5,b=1e3,c=0x10,d=+5",
        "name=value with spaces",
        "a={x,y,3}",
        "a[0]=x,a[2]=z",
        "a[0].b=y,a[0].c=z",
        "a[1][0]=n",
        "a={}",
        "a={x},b=1",
        r"a\.b=1",
        r"a=x\,y",
        r"nodeSelector.kubernetes\.io/role=master",
        "a=",
        "",
        "a",
        "a,b=1",
        "a[x]=1",
        "a[-1]=1",
        "a[65537]=1",
        "a={x",
        "a=1,a.b=2",
        "a.b=1,a=2",
        "a[0]=1,a.b=2",
        "a.=1",
        "a.",
        "a[0]",
        "a=9223372036854775808",
        "a=-9223372036854775808",
        "list[0]=a,list[0]=b",
        "x.y[0].z=1,x.y[1].z=2",
        "a[2].b=1,a[0]=x",
        "a=b=c",
        "a=   spaced  ",
        ".".join(f"k{i}" for i in range(31)) + "=1",
        ".".join(f"k{i}" for i in range(30)) + "=1",
    ]
] + [
    ("string", e)
    for e in ["a=1,b=true,c=null", "a={1,2}", "a[0]=007"]
] + [
    ("json", e)
    for e in [
        'a={"b":[1,2]},c="x",d=,e=null',
        'a=[1, 2.5, "x"]',
        "a=1",
        'a[0]={"k":1}',
        "a={bad",
        'a.b="x" , c=true',
    ]
] + [
    ("literal", e) for e in ["a.b=x,y=z", "a[0]=x=y", "a"]
]

STRVALS_FUNCS = {
    "set": "helm_strvals_parse",
    "string": "helm_strvals_parse_string",
    "json": "helm_strvals_parse_json",
    "literal": "helm_strvals_parse_literal",
}


def gen_strvals():
    results = []
    for mode, expr in STRVALS:
        try:
            out = _native.call_string(STRVALS_FUNCS[mode], expr)
            results.append({"mode": mode, "expr": expr, "json": out})
        except Exception as e:
            results.append({"mode": mode, "expr": expr, "error": str(e)})
    (ROOT / "strvals" / "cases.json").write_text(json.dumps(results, indent=1) + "\n")


SCHEMA = json.dumps(
    {
        "type": "object",
        "required": ["image"],
        "additionalProperties": False,
        "properties": {
            "replicaCount": {"type": "integer", "minimum": 1, "maximum": 10},
            "image": {
                "type": "object",
                "properties": {
                    "tag": {"type": "string", "minLength": 2, "pattern": "^v"},
                    "pullPolicy": {"enum": ["Always", "IfNotPresent"]},
                },
            },
            "ports": {"type": "array", "items": {"type": "integer"}, "maxItems": 2},
            "name": {"type": ["string", "null"], "maxLength": 5},
            "ratio": {"type": "number", "exclusiveMaximum": 1},
            "mode": {"const": "fast"},
            "any": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
            "ref": {"$ref": "#/$defs/obj"},
        },
    },
    indent=1,
)
SCHEMA = json.dumps(
    dict(json.loads(SCHEMA), **{"$defs": {"obj": {"type": "object", "properties": {"a": {"type": ["string", "boolean"]}}}}}),
    indent=1,
)

SCHEMA_CASES = {
    "valid": "replicaCount: 3\nimage: {tag: v1, pullPolicy: Always}\nports: [80]\n",
    "type": "replicaCount: three\nimage: {tag: 5}\n",
    "range": "replicaCount: 0\nimage: {tag: v1}\nratio: 1.5\n",
    "required": "replicaCount: 2\n",
    "enum": "image: {tag: v1, pullPolicy: Never}\nmode: slow\n",
    "strings": "image: {tag: x}\nname: toolongname\n",
    "arrays": "image: {tag: v1}\nports: [1, two, 3]\n",
    "additional": "image: {tag: v1}\nextra: 1\n",
    "anyof": "image: {tag: v1}\nany: 5\n",
    "float_int": "replicaCount: 2.5\nimage: {tag: v1}\n",
    "multitype": "image: {tag: v1}\nname: 5\n",
    "nested_ref": "image: {tag: v1}\nref: {a: 1}\n",
}


def gen_schema(tmp):
    out = ROOT / "schema"
    (out / "values.schema.json").write_text(SCHEMA + "\n")
    for name, values in SCHEMA_CASES.items():
        (out / f"{name}.yaml").write_text(values)
        d = tmp / f"schema-{name}"
        write_chart(d, "app", values, {"t": "x: 1\n"}, schema=SCHEMA)
        try:
            Chart.load(str(d)).render()
            (out / f"{name}.out").write_text("ok\n")
        except Exception as e:
            (out / f"{name}.out").write_text(str(e) + "\n")


COALESCE = {
    "globals_and_nulls": (
        "o: ~\nkeep: 1\nnested: {a: null, b: 2, c: 3}\nsub:\n  fromparent: 1\n  dnull: null\n"
        "global:\n  g1: parent\n  gm: {x: 1, deep: {p: 1}}\n",
        "subnull: null\nsubkeep: 1\nsubnested: {q: null, r: 1}\ndnull: 5\n"
        "global:\n  g1: sub\n  g2: sub\n  gm: {y: 2, deep: {s: 2}}\n",
        "nested: {c: null}\nkeep: null\nsub: {subkeep: null}\nnewnull: null\n"
        "deepuser: {x: null}\n",
    ),
    "type_conflicts": (
        "a: {b: 1}\nc: 1\nd: {e: {f: 1}}\nl: [1, 2]\nsub: {m: {n: 1}}\n",
        "m: 5\nk: {v: 1}\nglobal: {g: 1}\n",
        "a: 5\nc: {x: 1}\nd: {e: 7}\nl: {now: map}\nsub: {k: 3}\nglobal: {g: 2, h: {i: 1}}\n",
    ),
    "user_nulls_nested": (
        "a: {b: 1, c: {d: 1}}\nsub: {x: 1}\n",
        "x: 2\ny: {z: 1, w: 2}\n",
        "a: {b: null, c: null, missing: null}\nsub: {x: null, y: {z: null}, extra: null}\n",
    ),
    "empty_user": (
        "a: 1\nlist: [null, 1]\n",
        "b: 2\n",
        "",
    ),
}


def gen_coalesce(tmp):
    for name, (parent, sub, user) in COALESCE.items():
        out = ROOT / "coalesce" / name
        out.mkdir(parents=True, exist_ok=True)
        (out / "parent.yaml").write_text(parent)
        (out / "sub.yaml").write_text(sub)
        (out / "user.yaml").write_text(user)
        d = tmp / f"coalesce-{name}"
        write_chart(d, "parent", parent, {"t": "{{ toYaml .Values }}"})
        write_chart(d / "charts" / "sub", "sub", sub, {"t": "{{ toYaml .Values }}"})
        from helm_python.chart import values_from_yaml

        vals = values_from_yaml(user) if user.strip() else None
        try:
            res = Chart.load(str(d)).render(values=vals)
            (out / "parent.out").write_text(res["parent/templates/t.yaml"])
            (out / "sub.out").write_text(res["parent/charts/sub/templates/t.yaml"])
        except Exception as e:
            (out / "error.out").write_text(str(e) + "\n")


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="values-conformance-"))
    try:
        gen_cases(tmp)
        gen_strvals()
        gen_schema(tmp)
        gen_coalesce(tmp)
    finally:
        shutil.rmtree(tmp)
    print("fixtures written under", ROOT)


if __name__ == "__main__":
    sys.exit(main())
