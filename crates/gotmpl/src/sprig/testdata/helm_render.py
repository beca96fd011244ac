# Renders each line of DIR/cases.txt as {{ (LINE) | toString }} with real Helm (helm-python-sdk,
# Helm 4.2.3) and DIR/values.yaml, writing DIR/helm.json. Compare with the output of
# `SPRIG_DIFF_DIR=DIR cargo test -p gotmpl --lib render_cases` (DIR/ours.json, which also
# needs DIR/values.json holding the same values as JSON).
# Usage: /work/venv-helm/bin/python helm_render.py DIR
import base64, json, os, shutil, sys
import helm_python
cases = [l.rstrip("\n") for l in open(sys.argv[1] + "/cases.txt") if l.strip()]
vals_yaml = open(sys.argv[1] + "/values.yaml").read()
cfg = helm_python.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
out = {}
for i, expr in enumerate(cases):
    d = f"{sys.argv[1]}/chart{i}"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d + "/templates")
    open(d + "/Chart.yaml", "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    open(d + "/values.yaml", "w").write(vals_yaml)
    open(d + "/templates/cm.yaml", "w").write(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: {{ (" + expr + ") | toString | b64enc | quote }}\n")
    try:
        rel = cfg.install(d, "r", None, namespace="default", dry_run="client")
        man = rel["manifest"] if isinstance(rel, dict) else rel.manifest
        line = [l for l in man.splitlines() if l.strip().startswith("v:")][0]
        v = json.loads(line.split(":", 1)[1].strip())
        out[expr] = {"ok": base64.b64decode(v).decode("utf-8", "replace")}
    except Exception as e:
        out[expr] = {"err": str(e)}
    shutil.rmtree(d, ignore_errors=True)
json.dump(out, open(sys.argv[1] + "/helm.json", "w"), indent=1)
print(len(out))
