//! Raw HTTP behaviour: watch resume and selectors, API fault injection, error Status
//! objects, malformed input, limits, subresources and delete semantics.

mod common;

use std::time::Duration;

use common::{Watch, http, start};
use serde_json::{Value, json};

const JSON: (&str, &str) = ("Content-Type", "application/json");

fn cm(name: &str, labels: Value) -> String {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}, "data": {"k": name}}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_from_resource_version_with_selectors() {
    let env = start(100, &[], None).await;
    let a = env.sim.addr();
    let base = "/api/v1/namespaces/default/configmaps";
    let r = http(a, "POST", base, &[JSON], &cm("a1", json!({"app": "a"}))).await;
    assert_eq!(r.status, 201);
    let rv_after_a1 = r.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    http(a, "POST", base, &[JSON], &cm("b1", json!({"app": "b"}))).await;
    http(a, "POST", base, &[JSON], &cm("a2", json!({"app": "a"}))).await;

    // Resume after a1: sees only a2 (b1 filtered by the selector), then live changes.
    let mut w = Watch::open(a, &format!("{base}?watch=1&resourceVersion={rv_after_a1}&labelSelector=app%3Da&allowWatchBookmarks=true")).await;
    let ev = w.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("a2"))
    );
    assert_eq!(ev["object"]["kind"], "ConfigMap");
    http(
        a,
        "PATCH",
        &format!("{base}/a1"),
        &[("Content-Type", "application/merge-patch+json")],
        r#"{"data":{"k":"new"}}"#,
    )
    .await;
    http(
        a,
        "PATCH",
        &format!("{base}/b1"),
        &[("Content-Type", "application/merge-patch+json")],
        r#"{"data":{"k":"new"}}"#,
    )
    .await;
    http(a, "DELETE", &format!("{base}/a2"), &[], "").await;
    let ev = w.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("MODIFIED"), Some("a1"))
    );
    let ev = w.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("DELETED"), Some("a2"))
    );

    // Relabelling moves an object out of (DELETED) and into (ADDED) the selection.
    let relabel = |app: &str| format!(r#"{{"metadata":{{"labels":{{"app":"{app}"}}}}}}"#);
    http(
        a,
        "PATCH",
        &format!("{base}/a1"),
        &[("Content-Type", "application/merge-patch+json")],
        &relabel("b"),
    )
    .await;
    let ev = w.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("DELETED"), Some("a1"))
    );
    http(
        a,
        "PATCH",
        &format!("{base}/a1"),
        &[("Content-Type", "application/merge-patch+json")],
        &relabel("a"),
    )
    .await;
    let ev = w.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("a1"))
    );

    // Without a resourceVersion: the current objects first, then timeoutSeconds ends it.
    let mut all = Watch::open(
        a,
        "/api/v1/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.namespace%3Ddefault",
    )
    .await;
    let mut names = Vec::new();
    while let Some(ev) = all.next(Duration::from_secs(5)).await {
        names.push(
            ev["object"]["metadata"]["name"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    names.sort();
    assert_eq!(names, vec!["a1", "b1"]);

    // sendInitialEvents ends the initial list with a bookmark.
    let mut si = Watch::open(a, &format!("{base}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=app%3Db")).await;
    let first = si.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(first["object"]["metadata"]["name"], "b1");
    let bm = si.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(bm["type"], "BOOKMARK");
    assert_eq!(
        bm["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );

    // A bad resourceVersion is a 400.
    let bad = http(
        a,
        "GET",
        &format!("{base}?watch=1&resourceVersion=abc"),
        &[],
        "",
    )
    .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_api_faults_and_latency() {
    let env = start(
        100,
        &[
            "configmaps=error:503,count=2",
            "secrets/default/*=error:429",
            "services=latency:300ms",
            "pods=error:500,p=0.0",
            "endpoints=drop-watch:1s",
        ],
        None,
    )
    .await;
    let a = env.sim.addr();
    let path = "/api/v1/namespaces/default/configmaps";
    let first = http(a, "GET", path, &[], "").await;
    assert_eq!(first.status, 503);
    assert_eq!(first.json()["reason"], "ServiceUnavailable");
    assert_eq!(http(a, "GET", path, &[], "").await.status, 503);
    assert_eq!(http(a, "GET", path, &[], "").await.status, 200);
    let limited = http(a, "GET", "/api/v1/namespaces/default/secrets", &[], "").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["reason"], "TooManyRequests");
    assert!(
        limited
            .headers
            .to_ascii_lowercase()
            .contains("retry-after: 1")
    );
    // Other namespaces and discovery are untouched.
    assert_eq!(
        http(a, "GET", "/api/v1/namespaces/kube-system/secrets", &[], "")
            .await
            .status,
        200
    );
    assert_eq!(http(a, "GET", "/api/v1", &[], "").await.status, 200);
    let t = std::time::Instant::now();
    assert_eq!(
        http(a, "GET", "/api/v1/namespaces/default/services", &[], "")
            .await
            .status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    for _ in 0..5 {
        assert_eq!(
            http(a, "GET", "/api/v1/namespaces/default/pods", &[], "")
                .await
                .status,
            200
        );
    }
    // Watches on endpoints are dropped by the server after a second.
    let t = std::time::Instant::now();
    let mut w = Watch::open(a, "/api/v1/endpoints?watch=1").await;
    assert!(w.next(Duration::from_secs(10)).await.is_none());
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_status_objects() {
    let env = start(100, &[], None).await;
    let a = env.sim.addr();
    let r = http(
        a,
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/nope",
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    let s = r.json();
    assert_eq!(
        (s["kind"].as_str(), s["reason"].as_str(), s["code"].as_i64()),
        (Some("Status"), Some("NotFound"), Some(404))
    );
    assert_eq!(s["message"], "deployments.apps \"nope\" not found");
    assert_eq!(s["details"]["kind"], "deployments");

    let base = "/api/v1/namespaces/default/configmaps";
    let r = http(
        a,
        "POST",
        base,
        &[JSON],
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["reason"].as_str()),
        (422, Some("Invalid"))
    );
    let r = http(
        a,
        "POST",
        base,
        &[JSON],
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#,
    )
    .await;
    assert_eq!(r.status, 422);
    let r = http(a, "POST", base, &[JSON], "{not json").await;
    assert_eq!(
        (r.status, r.json()["reason"].as_str()),
        (400, Some("BadRequest"))
    );
    let r = http(
        a,
        "POST",
        base,
        &[JSON],
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    let r = http(
        a,
        "PATCH",
        &format!("{base}/x"),
        &[("Content-Type", "application/apply-patch+yaml")],
        "a: [unclosed",
    )
    .await;
    assert_eq!(r.status, 400);
    let r = http(
        a,
        "PATCH",
        &format!("{base}/x?fieldManager=t"),
        &[("Content-Type", "application/apply-patch+yaml")],
        "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n",
    )
    .await;
    assert_eq!(r.status, 201, "apply creates: {}", r.body);
    let r = http(
        a,
        "PATCH",
        &format!("{base}/x"),
        &[("Content-Type", "text/plain")],
        "{}",
    )
    .await;
    assert_eq!(r.status, 415);
    let r = http(
        a,
        "PATCH",
        &format!("{base}/x"),
        &[("Content-Type", "application/json-patch+json")],
        r#"[{"op":"remove","path":"/nope"}]"#,
    )
    .await;
    assert_eq!(r.status, 422);
    let r = http(a, "POST", base, &[JSON], &cm("x", json!({}))).await;
    assert_eq!(
        (r.status, r.json()["reason"].as_str()),
        (409, Some("AlreadyExists"))
    );
    let r = http(
        a,
        "PUT",
        &format!("{base}/x"),
        &[JSON],
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"1"}}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["reason"].as_str()),
        (409, Some("Conflict"))
    );
    let r = http(
        a,
        "POST",
        "/api/v1/namespaces/ghost/configmaps",
        &[JSON],
        &cm("y", json!({})),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "namespaces \"ghost\" not found");
    let r = http(a, "GET", "/apis/nope.example.com/v1/things", &[], "").await;
    assert_eq!(r.status, 404);
    let r = http(
        a,
        "GET",
        "/api/v1/configmaps?labelSelector=a%20in%20b",
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, 400);
    // Bodies over 16 MiB are refused.
    let big = "x".repeat(17 * 1024 * 1024);
    let r = http(a, "POST", base, &[JSON], &big).await;
    assert_eq!(r.status, 413);
    // Deep nesting is refused, not crashed on.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let r = http(
        a,
        "POST",
        base,
        &[JSON],
        &format!(r#"{{"metadata":{{"name":"d"}},"data":{deep}}}"#),
    )
    .await;
    assert_eq!(r.status, 400);
    // Still serving.
    assert_eq!(http(a, "GET", "/version", &[], "").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_and_openapi_documents() {
    let env = start(100, &[], None).await;
    let a = env.sim.addr();
    let r = http(
        a,
        "GET",
        "/apis",
        &[(
            "Accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        )],
        "",
    )
    .await;
    assert!(
        r.headers
            .contains("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
        "{}",
        r.headers
    );
    let j = r.json();
    assert_eq!(j["kind"], "APIGroupDiscoveryList");
    let apps = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(deploy["shortNames"], json!(["deploy"]));
    assert_eq!(deploy["scope"], "Namespaced");
    let legacy = http(a, "GET", "/apis", &[], "").await.json();
    assert_eq!(legacy["kind"], "APIGroupList");
    let core = http(a, "GET", "/api/v1", &[], "").await.json();
    let pods = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods")
        .unwrap();
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert!(
        core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "pods/log")
    );
    let idx = http(a, "GET", "/openapi/v3", &[], "").await.json();
    let url = idx["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = http(a, "GET", &url, &[], "").await.json();
    assert!(
        doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]["x-kubernetes-group-version-kind"]
            ["kind"]
            == "Deployment"
    );
    assert_eq!(http(a, "GET", "/openapi/v2", &[], "").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_subresource_finalizers_and_orphans() {
    let env = start(60_000, &[], None).await;
    let a = env.sim.addr();
    let base = "/apis/apps/v1/namespaces/default/deployments";
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "finalizers": ["example.com/keep"]},
        "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
        "status": {"replicas": 99}});
    let created = http(a, "POST", base, &[JSON], &d.to_string()).await.json();
    assert!(
        created["status"].get("replicas").is_none_or(|r| r != 99),
        "status is ignored on create"
    );
    // Writes to the main resource ignore status; /status ignores spec.
    let merge = ("Content-Type", "application/merge-patch+json");
    let r = http(
        a,
        "PATCH",
        &format!("{base}/d"),
        &[merge],
        r#"{"status":{"replicas":42}}"#,
    )
    .await
    .json();
    assert_ne!(r["status"]["replicas"], 42);
    assert_eq!(r["metadata"]["generation"], 1);
    let r = http(
        a,
        "PATCH",
        &format!("{base}/d/status"),
        &[merge],
        r#"{"status":{"replicas":42},"spec":{"replicas":7}}"#,
    )
    .await
    .json();
    assert_eq!(r["status"]["replicas"], 42);
    assert_eq!(r["spec"]["replicas"], 1);
    let r = http(a, "PATCH", &format!("{base}/d"), &[("Content-Type", "application/strategic-merge-patch+json")], r#"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i2"},{"name":"side","image":"s"}]}}}}"#).await.json();
    assert_eq!(r["metadata"]["generation"], 2);
    assert_eq!(
        r["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Scale subresource.
    let scale = http(a, "GET", &format!("{base}/d/scale"), &[], "")
        .await
        .json();
    assert_eq!(
        (scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()),
        (Some("Scale"), Some(1))
    );
    // Finalizers keep the object until they are removed.
    let del = http(a, "DELETE", &format!("{base}/d"), &[], "").await;
    assert_eq!(del.status, 200);
    let kept = http(a, "GET", &format!("{base}/d"), &[], "").await.json();
    assert!(kept["metadata"]["deletionTimestamp"].is_string());
    http(
        a,
        "PATCH",
        &format!("{base}/d"),
        &[merge],
        r#"{"metadata":{"finalizers":null}}"#,
    )
    .await;
    assert_eq!(
        http(a, "GET", &format!("{base}/d"), &[], "").await.status,
        404
    );

    // Orphan propagation keeps dependents and strips the owner reference.
    let cms = "/api/v1/namespaces/default/configmaps";
    let owner = http(a, "POST", cms, &[JSON], &cm("owner", json!({})))
        .await
        .json();
    let uid = owner["metadata"]["uid"].as_str().unwrap();
    let dep = json!({"metadata": {"name": "dep", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}});
    http(a, "POST", cms, &[JSON], &dep.to_string()).await;
    let st = http(
        a,
        "DELETE",
        &format!("{cms}/owner"),
        &[JSON],
        r#"{"propagationPolicy":"Orphan"}"#,
    )
    .await
    .json();
    assert_eq!(st["status"], "Success");
    let dep = http(a, "GET", &format!("{cms}/dep"), &[], "").await.json();
    assert!(
        dep["metadata"]
            .get("ownerReferences")
            .is_none_or(|r| r.as_array().unwrap().is_empty())
    );

    // Events are also served as events.k8s.io/v1.
    let ev = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "R", "message": "hello", "type": "Normal"});
    assert_eq!(
        http(
            a,
            "POST",
            "/api/v1/namespaces/default/events",
            &[JSON],
            &ev.to_string()
        )
        .await
        .status,
        201
    );
    let v1 = http(
        a,
        "GET",
        "/apis/events.k8s.io/v1/namespaces/default/events/e1",
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(
        (
            v1["apiVersion"].as_str(),
            v1["note"].as_str(),
            v1["regarding"]["name"].as_str()
        ),
        (Some("events.k8s.io/v1"), Some("hello"), Some("p"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_shapes_do_not_stop_the_controllers() {
    let env = start(200, &[], None).await;
    let a = env.sim.addr();
    let base = "/apis/apps/v1/namespaces/default/deployments";
    for (name, spec) in [
        ("t1", json!({"template": 5, "selector": "x"})),
        ("t2", json!("spec")),
        ("t3", json!({"replicas": "many"})),
    ] {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec});
        let r = http(a, "POST", base, &[JSON], &d.to_string()).await;
        assert!(r.status < 500, "{}", r.body);
        let s = http(a, "GET", &format!("{base}/{name}/scale"), &[], "").await;
        assert!(s.status < 500, "{}", s.body);
    }
    let good = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ok"},
        "spec": {"selector": {"matchLabels": {"app": "ok"}}, "template": {"metadata": {"labels": {"app": "ok"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    http(a, "POST", base, &[JSON], &good.to_string()).await;
    let mut ready = false;
    for _ in 0..50 {
        let d = http(a, "GET", &format!("{base}/ok"), &[], "").await.json();
        if d["status"]["availableReplicas"] == 1 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the controllers keep working");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_watches() {
    let env = start(100, &[], None).await;
    let a = env.sim.addr();
    let mut w = Watch::open(a, "/api/v1/namespaces?watch=1").await;
    assert!(
        w.next(Duration::from_secs(5)).await.is_some(),
        "initial ADDED events"
    );
    tokio::time::timeout(Duration::from_secs(10), env.sim.shutdown())
        .await
        .expect("shutdown does not wait for watchers")
        .unwrap();
    let mut ended = false;
    for _ in 0..10 {
        if w.next(Duration::from_secs(5)).await.is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended);
    assert!(
        tokio::net::TcpStream::connect(a).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_pods_run_or_complete() {
    let env = start(200, &["pod/default/bad=fault:JobFails"], None).await;
    let a = env.sim.addr();
    let base = "/api/v1/namespaces/default/pods";
    for (name, policy) in [("server", "Always"), ("test", "Never"), ("bad", "Never")] {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": policy, "containers": [{"name": "c", "image": "i"}]}});
        assert_eq!(
            http(a, "POST", base, &[JSON], &p.to_string()).await.status,
            201
        );
    }
    let phase = |name: &'static str| async move {
        http(a, "GET", &format!("{base}/{name}"), &[], "")
            .await
            .json()["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(phase("test").await, "Pending");
    let mut phases = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        phases = vec![
            phase("server").await,
            phase("test").await,
            phase("bad").await,
        ];
        if phases == ["Running", "Succeeded", "Failed"] {
            break;
        }
    }
    assert_eq!(phases, ["Running", "Succeeded", "Failed"]);
}
