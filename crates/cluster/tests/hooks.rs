//! Helm hooks against kubesim.

mod common;

use std::time::Duration;

use capstan_cluster::hooks::{HookFailure, hook_from_object};
use capstan_cluster::release::Hook;
use capstan_cluster::wait::WaitError;
use capstan_cluster::{ObjectRef, parse_manifest};
use common::start;

fn hook(manifest: &str) -> Hook {
    let objects = parse_manifest(manifest).unwrap();
    hook_from_object(&objects[0], manifest).expect("a hook")
}

const DB_INIT: &str = r#"# Source: keystone/templates/job-db-init.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: keystone-db-init
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: init, image: "keystone:1"}]
"#;

const BOOTSTRAP: &str = r#"# Source: keystone/templates/cm-bootstrap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: keystone-bootstrap
  annotations:
    helm.sh/hook: pre-install
data: {a: b}
"#;

const FAILING: &str = r#"# Source: keystone/templates/job-fail.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: keystone-broken
  annotations:
    helm.sh/hook: post-install
    helm.sh/hook-delete-policy: hook-failed
    kubesim.capstan.dev/fault: JobFails
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: broken, image: "keystone:1"}]
"#;

#[tokio::test]
async fn hooks_run_in_order_and_are_deleted_by_policy() {
    let env = start(Duration::from_millis(200), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let mut hooks = vec![hook(BOOTSTRAP), hook(DB_INIT), hook(FAILING)];
    c.run_hooks(
        &mut hooks,
        "pre-install",
        "openstack",
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    for h in &hooks[..2] {
        assert_eq!(h.last_run.phase, "Succeeded", "{h:?}");
        assert!(h.last_run.started_at.is_some() && h.last_run.completed_at.is_some());
    }
    assert_eq!(hooks[2].last_run.phase, "", "post-install hook did not run");
    // The Job was deleted (hook-succeeded); the ConfigMap has the default policy
    // (before-hook-creation) and stays.
    let job = ObjectRef::new("batch/v1", "Job", Some("openstack"), "keystone-db-init");
    assert!(c.get_object(&job).await.unwrap().is_none());
    let cm = ObjectRef::new("v1", "ConfigMap", Some("openstack"), "keystone-bootstrap");
    assert!(c.get_object(&cm).await.unwrap().is_some());
    assert_eq!(hooks[0].delete_policies, ["before-hook-creation"]);

    // Running the event again recreates the ConfigMap (before-hook-creation) fine.
    c.run_hooks(
        &mut hooks,
        "pre-install",
        "openstack",
        Duration::from_secs(30),
    )
    .await
    .unwrap();

    let err = c
        .run_hooks(
            &mut hooks,
            "post-install",
            "openstack",
            Duration::from_secs(30),
        )
        .await
        .unwrap_err();
    println!("{err}");
    assert_eq!(hooks[2].last_run.phase, "Failed");
    assert!(
        err.to_string().starts_with(
            "post-install hook keystone/templates/job-fail.yaml (Job/keystone-broken) failed: "
        ),
        "{err}"
    );
    assert!(
        matches!(err.cause, HookFailure::Wait(WaitError::NotReady(_))),
        "{err}"
    );
    assert!(err.to_string().contains("BackoffLimitExceeded"), "{err}");
    let broken = ObjectRef::new("batch/v1", "Job", Some("openstack"), "keystone-broken");
    assert!(
        c.get_object(&broken).await.unwrap().is_none(),
        "hook-failed policy deletes it"
    );
    env.sim.shutdown().await.unwrap();
}
