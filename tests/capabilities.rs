//! `apply` renders with the connected cluster's version and API versions, as `helm
//! install` does, while `template` (no cluster) uses Helm's offline defaults.

mod common;

use std::time::Duration;

use capstan_testkit::helm_python;
use common::*;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};

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

const APIS_TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apis\ndata:\n  apis: \"{{ range $i, $v := .Capabilities.APIVersions }}{{ if $i }},{{ end }}{{ $v }}{{ end }}\"\n  widget: {{ .Capabilities.APIVersions.Has \"example.com/v1beta1/Widget\" | quote }}\n  default-only: {{ .Capabilities.APIVersions.Has \"batch/v1beta1\" | quote }}\n";

/// The Helm SDK's `install --dry-run=server` of `chart` against the cluster: Helm
/// builds `.Capabilities` from the server's discovery there, as on a real install.
const HELM_DRY_RUN: &str = r#"
import sys, helm_python as helm
cfg = helm.Config(kubeconfig_path=sys.argv[1], storage_driver="memory")
rel = cfg.install(sys.argv[2], "apis", None, namespace="default", dry_run="server")
sys.stdout.write(rel["manifest"])
"#;

/// `.Capabilities.APIVersions` on apply is the cluster's discovery set (groups, versions
/// and kinds, a CRD's group included) and not Helm's offline default set, exactly as
/// Helm itself builds it from the same kubesim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_renders_with_the_cluster_api_versions() {
    let cluster = start_cluster(Duration::from_millis(50), &[]).await;
    let crd: CustomResourceDefinition = serde_json::from_value(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [
                {"name": "v1", "served": true, "storage": true,
                 "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
                {"name": "v1beta1", "served": true, "storage": false,
                 "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
            ]
        }
    }))
    .unwrap();
    Api::<CustomResourceDefinition>::all(cluster.client.clone())
        .create(&PostParams::default(), &crd)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("apis");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: apis\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("templates/cm.yaml"), APIS_TEMPLATE).unwrap();
    let stack = dir.path().join("stack.yaml");
    std::fs::write(
        &stack,
        "name: apis\ndefaults: {namespace: default}\nreleases:\n  - {name: apis, chart: ./apis}\n",
    )
    .unwrap();
    let kubeconfig = cluster.kubeconfig.display().to_string();
    let out = capstan(args(&[
        "apply",
        "-f",
        &stack.display().to_string(),
        "--kubeconfig",
        &kubeconfig,
    ]))
    .await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let configmaps: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "default");
    let data = configmaps.get("apis").await.unwrap().data.unwrap();
    let ours = data.get("apis").cloned().unwrap_or_default();
    for expected in [
        "v1",
        "v1/Pod",
        "apps/v1/Deployment",
        "apps/v1/Scale",
        "example.com/v1",
        "example.com/v1/Widget",
        "example.com/v1beta1/Widget",
    ] {
        assert!(
            ours.split(',').any(|a| a == expected),
            "{expected} missing from {ours}"
        );
    }
    assert_eq!(data.get("widget").map(String::as_str), Some("true"));
    assert_eq!(data.get("default-only").map(String::as_str), Some("false"));

    let helm = tokio::process::Command::new(helm_python())
        .arg("-c")
        .arg(HELM_DRY_RUN)
        .arg(&cluster.kubeconfig)
        .arg(&chart)
        .output()
        .await
        .expect("python runs");
    let helm_manifest = String::from_utf8_lossy(&helm.stdout);
    assert!(
        helm.status.success(),
        "{helm_manifest}\n{}",
        String::from_utf8_lossy(&helm.stderr)
    );
    let helm_apis = helm_manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("apis: "))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_default();
    // Helm lists the set in Go map order; compare it sorted.
    let sorted = |s: &str| {
        let mut v: Vec<String> = s.split(',').map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(
        sorted(&ours),
        sorted(&helm_apis),
        "capstan's APIVersions differ from Helm's against the same cluster"
    );
    cluster.sim.shutdown().await.unwrap();
}
