//! Release records are shared with real Helm (Helm 4 through helm-python-sdk):
//! what capstan writes, Helm lists, reads and rolls back; what Helm installs, capstan
//! decodes. Helm talks to kubesim directly (kubesim reads the protobuf bodies client-go
//! sends for Secrets). The SDK venv is created on first use (see `capstan_testkit::helm_python`);
//! if that fails, the tests fail.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use capstan_cluster::apply::set_helm_ownership;
use capstan_cluster::release::{
    GoTime, Hook, HookExecution, Info, Release, ReleaseStatus, ReleaseStore,
};
use capstan_cluster::{Cluster, parse_manifest};
use capstan_testkit::helm_python;
use common::start;
use serde_json::{Value, json};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm_sdk/interop.py")
}

async fn helm(kubeconfig: &Path, namespace: &str, args: &[&str]) -> Value {
    let out = tokio::process::Command::new(helm_python())
        .arg(script())
        .arg(kubeconfig)
        .arg(namespace)
        .args(args)
        .output()
        .await
        .expect("python runs");
    assert!(
        out.status.success(),
        "helm sdk {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from the helm sdk")
}

/// Chart JSON as Helm stores it (chart v2 `Chart` struct): metadata, templates with
/// base64 data, values, files.
fn chart_json() -> Value {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "metadata": {"name": "greeter", "version": "1.2.3", "appVersion": "4.5", "apiVersion": "v2",
                     "description": "A tiny chart"},
        "lock": null,
        "templates": [{"name": "templates/configmap.yaml",
                       "data": b64("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\n")}],
        "values": {"greeting": "hi"},
        "schema": null,
        "files": []
    })
}

async fn deploy(cluster: &Cluster, store: &ReleaseStore, version: i64, greeting: &str) -> Release {
    let manifest = format!(
        "---\n# Source: greeter/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-greeting\ndata:\n  greeting: \"{greeting}\"\n"
    );
    let now = GoTime::now();
    let previous = store.latest("web", "apps").await.unwrap();
    let mut rel = Release {
        name: "web".into(),
        info: Info {
            first_deployed: Some(
                previous
                    .as_ref()
                    .and_then(|p| p.info.first_deployed)
                    .unwrap_or(now),
            ),
            last_deployed: Some(now),
            status: if version == 1 {
                ReleaseStatus::PendingInstall
            } else {
                ReleaseStatus::PendingUpgrade
            },
            description: "Initial install underway".into(),
            notes: "Greeter web installed.".into(),
            ..Default::default()
        },
        chart: chart_json(),
        config: json!({"greeting": greeting}),
        manifest: manifest.clone(),
        hooks: vec![Hook {
            name: "web-check".into(),
            kind: "Pod".into(),
            path: "greeter/templates/test.yaml".into(),
            manifest: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-check\n".into(),
            events: vec!["test".into()],
            weight: 3,
            last_run: HookExecution {
                started_at: Some(now),
                completed_at: Some(now),
                phase: "Succeeded".into(),
            },
            delete_policies: vec!["before-hook-creation".into()],
            ..Default::default()
        }],
        version,
        namespace: "apps".into(),
        apply_method: String::new(),
        ..Default::default()
    };
    store.create(&rel).await.unwrap();
    let mut objects = parse_manifest(&manifest).unwrap();
    set_helm_ownership(&mut objects, "web", "apps");
    cluster
        .apply_objects(&objects, "apps", "capstan", false)
        .await
        .unwrap();
    let done = if version == 1 {
        "Install complete"
    } else {
        "Upgrade complete"
    };
    store.mark_deployed(&mut rel, done).await.unwrap();
    rel
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_reads_what_capstan_wrote() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("apps").await.unwrap();
    let store = ReleaseStore::new(c);
    deploy(c, &store, 1, "hello").await;
    deploy(c, &store, 2, "bonjour").await;

    let read = helm(&env.kubeconfig, "apps", &["read", "web"]).await;
    println!("{}", serde_json::to_string_pretty(&read).unwrap());
    let list = read["list"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{read}");
    assert_eq!(list[0]["name"], "web");
    assert_eq!(list[0]["revision"], 2);
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart_name"], "greeter");
    assert_eq!(list[0]["chart_version"], "1.2.3");
    assert_eq!(list[0]["app_version"], "4.5");
    assert_eq!(list[0]["namespace"], "apps");
    assert_eq!(read["status"]["notes"], "Greeter web installed.");
    assert!(
        read["status"]["manifest"]
            .as_str()
            .unwrap()
            .contains("bonjour")
    );
    let history = read["history"].as_array().unwrap();
    let states: Vec<(i64, &str)> = history
        .iter()
        .map(|h| {
            (
                h["revision"].as_i64().unwrap(),
                h["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, [(1, "superseded"), (2, "deployed")]);
    assert_eq!(read["values"], json!({"greeting": "bonjour"}));
    let hook = &read["all"]["hooks"][0];
    assert_eq!(hook["name"], "web-check", "{read}");
    assert_eq!(hook["events"], json!(["test"]));
    assert_eq!(hook["weight"], 3);
    assert_eq!(hook["last_run"]["phase"], "Succeeded");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_rolls_back_what_capstan_wrote() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("apps").await.unwrap();
    let store = ReleaseStore::new(c);
    deploy(c, &store, 1, "hello").await;
    deploy(c, &store, 2, "bonjour").await;

    // Helm rolls back to revision 1: capstan sees revision 3, deployed, with v1's manifest.
    helm(&env.kubeconfig, "apps", &["rollback", "web", "1"]).await;
    let history = store.history("web", "apps").await.unwrap();
    let states: Vec<(i64, ReleaseStatus)> =
        history.iter().map(|r| (r.version, r.info.status)).collect();
    assert_eq!(
        states,
        [
            (1, ReleaseStatus::Superseded),
            (2, ReleaseStatus::Superseded),
            (3, ReleaseStatus::Deployed)
        ]
    );
    assert!(
        history[2].manifest.contains("greeting: \"hello\""),
        "{}",
        history[2].manifest
    );
    assert_eq!(history[2].chart_name(), "greeter");

    // capstan takes the release back after Helm's client-side rollback.
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-greeting\ndata:\n  greeting: \"ciao\"\n";
    let objects = parse_manifest(manifest).unwrap();
    // Helm's rollback updated the field under its own manager: a plain apply conflicts,
    // a forced one takes the field back.
    let err = c
        .apply_objects(&objects, "apps", "capstan", false)
        .await
        .unwrap_err();
    assert_eq!(err.api_failure().map(|f| f.code), Some(409), "{err}");
    c.apply_objects(&objects, "apps", "capstan", true)
        .await
        .unwrap();
    env.sim.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capstan_decodes_what_helm_installed() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("apps").await.unwrap();
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm_sdk/chart");
    helm(
        &env.kubeconfig,
        "apps",
        &["install", "greet", chart.to_str().unwrap()],
    )
    .await;
    let store = ReleaseStore::new(c);
    let rel = store
        .latest("greet", "apps")
        .await
        .unwrap()
        .expect("helm's record");
    println!("{rel:#?}");
    assert_eq!(rel.version, 1);
    assert_eq!(rel.namespace, "apps");
    assert_eq!(rel.info.status, ReleaseStatus::Deployed);
    assert_eq!(rel.info.description, "Install complete");
    assert!(rel.info.first_deployed.is_some() && rel.info.last_deployed.is_some());
    assert_eq!(
        rel.info.notes.trim(),
        "Greeter greet installed. <see> A & B"
    );
    assert_eq!(
        (rel.chart_name(), rel.chart_version(), rel.app_version()),
        ("greeter", "1.2.3", "4.5")
    );
    assert_eq!(rel.config, json!({"greeting": "hello"}));
    assert!(
        rel.manifest
            .contains("# Source: greeter/templates/configmap.yaml"),
        "{}",
        rel.manifest
    );
    let refs = capstan_cluster::objects_in_manifest(&rel.manifest).unwrap();
    assert_eq!(refs[0].to_string(), "ConfigMap/greet-greeting");
    assert_eq!(store.list(Some("apps")).await.unwrap().len(), 1);
    // Lossless: Helm's JSON, decoded and re-encoded by capstan, is the same JSON.
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(c.client().clone(), "apps");
    let secret = secrets.get("sh.helm.release.v1.greet.v1").await.unwrap();
    let mut label_keys: Vec<&String> = secret.metadata.labels.as_ref().unwrap().keys().collect();
    label_keys.sort();
    // Helm's labels after install (created, then updated to deployed).
    assert_eq!(
        label_keys,
        ["modifiedAt", "name", "owner", "status", "version"]
    );
    assert_eq!(secret.type_.as_deref(), Some("helm.sh/release.v1"));
    let data = &secret.data.as_ref().unwrap()["release"].0;
    let helm_json = {
        use base64::Engine;
        use std::io::Read;
        let gz = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut json)
            .unwrap();
        json
    };
    // Byte for byte, including Go's escaping of <, > and & (the chart's NOTES has them).
    let ours = capstan_cluster::release::codec::release_json(&rel).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&helm_json)
    );
    env.sim.shutdown().await.unwrap();
}
