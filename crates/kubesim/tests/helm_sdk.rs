//! Conformance with the Helm SDK (helm-python-sdk, Helm 4): install with the watcher
//! wait, upgrade, history, `helm test` hook pods, rollback with the legacy wait,
//! uninstall. The SDK venv (`$HELM_VENV`, default /work/venv-helm) is created by
//! tests/conformance/setup-venv.sh when it is missing; if that fails, the test fails.

mod common;

use capstan_testkit::helm_python;

const SCRIPT: &str = r#"
import sys
from helm_python import Config
kubeconfig, chart = sys.argv[1], sys.argv[2]
with Config(kubeconfig_path=kubeconfig, namespace="apps") as cfg:
    r = cfg.install(chart, "demo", {"replicas": 2}, namespace="apps", create_namespace=True, wait="watcher", timeout=60)
    print("install", r["status"])
    r = cfg.upgrade(chart, "demo", {"replicas": 3}, namespace="apps", wait="watcher", timeout=60)
    print("upgrade", r["status"], r["revision"])
    print("history", [h["status"] for h in cfg.history("demo")])
    t = cfg.test("demo", timeout=60, logs=True)
    print("test", t["release"]["status"] if "release" in t else t)
    cfg.rollback("demo", version=1, wait="legacy", timeout=60)
    print("rollback", [h["status"] for h in cfg.history("demo")])
    cfg.uninstall("demo")
    print("uninstalled", len(cfg.list()))
"#;

const CHART: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";
const TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  replicas: "{{ .Values.replicas }}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  restartPolicy: Never
  containers: [{name: t, image: busybox}]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_sdk_installs_upgrades_and_reads_history() {
    let python = helm_python();
    let env = common::start(500, &[], None).await;
    let chart = env.dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(chart.join("Chart.yaml"), CHART).unwrap();
    std::fs::write(chart.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(chart.join("templates/all.yaml"), TEMPLATE).unwrap();
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        tokio::process::Command::new(python)
            .arg("-c")
            .arg(SCRIPT)
            .arg(&env.kubeconfig)
            .arg(&chart)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("helm script finished")
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "helm failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("install deployed"), "{stdout}");
    assert!(stdout.contains("upgrade deployed 2"), "{stdout}");
    assert!(
        stdout.contains("history ['superseded', 'deployed']"),
        "{stdout}"
    );
    // Uninstall removed the release records (Helm's Secrets, found by label) and objects.
    let r = common::http(
        env.sim.addr(),
        "GET",
        "/api/v1/namespaces/apps/secrets?labelSelector=name%3Ddemo%2Cowner%3Dhelm",
        &[],
        "",
    )
    .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
    let d = common::http(
        env.sim.addr(),
        "GET",
        "/apis/apps/v1/namespaces/apps/deployments/demo-web",
        &[],
        "",
    )
    .await;
    assert_eq!(d.status, 404);
}
