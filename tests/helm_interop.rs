//! `helm list`, `helm history` and `helm rollback` work on what capstan installed, and
//! capstan reads what Helm installed. The Helm side is the real Helm 4 SDK
//! (helm-python-sdk, driven by tests/helm_interop/helm.py) talking to the same
//! in-process kubesim as the capstan binary. The SDK venv (`$HELM_VENV`, default
//! /work/venv-helm) is created by tests/conformance/setup-venv.sh when it is missing;
//! if that fails, the tests fail: they are never skipped.

mod common;

use std::path::Path;
use std::time::Duration;

use capstan_testkit::helm_python;
use common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

/// One Helm SDK action (see tests/helm_interop/helm.py); its JSON result.
async fn helm(kubeconfig: &Path, namespace: &str, action: &[&str]) -> Value {
    let python = tokio::task::spawn_blocking(helm_python).await.unwrap();
    let out = tokio::process::Command::new(python)
        .arg(repo_root().join("tests/helm_interop/helm.py"))
        .arg(kubeconfig)
        .arg(namespace)
        .args(action)
        .kill_on_drop(true)
        .output()
        .await
        .expect("python runs");
    assert!(
        out.status.success(),
        "helm sdk {action:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from the helm sdk")
}

/// (revision, status) of each entry of a Helm history.
fn revisions(history: &Value) -> Vec<(i64, String)> {
    history
        .as_array()
        .unwrap_or_else(|| panic!("history is a list: {history}"))
        .iter()
        .map(|h| {
            (
                h["revision"].as_i64().unwrap(),
                h["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The `-m` (memory, MiB) argument of the memcached Deployment in the cluster.
async fn memcached_memory(client: &kube::Client) -> String {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "openstack");
    let d = deployments.get("memcached-memcached").await.unwrap();
    let args = d.spec.unwrap().template.spec.unwrap().containers[0]
        .args
        .clone()
        .unwrap_or_default();
    let at = args.iter().position(|a| a == "-m").expect("-m argument");
    args[at + 1].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_lists_and_rolls_back_what_capstan_installed() {
    let cluster = start_cluster(Duration::from_millis(200), &[]).await;
    let ws = Workspace::new();
    let kc = cluster.kubeconfig.clone();
    let kubeconfig = kc.display().to_string();
    let stack = ws.stack().display().to_string();
    let base = ["-f", &stack, "-e", "dev", "--kubeconfig", &kubeconfig];
    let run = |cmd: &str, extra: &[&str]| {
        let mut a = vec![cmd.to_string()];
        a.extend(base.iter().chain(extra).map(|s| s.to_string()));
        a
    };
    let apply = || capstan(run("apply", &["-l", "tier=infra"]));

    // capstan installs the infrastructure tier.
    let out = apply().await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "apply failed:\n{stdout}\n{stderr}");
    assert_eq!(memcached_memory(&cluster.client).await, "512");

    // helm list -A --all: every release, revision 1, deployed, with chart and app version.
    let list = helm(&kc, "default", &["list"]).await;
    let mut rows: Vec<(String, String, i64, String, String, String, String)> = list
        .as_array()
        .unwrap_or_else(|| panic!("list is a list: {list}"))
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (
                s("name"),
                s("namespace"),
                r["revision"].as_i64().unwrap(),
                s("status"),
                s("chart_name"),
                s("chart_version"),
                s("app_version"),
            )
        })
        .collect();
    rows.sort();
    let row = |name: &str, version: &str, app: &str| {
        (
            name.to_string(),
            "openstack".to_string(),
            1,
            "deployed".to_string(),
            name.to_string(),
            version.to_string(),
            app.to_string(),
        )
    };
    assert_eq!(
        rows,
        [
            row("ingress", "0.2.20", "1.11.2"),
            row("mariadb", "0.2.9", "10.11"),
            row("memcached", "0.1.16", "1.6"),
            row("rabbitmq", "0.1.12", "3.13"),
        ],
        "{list}"
    );

    // A changed value: capstan upgrades memcached to revision 2.
    let values = ws.path("stacks/openstack/values/memcached.yaml.j2");
    let before = std::fs::read_to_string(&values).unwrap();
    let after = before.replace("else 512", "else 640");
    assert_ne!(before, after, "the memory value is in {}", values.display());
    std::fs::write(&values, after).unwrap();
    let out = apply().await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "upgrade failed:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "memcached");
    assert_eq!(
        (row[2].as_str(), row[3].as_str()),
        ("upgrade", "2"),
        "{stdout}"
    );
    assert_eq!(memcached_memory(&cluster.client).await, "640");

    // helm history: 1 superseded, 2 deployed.
    let history = helm(&kc, "openstack", &["history", "memcached"]).await;
    assert_eq!(
        revisions(&history),
        [(1, "superseded".into()), (2, "deployed".into())],
        "{history}"
    );

    // helm rollback memcached 1: revision 3, deployed, with revision 1's manifest applied.
    let history = helm(&kc, "openstack", &["rollback", "memcached", "1"]).await;
    assert_eq!(
        revisions(&history),
        [
            (1, "superseded".into()),
            (2, "superseded".into()),
            (3, "deployed".into())
        ],
        "{history}"
    );
    assert_eq!(memcached_memory(&cluster.client).await, "512");
    assert_eq!(
        release_secrets(&cluster.client, "openstack", "memcached")
            .await
            .last()
            .map(|(name, status)| (name.as_str(), status.as_str())),
        Some(("sh.helm.release.v1.memcached.v3", "deployed"))
    );

    // capstan converges back to the stack: revision 4, the stack's value again.
    let out = apply().await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "re-apply failed:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "memcached");
    assert_eq!(
        (row[2].as_str(), row[3].as_str()),
        ("upgrade", "4"),
        "{stdout}"
    );
    assert_eq!(summary_row(&stdout, "mariadb")[2], "unchanged", "{stdout}");
    assert_eq!(memcached_memory(&cluster.client).await, "640");
    let history = helm(&kc, "openstack", &["history", "memcached"]).await;
    assert_eq!(
        revisions(&history),
        [
            (1, "superseded".into()),
            (2, "superseded".into()),
            (3, "superseded".into()),
            (4, "deployed".into())
        ],
        "{history}"
    );

    let out = capstan(run("status", &["-l", "tier=infra"])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "status:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "memcached");
    assert_eq!(
        (row[2].as_str(), row[3].as_str()),
        ("4", "deployed"),
        "{stdout}"
    );
    cluster.sim.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capstan_lists_what_helm_installed() {
    let cluster = start_cluster(Duration::from_millis(200), &[]).await;
    let namespaces: Api<Namespace> = Api::all(cluster.client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "cache"}})).unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let chart = repo_root().join("examples/openstack/charts/memcached");
    let values = json!({"pod": {"replicas": {"server": 2}}}).to_string();
    let installed = helm(
        &cluster.kubeconfig,
        "cache",
        &["install", "cache", chart.to_str().unwrap(), &values],
    )
    .await;
    assert_eq!(installed["status"], "deployed", "{installed}");

    let out = capstan(args(&[
        "list",
        "--kubeconfig",
        &cluster.kubeconfig.display().to_string(),
        "--output",
        "json",
    ]))
    .await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "list:\n{stdout}\n{stderr}");
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{stdout}");
    let r = &rows[0];
    assert_eq!(
        (
            &r["name"],
            &r["namespace"],
            &r["revision"],
            &r["status"],
            &r["chart"],
            &r["app_version"]
        ),
        (
            &json!("cache"),
            &json!("cache"),
            &json!(1),
            &json!("deployed"),
            &json!("memcached-0.1.16"),
            &json!("1.6")
        ),
        "{stdout}"
    );
    assert!(!r["updated"].as_str().unwrap().is_empty(), "{stdout}");
    // Helm applied the chart with the given values.
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), "cache");
    let d = deployments.get("memcached-memcached").await.unwrap();
    assert_eq!(d.spec.unwrap().replicas, Some(2));
    cluster.sim.shutdown().await.unwrap();
}

/// After a Helm rollback, fields that Helm's client-side update set are owned by Helm's
/// manager (operation Update); capstan moves them to its own Apply entry before applying,
/// so the next revision without them removes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capstan_removes_fields_a_helm_rollback_brought_back() {
    let cluster = start_cluster(Duration::from_millis(100), &[]).await;
    let ws = Workspace::new();
    let kc = cluster.kubeconfig.clone();
    let kubeconfig = kc.display().to_string();
    let stack = ws.stack().display().to_string();
    let apply = || {
        capstan(args(&[
            "apply",
            "-f",
            &stack,
            "-e",
            "dev",
            "--kubeconfig",
            &kubeconfig,
            "-l",
            "name=memcached",
        ]))
    };
    let values = ws.path("stacks/openstack/values/memcached.yaml.j2");
    let resources = async || {
        let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), "openstack");
        let d = deployments.get("memcached-memcached").await.unwrap();
        d.spec.unwrap().template.spec.unwrap().containers[0]
            .resources
            .clone()
            .and_then(|r| r.limits)
            .is_some()
    };
    // Revision 1 with container resources, revision 2 without.
    std::fs::write(
        &values,
        "pod:\n  replicas:\n    server: 1\n  resources:\n    enabled: true\n",
    )
    .unwrap();
    assert!(apply().await.status.success());
    assert!(resources().await);
    std::fs::write(
        &values,
        "pod:\n  replicas:\n    server: 1\n  resources:\n    enabled: false\n",
    )
    .unwrap();
    assert!(apply().await.status.success());
    assert!(!resources().await);
    // Helm rolls back to 1 (resources again), capstan applies the stack (revision 4).
    helm(&kc, "openstack", &["rollback", "memcached", "1"]).await;
    assert!(resources().await);
    let out = apply().await;
    assert!(out.status.success());
    assert_eq!(summary_row(&text(&out).0, "memcached")[3], "4");
    assert!(
        !resources().await,
        "revision 4 has no resources, the Deployment still has Helm's"
    );
    cluster.sim.shutdown().await.unwrap();
}
