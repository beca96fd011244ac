#!/usr/bin/env python3
"""Generate expected outputs for capstan's Helm differential tests from real Helm.

Uses the Helm SDK (helm-python-sdk 0.2.2, bundling Helm 4.2.3):
    python3 -m venv /work/venv-helm && /work/venv-helm/bin/pip install helm-python-sdk==0.2.2
    /work/venv-helm/bin/python crates/helm/tests/helm_diff/gen_expected.py

For every chart under crates/helm/tests/charts/ and every values case (no values, and
each `values-*.yaml` beside Chart.yaml) it packages the chart (expected/archives/) and records what Helm produced for an offline
install (`dry_run="client"`, release "rel" in namespace "ns"): the release manifest,
the NOTES, the raw per-template render (Chart.render, which includes hook files), or
the error message; and, per chart, the loaded chart as the SDK reports it (metadata in
Helm's JSON form, values, files, templates, CRDs, schema). `--apis` prints Helm's default API version list instead (the data
behind src/engine/default_apis.rs).
"""
import json
import os
import sys

from helm_python import Chart, Config, values_from_yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHARTS = os.path.join(HERE, "..", "charts")
OUT = os.path.join(HERE, "expected")


def cases(chart_dir):
    yield "default", {}
    for f in sorted(os.listdir(chart_dir)):
        if f.startswith("values-") and f.endswith(".yaml"):
            with open(os.path.join(chart_dir, f)) as fh:
                yield f[: -len(".yaml")], values_from_yaml(fh.read())


def main():
    if "--apis" in sys.argv:
        probe = os.path.join(HERE, "apis-probe")
        os.makedirs(os.path.join(probe, "templates"), exist_ok=True)
        with open(os.path.join(probe, "Chart.yaml"), "w") as fh:
            fh.write("apiVersion: v2\nname: apis\nversion: 0.1.0\n")
        with open(os.path.join(probe, "templates", "x.yaml"), "w") as fh:
            fh.write("{{ .Capabilities.APIVersions | toJson }}\n")
        print(Chart.load(probe).render({})["apis/templates/x.yaml"])
        return
    cfg = Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
    os.makedirs(OUT, exist_ok=True)
    for name in sorted(os.listdir(CHARTS)):
        chart_dir = os.path.join(CHARTS, name)
        if not os.path.isfile(os.path.join(chart_dir, "Chart.yaml")):
            continue
        loaded = Chart.load(chart_dir)
        # `helm package` of the chart: the archive tests load it and must render the
        # same as the directory.
        archives = os.path.join(OUT, "archives")
        os.makedirs(archives, exist_ok=True)
        saved = loaded.save(archives)
        os.replace(saved, os.path.join(archives, f"{name}.tgz"))
        rec = {
            "chart": name,
            "metadata": loaded.metadata,
            "values": loaded.values,
            "files": loaded.files,
            "templates": loaded.templates,
            "crds": loaded.crds,
            "schema": loaded.schema,
        }
        path = os.path.join(OUT, f"{name}.loaded.json")
        with open(path, "w") as fh:
            json.dump(rec, fh, indent=1, sort_keys=True)
            fh.write("\n")
        print("wrote", os.path.relpath(path))
        for case, values in cases(chart_dir):
            rec = {"chart": name, "values_case": case}
            try:
                rel = cfg.install(chart_dir, "rel", values, namespace="ns", dry_run="client")
                rec["manifest"] = rel["manifest"]
                rec["notes"] = rel.get("notes", "")
                rec["render"] = Chart.load(chart_dir).render(values, name="rel", namespace="ns")
            except Exception as e:  # the SDK raises typed errors carrying Helm's message
                rec["error"] = str(e)
            path = os.path.join(OUT, f"{name}__{case}.json")
            with open(path, "w") as fh:
                json.dump(rec, fh, indent=1, sort_keys=True)
                fh.write("\n")
            print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    main()
