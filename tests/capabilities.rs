//! `apply` renders with the connected cluster's version, as `helm install` does, while
//! `template` (no cluster) uses Helm's offline default.

mod common;

use std::time::Duration;

use common::*;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;

const CHART_YAML: &str = "apiVersion: v2\nname: caps\nversion: 0.1.0\n";
const TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_renders_with_the_cluster_version() {
    let cluster = start_cluster(Duration::from_millis(50), &[]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("caps/templates")).unwrap();
    std::fs::write(dir.path().join("caps/Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.path().join("caps/templates/cm.yaml"), TEMPLATE).unwrap();
    let stack = dir.path().join("stack.yaml");
    std::fs::write(
        &stack,
        "name: caps\ndefaults: {namespace: caps}\nreleases:\n  - {name: caps, chart: ./caps}\n",
    )
    .unwrap();
    let stack = stack.display().to_string();
    let kubeconfig = cluster.kubeconfig.display().to_string();

    let out = capstan(args(&["apply", "-f", &stack, "--kubeconfig", &kubeconfig])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let configmaps: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "caps");
    let data = configmaps.get("caps").await.unwrap().data.unwrap();
    let server = cluster
        .client
        .apiserver_version()
        .await
        .unwrap()
        .git_version;
    assert_eq!(data.get("kube"), Some(&server));

    let out = capstan(args(&["template", "-f", &stack])).await;
    let (stdout, _) = text(&out);
    assert!(stdout.contains("kube: \"v1.36.0\""), "{stdout}");
    cluster.sim.shutdown().await.unwrap();
}
