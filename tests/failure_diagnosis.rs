//! A release whose pods never become ready: it fails with a diagnosis naming the object
//! and why, everything that needs it is skipped, and independent branches deploy.

mod common;

use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashlooping_keystone_fails_with_diagnosis_and_skips_dependents() {
    let cluster = start_cluster(
        Duration::from_millis(200),
        &["deployment/openstack/keystone-api=fault:CrashLoopBackOff"],
    )
    .await;
    let ws = Workspace::new();
    let kubeconfig = cluster.kubeconfig.display().to_string();
    let stack = ws.stack().display().to_string();
    let out = capstan(args(&[
        "apply",
        "-f",
        &stack,
        "-e",
        "dev",
        "--kubeconfig",
        &kubeconfig,
        "--timeout",
        "4s",
    ]))
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "apply must fail:\n{stdout}\n{stderr}"
    );

    let keystone = summary_row(&stdout, "keystone");
    assert_eq!(keystone[5], "FAILED:", "{stdout}");
    // The diagnosis names the object and the reason.
    assert!(
        stderr.contains("Deployment/openstack/keystone-api"),
        "{stderr}"
    );
    assert!(stderr.contains("CrashLoopBackOff"), "{stderr}");

    for dependent in ["glance", "placement", "heat", "horizon", "neutron", "nova"] {
        let row = summary_row(&stdout, dependent);
        assert_eq!(row[2], "skipped", "{dependent}: {stdout}");
    }
    for sibling in [
        "ingress",
        "mariadb",
        "rabbitmq",
        "memcached",
        "openvswitch",
        "libvirt",
    ] {
        let row = summary_row(&stdout, sibling);
        assert_eq!(row[5], "ok", "{sibling}: {stdout}");
    }
    assert_eq!(
        release_secrets(&cluster.client, "openstack", "keystone").await,
        vec![(
            "sh.helm.release.v1.keystone.v1".to_string(),
            "failed".to_string()
        )]
    );
    assert!(
        release_secrets(&cluster.client, "openstack", "nova")
            .await
            .is_empty()
    );

    cluster.sim.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_is_one_event_per_line() {
    let cluster = start_cluster(Duration::from_millis(100), &[]).await;
    let ws = Workspace::new();
    let kubeconfig = cluster.kubeconfig.display().to_string();
    let stack = ws.stack().display().to_string();
    let out = capstan(args(&[
        "apply",
        "-f",
        &stack,
        "-e",
        "dev",
        "--kubeconfig",
        &kubeconfig,
        "-l",
        "tier=infra",
        "--output",
        "json",
    ]))
    .await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let finished: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"] == "finished").collect();
    let mut names: Vec<&str> = finished
        .iter()
        .map(|e| e["release"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["ingress", "mariadb", "memcached", "rabbitmq"]);
    assert!(
        finished
            .iter()
            .all(|e| e["result"] == "ok" && e["action"] == "install")
    );
    cluster.sim.shutdown().await.unwrap();
}
