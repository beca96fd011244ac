#!/usr/bin/env python3
"""Render stacks/openstack.yaml for each environment with real Helm.

A reference reading of the stack file format, independent of capstan:
  * environment values files are merged in order (`.j2` files rendered first),
  * every release gets commonValues, then its own values (files and inline maps),
    then `set` (dotted keys), merged like `helm -f ... --set ...`,
  * `.j2` files and templated strings (`installed`) are rendered with jinja2 standing
    in for minijinja, with env, values, environment.name, release.name/namespace and
    the helpers env_var, to_yaml, b64encode,
  * `needs` must name releases of the stack and form a DAG (the waves are printed).
Then each installed release is rendered with Helm (see helmref.py) and every object
is checked like check_examples.py does.

    /work/venv-helm/bin/python tests/conformance/check_stack.py [-e dev] [--show-values]

Prints one line per environment/release and a final `N passed, M failed`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helm_python as helm  # noqa: E402
import jinja2  # noqa: E402

from check_examples import check_objects  # noqa: E402
from helmref import HelmRef, _merge_maps  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
STACK = os.path.join(REPO, "stacks", "openstack.yaml")

_MISSING = object()


def env_var(name: str, default: Any = _MISSING) -> Any:
    if name in os.environ:
        return os.environ[name]
    if default is _MISSING:
        raise jinja2.TemplateRuntimeError(f"env_var: {name} is not set and has no default")
    return default


def _to_yaml(value: Any) -> str:
    # JSON is valid YAML; good enough for a reference check.
    return json.dumps(value)


def _b64encode(value: Any) -> str:
    return base64.b64encode(str(value).encode()).decode()


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)
    env.globals.update(env_var=env_var, to_yaml=_to_yaml, b64encode=_b64encode)
    env.filters.update(to_yaml=_to_yaml, b64encode=_b64encode)
    return env


def load_yaml(text: str) -> Any:
    return helm.values_from_yaml(text)


class Stack:
    def __init__(self, path: str) -> None:
        self.path = path
        self.dir = os.path.dirname(path)
        with open(path, encoding="utf-8") as f:
            self.raw = load_yaml(f.read())
        self.jinja = make_env()

    def render_file(self, rel: str, ctx: dict[str, Any]) -> dict[str, Any]:
        with open(os.path.join(self.dir, rel), encoding="utf-8") as f:
            text = f.read()
        if rel.endswith(".j2"):
            text = self.jinja.from_string(text).render(**ctx)
        return load_yaml(text) or {}

    def layer(self, item: Any, ctx: dict[str, Any]) -> dict[str, Any]:
        if isinstance(item, str):
            return self.render_file(item, ctx)
        return item

    def env_values(self, env_name: str) -> dict[str, Any]:
        envs = self.raw.get("environments") or {}
        if env_name not in envs:
            raise SystemExit(f"unknown environment {env_name}; known: {sorted(envs)}")
        values: dict[str, Any] = {}
        for item in envs[env_name].get("values") or []:
            ctx = {"env": dict(os.environ), "values": values, "environment": {"name": env_name}}
            values = _merge_maps(values, self.layer(item, ctx))
        return values

    def releases(self, env_name: str) -> list[dict[str, Any]]:
        env_vals = self.env_values(env_name)
        defaults = self.raw.get("defaults") or {}
        out = []
        for rel in self.raw.get("releases") or []:
            ns = rel.get("namespace", defaults.get("namespace", "default"))
            ctx = {"env": dict(os.environ), "values": env_vals,
                   "environment": {"name": env_name},
                   "release": {"name": rel["name"], "namespace": ns}}
            installed = rel.get("installed", True)
            if isinstance(installed, str):
                rendered = self.jinja.from_string(installed).render(**ctx).strip().lower()
                installed = rendered in ("true", "yes", "1", "on")
            values: dict[str, Any] = {}
            for item in self.raw.get("commonValues") or []:
                values = _merge_maps(values, self.layer(item, ctx))
            for item in rel.get("values") or []:
                values = _merge_maps(values, self.layer(item, ctx))
            for key, val in (rel.get("set") or {}).items():
                values = _merge_maps(values, helm.parse_set_string(f"{key}={val}"))
            out.append({
                "name": rel["name"], "namespace": ns, "installed": installed,
                "chart": os.path.normpath(os.path.join(self.dir, rel["chart"])),
                "needs": rel.get("needs") or [], "labels": rel.get("labels") or {},
                "wait": rel.get("wait", defaults.get("wait", True)),
                "timeout": rel.get("timeout", defaults.get("timeout")),
                "values": values,
            })
        return out


def waves(releases: list[dict[str, Any]]) -> list[list[str]]:
    names = {r["name"] for r in releases}
    pending = {r["name"]: set(r["needs"]) for r in releases}
    for r in releases:
        unknown = set(r["needs"]) - names
        if unknown:
            raise SystemExit(f"release {r['name']} needs unknown releases {sorted(unknown)}")
    done: set[str] = set()
    out = []
    while pending:
        ready = sorted(n for n, needs in pending.items() if needs <= done)
        if not ready:
            raise SystemExit(f"dependency cycle among {sorted(pending)}")
        out.append(ready)
        done.update(ready)
        for n in ready:
            del pending[n]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-e", action="append", default=[], help="environment (default: all)")
    ap.add_argument("--show-values", action="store_true")
    args = ap.parse_args()

    stack = Stack(STACK)
    envs = args.e or sorted(stack.raw.get("environments") or {})
    ref = HelmRef()
    passed = failed = 0
    for env_name in envs:
        rels = stack.releases(env_name)
        print(f"# {env_name}: waves {waves(rels)}")
        for r in rels:
            tier = r["labels"].get("tier", "?")
            if not r["installed"]:
                print(f"skip {env_name}/{r['name']} (installed: false)")
                continue
            if args.show_values:
                print(json.dumps(r["values"], indent=1, sort_keys=True))
            out = ref.template(r["chart"], r["name"], r["namespace"], r["values"])
            problems = []
            if out.error is not None:
                problems.append(f"helm: {out.error[:3000]}")
            else:
                problems += check_objects(out.output or "", r["namespace"])
            if problems:
                failed += 1
                print(f"FAIL {env_name}/{r['name']}")
                for p in problems:
                    print(f"     {p}")
            else:
                passed += 1
                print(f"ok   {env_name}/{r['name']} [tier={tier}, wait={r['wait']}, "
                      f"needs={','.join(r['needs']) or '-'}] {len(out.output or '')} bytes")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
