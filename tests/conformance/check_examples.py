#!/usr/bin/env python3
"""Check every example OpenStack chart with real Helm (helm-python-sdk).

For each application chart under examples/openstack/charts (library charts are
skipped) and for each values set (the chart defaults, plus every
tests/conformance/examples/<chart>/*.yaml), this:
  * renders it with Helm exactly like `helm template` (see helmref.py),
  * checks every rendered document is a Kubernetes object: apiVersion, kind and
    metadata.name present, name a valid DNS subdomain, and no namespace other than
    the release namespace,
  * checks the chart depends on helm-toolkit via file://../helm-toolkit and that
    Helm actually loaded the library from charts/,
  * runs `helm lint` and reports its errors.

    /work/venv-helm/bin/python tests/conformance/check_examples.py [-k CHART] [--show]

Prints one line per chart/values pair and a final `N passed, M failed`.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helm_python as helm  # noqa: E402

from helmref import HarnessError, HelmRef, quiet_stderr, split_manifests, user_values  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHARTS = os.path.join(REPO, "examples", "openstack", "charts")
EXTRA_VALUES = os.path.join(HERE, "examples")
NAMESPACE = "openstack"

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Kinds that live outside namespaces: they must not carry metadata.namespace.
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService",
}


def application_charts() -> list[str]:
    out = []
    for d in sorted(os.listdir(CHARTS)):
        path = os.path.join(CHARTS, d)
        if not os.path.isfile(os.path.join(path, "Chart.yaml")):
            continue
        with helm.Chart.load(path) as ch:
            if ch.metadata.get("type") == "library":
                continue
        out.append(d)
    return out


def check_objects(output: str, namespace: str) -> list[str]:
    problems = []
    docs = [d for d in split_manifests(output) if d.strip()]
    if not docs:
        problems.append("rendered no objects")
    for doc in docs:
        source = doc.splitlines()[0] if doc.startswith("# Source:") else "?"
        body = "\n".join(l for l in doc.splitlines() if not l.startswith("# Source:"))
        if not body.strip():
            continue
        obj = helm.values_from_yaml(body)
        if not isinstance(obj, dict) or not obj:
            problems.append(f"{source}: not a YAML mapping")
            continue
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        where = f"{source} {obj.get('kind')}/{name}"
        if not obj.get("apiVersion") or not obj.get("kind"):
            problems.append(f"{where}: missing apiVersion or kind")
        if not name:
            problems.append(f"{where}: missing metadata.name")
        elif len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
            problems.append(f"{where}: name is not a DNS-1123 subdomain")
        ns = meta.get("namespace")
        if obj.get("kind") in CLUSTER_SCOPED:
            if ns:
                problems.append(f"{where}: cluster-scoped object has a namespace")
        elif ns not in (None, namespace):
            problems.append(f"{where}: hard-coded namespace {ns!r}")
    return problems


def check_dependency(chart_dir: str) -> list[str]:
    with helm.Chart.load(chart_dir) as ch:
        deps = ch.metadata.get("dependencies") or []
        loaded = [d.get("name") for d in ch.dependencies]
    tk = [d for d in deps if d.get("name") == "helm-toolkit"]
    problems = []
    if not tk or tk[0].get("repository") != "file://../helm-toolkit":
        problems.append("Chart.yaml lacks the helm-toolkit dependency on file://../helm-toolkit")
    if "helm-toolkit" not in loaded:
        problems.append("Helm did not load helm-toolkit from charts/")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", action="append", default=[], help="only charts containing SUBSTR")
    ap.add_argument("--show", action="store_true", help="print the rendered output")
    args = ap.parse_args()

    ref = HelmRef()
    passed = failed = 0
    with quiet_stderr():
        names = application_charts()
    for name in names:
        if args.k and not any(k in name for k in args.k):
            continue
        chart_dir = os.path.join(CHARTS, name)
        variants = [("defaults", [])]
        for f in sorted(glob.glob(os.path.join(EXTRA_VALUES, name, "*.yaml"))):
            variants.append((os.path.basename(f), [f]))
        for label, files in variants:
            with quiet_stderr():
                problems = check_dependency(chart_dir)
            try:
                rendered = ref.template(chart_dir, name, NAMESPACE, user_values(files, []))
            except HarnessError as e:
                rendered = None
                problems.append(f"harness: {e}")
            if rendered is not None:
                if rendered.error is not None:
                    problems.append(f"helm: {rendered.error[:3000]}")
                else:
                    problems += check_objects(rendered.output or "", NAMESPACE)
                    if args.show:
                        print(rendered.output)
            with quiet_stderr():
                lint = helm.lint(chart_dir, user_values(files, []), namespace=NAMESPACE)
            problems += [f"lint: {e}" for e in lint.get("errors") or []]
            problems += [f"lint: {m['path']}: {m['error']}" for m in lint.get("messages") or []
                         if m.get("severity", 0) >= 3]
            if problems:
                failed += 1
                print(f"FAIL {name} [{label}]")
                for p in problems:
                    print(f"     {p}")
            else:
                passed += 1
                n = len([d for d in split_manifests(rendered.output or "") if d.strip()])
                print(f"ok   {name} [{label}] ({n} objects)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
