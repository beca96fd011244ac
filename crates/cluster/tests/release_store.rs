//! Release records in kubesim: lifecycle through the store.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use capstan_cluster::release::{GoTime, Info, Release, ReleaseStatus, ReleaseStore, StoreError};
use common::start;
use k8s_openapi::api::core::v1::Secret;
use serde_json::json;

fn revision(version: i64, status: ReleaseStatus) -> Release {
    let now = GoTime::now();
    Release {
        name: "keystone".into(),
        info: Info {
            first_deployed: Some(now),
            last_deployed: Some(now),
            status,
            description: "Initial install underway".into(),
            ..Default::default()
        },
        chart: json!({"metadata": {"name": "keystone", "version": "0.3.1", "apiVersion": "v2"}}),
        config: json!({"replicas": version}),
        manifest: "---\n# Source: keystone/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n".into(),
        version,
        namespace: "openstack".into(),
        labels: BTreeMap::from([("stack".into(), "openstack".into())]),
        apply_method: "ssa".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn release_lifecycle_round_trip() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    c.ensure_namespace("other").await.unwrap();
    let store = ReleaseStore::new(c);

    assert!(
        store
            .latest("keystone", "openstack")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.next_version("keystone", "openstack").await.unwrap(),
        1
    );

    let mut v1 = revision(1, ReleaseStatus::PendingInstall);
    store.create(&v1).await.unwrap();
    assert!(matches!(
        store.create(&v1).await,
        Err(StoreError::Exists { version: 1, .. })
    ));
    store
        .mark_deployed(&mut v1, "Install complete")
        .await
        .unwrap();

    let mut v2 = revision(2, ReleaseStatus::PendingUpgrade);
    store.create(&v2).await.unwrap();
    store
        .mark_deployed(&mut v2, "Upgrade complete")
        .await
        .unwrap();

    let mut v3 = revision(3, ReleaseStatus::PendingUpgrade);
    store.create(&v3).await.unwrap();
    store
        .mark_failed(&mut v3, "Upgrade \"keystone\" failed: timed out")
        .await
        .unwrap();

    let history = store.history("keystone", "openstack").await.unwrap();
    let states: Vec<(i64, ReleaseStatus)> =
        history.iter().map(|r| (r.version, r.info.status)).collect();
    assert_eq!(
        states,
        [
            (1, ReleaseStatus::Superseded),
            (2, ReleaseStatus::Deployed),
            (3, ReleaseStatus::Failed)
        ]
    );
    assert_eq!(history[1], v2);
    assert_eq!(
        history[2].info.description,
        "Upgrade \"keystone\" failed: timed out"
    );
    assert_eq!(
        store
            .latest("keystone", "openstack")
            .await
            .unwrap()
            .unwrap()
            .version,
        3
    );
    assert_eq!(
        store
            .last_deployed("keystone", "openstack")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    assert_eq!(
        store
            .get("keystone", "openstack", 2)
            .await
            .unwrap()
            .unwrap(),
        v2
    );

    // Another release elsewhere; list returns the latest revision of each.
    let mut other = revision(1, ReleaseStatus::Deployed);
    other.name = "glance".into();
    other.namespace = "other".into();
    store.create(&other).await.unwrap();
    let listed: Vec<(String, String, i64)> = store
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.namespace, r.name, r.version))
        .collect();
    assert_eq!(
        listed,
        [
            ("openstack".into(), "keystone".into(), 3),
            ("other".into(), "glance".into(), 1)
        ]
    );
    assert_eq!(store.list(Some("other")).await.unwrap().len(), 1);

    // The Secret is laid out as Helm's driver lays it out.
    let secrets: kube::Api<Secret> = kube::Api::namespaced(c.client().clone(), "openstack");
    let s = secrets.get("sh.helm.release.v1.keystone.v3").await.unwrap();
    assert_eq!(s.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = s.metadata.labels.unwrap();
    assert_eq!(labels["name"], "keystone");
    assert_eq!(labels["owner"], "helm");
    assert_eq!(labels["status"], "failed");
    assert_eq!(labels["version"], "3");
    assert_eq!(labels["stack"], "openstack");
    assert!(labels.contains_key("modifiedAt"));

    // History pruning keeps the deployed revision.
    assert_eq!(
        store
            .prune_history("keystone", "openstack", 2)
            .await
            .unwrap(),
        1
    );
    let left: Vec<i64> = store
        .history("keystone", "openstack")
        .await
        .unwrap()
        .iter()
        .map(|r| r.version)
        .collect();
    assert_eq!(left, [2, 3]);

    assert_eq!(
        store.delete_history("keystone", "openstack").await.unwrap(),
        2
    );
    assert!(
        store
            .history("keystone", "openstack")
            .await
            .unwrap()
            .is_empty()
    );
    env.sim.shutdown().await.unwrap();
}
