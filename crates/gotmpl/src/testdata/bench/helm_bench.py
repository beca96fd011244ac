"""Times Helm 4 (helm-python-sdk) rendering the bench chart, and writes Helm's output
for bench_tests.rs to compare against.

Run: /work/venv-helm/bin/python helm_bench.py OUTDIR
Then: GOTMPL_BENCH_HELM_OUT=OUTDIR/helm_out.yaml cargo test -p gotmpl --release --lib \
      bench_against_helm -- --ignored --nocapture
"""
import json, os, shutil, sys, time
import helm_python as helm

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gotmpl-bench"
chart = os.path.join(out, "c")
os.makedirs(os.path.join(chart, "templates"), exist_ok=True)
open(os.path.join(chart, "Chart.yaml"), "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
for f in ("_helpers.tpl", "deploy.yaml"):
    shutil.copy(os.path.join(here, f), os.path.join(chart, "templates", f))

# Must match bench_values() in bench_tests.rs.
services = []
for i in range(40):
    services.append({"name": "svc%d" % i, "tier": "t%d" % (i % 3), "replicas": i % 4 + 1,
        "disabled": i % 5 == 0, "resources": {"cpu": "%dm" % (100 + i), "mem": "%dMi" % (64 * i + 64)},
        "containers": [{"name": "c%d" % j, "image": "registry.example.org/img%d" % j,
            "tag": "v1.%d.%d" % (i, j), "env": {"KEY_%d" % k: "value-%d-%d-%d" % (i, j, k) for k in range(8)},
            "ports": [8000 + j * 10 + p for p in range(3)]} for j in range(3)]})
vals = {"services": services}
ch = helm.Chart.load(chart)
rendered = ch.render(values=vals, name="rel")["c/templates/deploy.yaml"]
open(os.path.join(out, "helm_out.yaml"), "w").write(rendered)
n = 30
t, c = time.perf_counter(), time.process_time()
for _ in range(n):
    ch.render(values=vals, name="rel")
print("helm: %.2f ms/render wall, %.2f ms/render cpu, %d bytes" % (
    (time.perf_counter() - t) / n * 1000, (time.process_time() - c) / n * 1000, len(rendered)))
