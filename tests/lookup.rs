//! Helm's `lookup` through the CLI: `apply` (also with `--sim`) queries the cluster as
//! `helm install` does, `template` gets the empty map as `helm template` does, and what
//! a lookup hands the templates (structure, number types, list objects, errors) is the
//! same as real Helm's: the Helm 4 SDK (tests/helm_interop/helm.py, venv as in
//! tests/helm_interop.rs) renders the same chart against the same kubesim with a
//! server dry-run, and the manifests are compared byte for byte.

mod common;

use std::path::Path;
use std::time::Duration;

use capstan_testkit::{helm_python, write_chart};
use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, PostParams};

const DEPLOYMENT: &str = r#"{"apiVersion":"apps/v1","kind":"Deployment",
 "metadata":{"name":"web","namespace":"lk-src","labels":{"app":"web"}},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},
   "spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80}]}]}}}}"#;

const CRD: &str = r#"{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"widgets.example.com"},
 "spec":{"group":"example.com","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
  "versions":[{"name":"v1","served":true,"storage":true,
   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"#;

/// Numbers as the server stores them (kubesim keeps the JSON text): an integer, a
/// float, a float with an integral value, an integer past int64, an exponent.
const WIDGET: &str = r#"{"apiVersion":"example.com/v1","kind":"Widget",
 "metadata":{"name":"w","namespace":"lk-src"},
 "spec":{"count":3,"ratio":0.5,"whole":2.0,"big":12345678901234567890,"exp":1e3,"neg":-4,"tiny":1e-7}}"#;

/// POSTs raw JSON, so the numbers reach the server exactly as written.
async fn create(client: &kube::Client, collection: &str, body: &str) {
    let request = kube::core::Request::new(collection)
        .create(&PostParams::default(), body.as_bytes().to_vec())
        .unwrap();
    client
        .request_text(request)
        .await
        .unwrap_or_else(|e| panic!("creating in {collection}: {e}"));
}

/// Namespaces `lk` (releases) and `lk-src` (what the charts look up): a Deployment,
/// ConfigMaps `a` and `b`, and a Widget custom resource.
async fn seed(client: &kube::Client) {
    for ns in ["lk", "lk-src"] {
        let body =
            format!(r#"{{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{ns}"}}}}"#);
        create(client, "/api/v1/namespaces", &body).await;
    }
    create(
        client,
        "/apis/apps/v1/namespaces/lk-src/deployments",
        DEPLOYMENT,
    )
    .await;
    for name in ["a", "b"] {
        let body = format!(
            r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}","namespace":"lk-src"}},"data":{{"k":"{name}"}}}}"#
        );
        create(client, "/api/v1/namespaces/lk-src/configmaps", &body).await;
    }
    create(
        client,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        CRD,
    )
    .await;
    create(
        client,
        "/apis/example.com/v1/namespaces/lk-src/widgets",
        WIDGET,
    )
    .await;
}

/// The usual generated-password pattern. (`(lookup ...).data.password` alone fails in
/// Helm too while the Secret does not exist: a field of nil is a nil pointer error.)
const SECRET_TEMPLATE: &str = r#"{{- $old := lookup "v1" "Secret" .Release.Namespace "app-secret" }}
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
data:
  password: {{ ($old.data | default dict).password | default (randAlphaNum 16 | b64enc) }}
"#;

const INFO_TEMPLATE: &str = r#"{{- $web := lookup "apps/v1" "Deployment" "lk-src" "web" }}
{{- $cms := lookup "v1" "ConfigMap" "lk-src" "" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-info
data:
  round: {{ .Values.round | quote }}
  replicas: {{ if $web }}{{ $web.spec.replicas | quote }}{{ else }}"absent"{{ end }}
  image: {{ if $web }}{{ (index $web.spec.template.spec.containers 0).image | quote }}{{ else }}"absent"{{ end }}
  listKind: {{ $cms.kind | default "none" | quote }}
  names: "{{ range $cms.items }}{{ .metadata.name }},{{ end }}"
  itemKinds: "{{ range $cms.items }}{{ .kind }},{{ end }}"
  missing: {{ lookup "v1" "ConfigMap" "lk-src" "nope" | len | quote }}
  absent: {{ if not (lookup "v1" "Secret" "lk-src" "nope") }}"yes"{{ else }}"no"{{ end }}
"#;

fn write_app_stack(dir: &Path, round: i64) -> String {
    let stack = dir.join("stack.yaml");
    std::fs::write(
        &stack,
        format!(
            "name: lk\ndefaults: {{namespace: lk, createNamespace: true}}\nreleases:\n  - {{name: app, chart: ./app, set: {{round: {round}}}}}\n"
        ),
    )
    .unwrap();
    stack.display().to_string()
}

async fn password(client: &kube::Client) -> String {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "lk");
    let s = secrets.get("app-secret").await.unwrap();
    let bytes = s.data.unwrap().remove("password").unwrap().0;
    String::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_looks_up_the_cluster_and_template_gets_empty_maps() {
    let cluster = start_cluster(Duration::from_millis(20), &[]).await;
    seed(&cluster.client).await;
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        "app",
        &[
            ("secret.yaml", SECRET_TEMPLATE),
            ("info.yaml", INFO_TEMPLATE),
        ],
    );
    let kubeconfig = cluster.kubeconfig.display().to_string();

    let stack = write_app_stack(dir.path(), 1);
    let out = capstan(args(&["apply", "-f", &stack, "--kubeconfig", &kubeconfig])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let first = password(&cluster.client).await;
    assert_eq!(first.len(), 16, "{first:?}");

    let configmaps: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "lk");
    let info = configmaps.get("app-info").await.unwrap().data.unwrap();
    let field = |k: &str| info.get(k).cloned().unwrap_or_default();
    assert_eq!(field("replicas"), "3");
    assert_eq!(field("image"), "nginx:1.27");
    assert_eq!(field("listKind"), "ConfigMapList");
    assert_eq!(field("names"), "a,b,");
    assert_eq!(field("itemKinds"), "ConfigMap,ConfigMap,");
    assert_eq!(field("missing"), "0");
    assert_eq!(field("absent"), "yes");

    // A values change, so the second apply really upgrades and renders again.
    let stack = write_app_stack(dir.path(), 2);
    let out = capstan(args(&["apply", "-f", &stack, "--kubeconfig", &kubeconfig])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(summary_row(&stdout, "app")[2], "upgrade", "{stdout}");
    let info = configmaps.get("app-info").await.unwrap().data.unwrap();
    assert_eq!(info.get("round").map(String::as_str), Some("2"));
    assert_eq!(password(&cluster.client).await, first);

    // Offline, as `helm template`: every lookup is the empty map.
    let out = capstan(args(&["template", "-f", &stack])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for line in [
        "replicas: \"absent\"",
        "listKind: \"none\"",
        "names: \"\"",
        "missing: \"0\"",
        "absent: \"yes\"",
    ] {
        assert!(stdout.contains(line), "{line} in:\n{stdout}");
    }
    assert!(!stdout.contains(&first), "{stdout}");
    cluster.sim.shutdown().await.unwrap();
}

/// `--sim` serves the cluster from the same process that renders: lookups reach it
/// (no deadlock between the blocking render and the embedded server), and with a
/// state file the password survives an upgrade in a later run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_with_the_embedded_cluster_looks_up_too() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(dir.path(), "app", &[("secret.yaml", SECRET_TEMPLATE)]);
    let state = dir.path().join("sim.json").display().to_string();
    let mut passwords = Vec::new();
    for round in [1, 2] {
        let stack = write_app_stack(dir.path(), round);
        let out = capstan(args(&[
            "apply",
            "-f",
            &stack,
            "--sim",
            "--sim-state",
            &state,
        ]))
        .await;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        let saved = std::fs::read_to_string(&state).unwrap();
        passwords.push(secret_password_in_state(&saved));
    }
    assert_eq!(passwords[0], passwords[1]);
}

/// The `data.password` of Secret `app-secret` in a kubesim state file.
fn secret_password_in_state(state: &str) -> String {
    fn find(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("kind").and_then(|k| k.as_str()) == Some("Secret")
                    && m["metadata"]["name"] == "app-secret"
                {
                    return m["data"]["password"].as_str().map(str::to_string);
                }
                m.values().find_map(find)
            }
            serde_json::Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    let json: serde_json::Value = serde_json::from_str(state).unwrap();
    find(&json).unwrap_or_else(|| panic!("no app-secret in the state file"))
}

const PROBE_TEMPLATE: &str = r#"{{- $w := lookup "example.com/v1" "Widget" "lk-src" "w" }}
{{- $web := lookup "apps/v1" "Deployment" "lk-src" "web" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: probe
data:
  widget: {{ $w | toJson | quote }}
  widgetYaml: {{ $w.spec | toYaml | quote }}
  types: {{ printf "%T %T %T %T %T %T %T" $w.spec.count $w.spec.ratio $w.spec.whole $w.spec.big $w.spec.exp $w.spec.neg $w.metadata.generation | quote }}
  printed: {{ printf "%v %v %v %v %v %v" $w.spec.count $w.spec.ratio $w.spec.whole $w.spec.big $w.spec.exp $w.spec.tiny | quote }}
  replicas: {{ $web.spec.replicas | quote }}
  kinds: {{ printf "%T %T %T" (index $web.spec.template.spec.containers 0).ports $web.metadata.labels $web.spec.replicas | quote }}
  list: {{ lookup "v1" "ConfigMap" "lk-src" "" | toJson | quote }}
  widgets: {{ lookup "example.com/v1" "Widget" "lk-src" "" | toJson | quote }}
  allNamespaces: {{ len (lookup "v1" "ConfigMap" "" "").items | quote }}
  nameWithoutNamespace: {{ lookup "v1" "ConfigMap" "" "a" | toJson | quote }}
  namespace: {{ (lookup "v1" "Namespace" "" "lk-src").metadata.name | quote }}
  namespaceIgnored: {{ (lookup "v1" "Namespace" "elsewhere" "lk-src").metadata.name | quote }}
  missing: {{ lookup "v1" "ConfigMap" "lk-src" "nope" | toJson | quote }}
  missingType: {{ printf "%T" (lookup "v1" "ConfigMap" "lk-src" "nope") | quote }}
  unknownKind: {{ lookup "v1" "Nope" "lk-src" "x" | toJson | quote }}
"#;

/// Real Helm's install with `dry_run`; its JSON result, or the error text.
async fn helm_install(kubeconfig: &Path, chart: &Path, dry_run: &str) -> Result<String, String> {
    let python = tokio::task::spawn_blocking(helm_python).await.unwrap();
    let out = tokio::process::Command::new(python)
        .arg(repo_root().join("tests/helm_interop/helm.py"))
        .arg(kubeconfig)
        .arg("lk")
        .arg("install")
        .arg(chart.file_name().unwrap())
        .arg(chart)
        .arg("{}")
        .arg(dry_run)
        .kill_on_drop(true)
        .output()
        .await
        .expect("python runs");
    if out.status.success() {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        Ok(json["manifest"].as_str().unwrap().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The manifest capstan recorded for revision 1 of `release` in namespace `lk`.
async fn recorded_manifest(client: &kube::Client, release: &str) -> String {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "lk");
    let s = secrets
        .get(&format!("sh.helm.release.v1.{release}.v1"))
        .await
        .unwrap();
    decode_release(&s)["manifest"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_results_and_errors_match_real_helm() {
    let cluster = start_cluster(
        Duration::from_millis(20),
        &["configmap/lk-src/guarded=error=403"],
    )
    .await;
    seed(&cluster.client).await;
    let dir = tempfile::tempdir().unwrap();
    write_chart(dir.path(), "probe", &[("cm.yaml", PROBE_TEMPLATE)]);
    write_chart(
        dir.path(),
        "nogroup",
        &[(
            "cm.yaml",
            "x: {{ lookup \"nope.example.com/v1\" \"Thing\" \"lk\" \"x\" }}\n",
        )],
    );
    write_chart(
        dir.path(),
        "guarded",
        &[(
            "cm.yaml",
            "x: {{ lookup \"v1\" \"ConfigMap\" \"lk-src\" \"guarded\" }}\n",
        )],
    );
    let stack = dir.path().join("stack.yaml");
    std::fs::write(
        &stack,
        "name: lk\ndefaults: {namespace: lk}\nreleases:\n  - {name: probe, chart: ./probe}\n  \
         - {name: nogroup, chart: ./nogroup}\n  - {name: guarded, chart: ./guarded}\n",
    )
    .unwrap();

    // Helm first: a server dry-run reads the cluster and changes nothing.
    let helm_manifest = helm_install(&cluster.kubeconfig, &dir.path().join("probe"), "server")
        .await
        .unwrap_or_else(|e| panic!("helm dry-run: {e}"));
    let helm_nogroup = helm_install(&cluster.kubeconfig, &dir.path().join("nogroup"), "server")
        .await
        .expect_err("helm fails on an unknown group/version");
    let helm_guarded = helm_install(&cluster.kubeconfig, &dir.path().join("guarded"), "server")
        .await
        .expect_err("helm fails on a 403");

    let stack = stack.display().to_string();
    let kubeconfig = cluster.kubeconfig.display().to_string();
    let out = capstan(args(&["apply", "-f", &stack, "--kubeconfig", &kubeconfig])).await;
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(summary_row(&stdout, "probe")[5], "ok", "{stdout}\n{stderr}");
    assert_eq!(
        recorded_manifest(&cluster.client, "probe").await,
        helm_manifest
    );
    assert!(
        helm_manifest.contains("types: \"int64 float64 float64 float64 float64 int64 int64\""),
        "{helm_manifest}"
    );

    // Both fail with the same message: the last line of Helm's error is its message.
    for (release, helm_err) in [("nogroup", &helm_nogroup), ("guarded", &helm_guarded)] {
        let helm_message = helm_err
            .lines()
            .rev()
            .find(|l| l.contains("error calling lookup"))
            .unwrap_or_else(|| panic!("helm's error for {release}: {helm_err}"));
        let message = helm_message
            .split_once("error calling lookup: ")
            .unwrap()
            .1
            .trim();
        let row = stdout
            .lines()
            .find(|l| l.starts_with(release))
            .unwrap_or_else(|| panic!("no row for {release}:\n{stdout}"));
        assert!(
            row.ends_with(&format!("error calling lookup: {message}")),
            "{release}: capstan {row:?}, helm {helm_message:?}"
        );
    }
    cluster.sim.shutdown().await.unwrap();
}
