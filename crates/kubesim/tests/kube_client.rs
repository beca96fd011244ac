//! Conformance with kube-rs 5: discovery (legacy and aggregated), server-side apply with
//! field manager `capstan` and force, readiness via watches, pods/events diagnostics,
//! Secrets with label selectors, dynamic objects and delete semantics.

mod common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Pod, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use serde_json::json;

async fn client(env: &common::Env) -> Client {
    let kc = Kubeconfig::read_from(&env.kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

fn deployment(name: &str, image: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/instance": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "main", "image": image,
                                                  "env": [{"name": "A", "value": "1"}]}]}}
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_legacy_and_aggregated() {
    let env = common::start(100, &[], None).await;
    let c = client(&env).await;
    let d = Discovery::new(c.clone()).run().await.unwrap();
    let (ar, caps) = d
        .resolve_gvk(&kube::api::GroupVersionKind::gvk(
            "apps",
            "v1",
            "Deployment",
        ))
        .unwrap();
    assert_eq!(ar.plural, "deployments");
    assert_eq!(caps.scope, Scope::Namespaced);
    assert!(
        caps.subresources
            .iter()
            .any(|(s, _)| s.plural == "deployments/status" || s.plural == "status"),
        "{:?}",
        caps.subresources
    );
    let (ns, caps) = d
        .resolve_gvk(&kube::api::GroupVersionKind::gvk("", "v1", "Namespace"))
        .unwrap();
    assert_eq!(ns.plural, "namespaces");
    assert_eq!(caps.scope, Scope::Cluster);
    let agg = Discovery::new(c.clone()).run_aggregated().await.unwrap();
    assert!(
        agg.resolve_gvk(&kube::api::GroupVersionKind::gvk("batch", "v1", "Job"))
            .is_some()
    );
    assert!(
        agg.resolve_gvk(&kube::api::GroupVersionKind::gvk("", "v1", "Secret"))
            .is_some()
    );
    assert!(
        agg.resolve_gvk(&kube::api::GroupVersionKind::gvk(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler"
        ))
        .is_some()
    );
    let v = c.apiserver_version().await.unwrap();
    assert_eq!(v.major, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_and_readiness() {
    let env = common::start(800, &[], None).await;
    let c = client(&env).await;
    let deploys: Api<Deployment> = Api::namespaced(c.clone(), "default");
    let pp = PatchParams::apply("capstan").force();
    let d = deploys
        .patch(
            "nova-api",
            &pp,
            &Patch::Apply(&deployment("nova-api", "nova:1")),
        )
        .await
        .unwrap();
    assert_eq!(d.metadata.generation, Some(1));
    let mf = d.metadata.managed_fields.clone().unwrap();
    assert_eq!(mf[0].manager.as_deref(), Some("capstan"));
    assert_eq!(mf[0].operation.as_deref(), Some("Apply"));

    // Same apply again: the spec and managedFields stay as they were.
    let again = deploys
        .patch(
            "nova-api",
            &pp,
            &Patch::Apply(&deployment("nova-api", "nova:1")),
        )
        .await
        .unwrap();
    assert_eq!(again.metadata.generation, Some(1));
    assert_eq!(again.metadata.managed_fields, d.metadata.managed_fields);

    let done = tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(
            deploys.clone(),
            "nova-api",
            conditions::is_deployment_completed(),
        ),
    )
    .await
    .expect("deployment completes")
    .unwrap()
    .unwrap();
    let st = done.status.unwrap();
    assert_eq!(
        (
            st.ready_replicas,
            st.available_replicas,
            st.observed_generation
        ),
        (Some(2), Some(2), Some(1))
    );

    // Drop the env var from the applied config: the field goes away (owned by capstan only).
    let mut v2 = deployment("nova-api", "nova:2");
    v2["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("env");
    let d2 = deploys
        .patch("nova-api", &pp, &Patch::Apply(&v2))
        .await
        .unwrap();
    let c0 = &d2
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0];
    assert!(c0.env.is_none(), "{:?}", c0.env);
    assert_eq!(c0.image.as_deref(), Some("nova:2"));
    assert_eq!(d2.metadata.generation, Some(2));

    // A different manager without force conflicts on the image.
    let err = deploys
        .patch(
            "nova-api",
            &PatchParams::apply("other"),
            &Patch::Apply(&deployment("nova-api", "nova:3")),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (409, "Conflict")),
        other => panic!("expected a conflict, got {other:?}"),
    }

    // Pods: owned, labelled from the template, Ready after the delay.
    tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(
            deploys.clone(),
            "nova-api",
            conditions::is_deployment_completed(),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let pods: Api<Pod> = Api::namespaced(c.clone(), "default");
    let list = pods
        .list(&ListParams::default().labels("app=nova-api"))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);
    for p in &list.items {
        assert!(p.name_any().starts_with("nova-api-"));
        let ready = p
            .status
            .as_ref()
            .unwrap()
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        assert!(ready);
        assert_eq!(p.owner_references()[0].kind, "ReplicaSet");
    }

    // StatefulSet and Job readiness through their conditions.
    let sts: Api<StatefulSet> = Api::namespaced(c.clone(), "default");
    let s = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "mariadb"},
        "spec": {"serviceName": "mariadb", "replicas": 1, "selector": {"matchLabels": {"app": "mariadb"}},
                 "template": {"metadata": {"labels": {"app": "mariadb"}}, "spec": {"containers": [{"name": "db", "image": "mariadb"}]}}}});
    sts.patch("mariadb", &pp, &Patch::Apply(&s)).await.unwrap();
    let jobs: Api<Job> = Api::namespaced(c.clone(), "default");
    let j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "db-sync"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}});
    jobs.patch("db-sync", &pp, &Patch::Apply(&j)).await.unwrap();
    tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(jobs.clone(), "db-sync", conditions::is_job_completed()),
    )
    .await
    .unwrap()
    .unwrap();
    let ready = tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(sts.clone(), "mariadb", |o: Option<&StatefulSet>| {
            o.and_then(|s| s.status.as_ref())
                .and_then(|s| s.ready_replicas)
                == Some(1)
        }),
    )
    .await;
    assert!(ready.is_ok());

    // Delete: a Status for deployments, the object for pods.
    let del = deploys
        .delete("nova-api", &DeleteParams::background())
        .await
        .unwrap();
    assert!(del.is_right());
    assert!(
        pods.list(&ListParams::default().labels("app=nova-api"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let sp = pods
        .list(&ListParams::default().labels("app=mariadb"))
        .await
        .unwrap();
    let pod_del = pods
        .delete(&sp.items[0].name_any(), &DeleteParams::default())
        .await
        .unwrap();
    assert!(pod_del.is_left());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_streams_changes() {
    let env = common::start(300, &[], None).await;
    let c = client(&env).await;
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    let stream =
        watcher(cms.clone(), watcher::Config::default().labels("team=a")).applied_objects();
    let mut stream = Box::pin(stream);
    let pp = PatchParams::apply("capstan").force();
    for (name, team) in [("one", "a"), ("two", "b"), ("three", "a")] {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"team": team}}, "data": {"k": name}});
        cms.patch(name, &pp, &Patch::Apply(&cm)).await.unwrap();
    }
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let cm = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if !seen.contains(&cm.name_any()) {
            seen.push(cm.name_any());
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["one", "three"]);
    // A modification shows up on the same stream.
    cms.patch(
        "one",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "changed"}})),
    )
    .await
    .unwrap();
    loop {
        let cm = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if cm
            .data
            .as_ref()
            .and_then(|d| d.get("k"))
            .map(String::as_str)
            == Some("changed")
        {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_events_namespaces_and_dynamic() {
    let env = common::start(
        200,
        &["deployment/default/broken=fault:ImagePullBackOff"],
        None,
    )
    .await;
    let c = client(&env).await;
    // Namespaces must exist for namespaced objects.
    let secrets_x: Api<Secret> = Api::namespaced(c.clone(), "openstack");
    let s = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some("s".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match secrets_x
        .create(&PostParams::default(), &s)
        .await
        .unwrap_err()
    {
        kube::Error::Api(e) => assert_eq!((e.code, e.reason.as_str()), (404, "NotFound")),
        other => panic!("{other:?}"),
    }
    let nss: Api<Namespace> = Api::all(c.clone());
    nss.patch(
        "openstack",
        &PatchParams::apply("capstan").force(),
        &Patch::Apply(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "openstack"}}),
        ),
    )
    .await
    .unwrap();

    // Helm-style release records: create, list by label selector, patch labels.
    for v in 1..=3 {
        let rec = json!({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": format!("sh.helm.release.v1.keystone.v{v}"),
                         "labels": {"name": "keystone", "owner": "helm", "status": if v == 3 { "deployed" } else { "superseded" }, "version": v.to_string()}},
            "data": {"release": "H4sIAAAAAAAA/w=="}});
        secrets_x
            .create(
                &PostParams::default(),
                &serde_json::from_value(rec).unwrap(),
            )
            .await
            .unwrap();
    }
    let dup = secrets_x
        .create(
            &PostParams::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": "sh.helm.release.v1.keystone.v1"}}),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(dup, kube::Error::Api(ref e) if e.reason == "AlreadyExists"),
        "{dup:?}"
    );
    let hist = secrets_x
        .list(&ListParams::default().labels("name=keystone,owner=helm"))
        .await
        .unwrap();
    assert_eq!(hist.items.len(), 3);
    let deployed = secrets_x
        .list(&ListParams::default().labels("name=keystone,owner=helm,status=deployed"))
        .await
        .unwrap();
    assert_eq!(deployed.items.len(), 1);
    let set = secrets_x
        .list(&ListParams::default().labels("status in (superseded),version notin (1)"))
        .await
        .unwrap();
    assert_eq!(set.items.len(), 1);
    secrets_x
        .patch(
            "sh.helm.release.v1.keystone.v3",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"status": "superseded"}}})),
        )
        .await
        .unwrap();
    assert!(
        secrets_x
            .list(&ListParams::default().labels("status=deployed"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Optimistic concurrency: replacing with a stale resourceVersion is a 409 Conflict.
    let mut stale = secrets_x
        .get("sh.helm.release.v1.keystone.v1")
        .await
        .unwrap();
    stale.metadata.resource_version = Some("1".into());
    match secrets_x
        .replace(
            "sh.helm.release.v1.keystone.v1",
            &PostParams::default(),
            &stale,
        )
        .await
        .unwrap_err()
    {
        kube::Error::Api(e) => assert_eq!((e.code, e.reason.as_str()), (409, "Conflict")),
        other => panic!("{other:?}"),
    }

    // Diagnostics: a broken deployment's pods and their Warning events.
    let deploys: Api<Deployment> = Api::namespaced(c.clone(), "default");
    deploys
        .patch(
            "broken",
            &PatchParams::apply("capstan").force(),
            &Patch::Apply(deployment("broken", "nope:1")),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(900)).await;
    let pods: Api<Pod> = Api::namespaced(c.clone(), "default");
    let ps = pods
        .list(&ListParams::default().labels("app=broken"))
        .await
        .unwrap();
    assert_eq!(ps.items.len(), 2);
    let waiting = ps.items[0]
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .state
        .as_ref()
        .unwrap()
        .waiting
        .clone()
        .unwrap();
    assert_eq!(waiting.reason.as_deref(), Some("ImagePullBackOff"));
    let events: Api<Event> = Api::namespaced(c.clone(), "default");
    let evs = events
        .list(&ListParams::default().fields(&format!(
            "involvedObject.name={},type=Warning",
            ps.items[0].name_any()
        )))
        .await
        .unwrap();
    assert!(
        evs.items
            .iter()
            .any(|e| e.reason.as_deref() == Some("Failed")),
        "{:?}",
        evs.items
    );
    let d = deploys.get("broken").await.unwrap();
    let st = d.status.unwrap();
    assert_eq!(st.observed_generation, Some(1));
    assert_eq!(st.ready_replicas, None);
    assert_eq!(st.unavailable_replicas, Some(2));

    // Dynamic objects through discovery, as the cluster code applies rendered manifests.
    let discovery = Discovery::new(c.clone()).run().await.unwrap();
    let gvk = kube::api::GroupVersionKind::gvk("networking.k8s.io", "v1", "NetworkPolicy");
    let (ar, _) = discovery.resolve_gvk(&gvk).unwrap();
    let api: Api<DynamicObject> = Api::namespaced_with(c.clone(), "openstack", &ar);
    let np: DynamicObject = serde_json::from_value(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "deny"}, "spec": {"podSelector": {}}}),
    )
    .unwrap();
    let out = api
        .patch(
            "deny",
            &PatchParams::apply("capstan").force(),
            &Patch::Apply(&np),
        )
        .await
        .unwrap();
    assert_eq!(out.metadata.namespace.as_deref(), Some("openstack"));
    // Deleting the namespace deletes its contents.
    nss.delete("openstack", &DeleteParams::default())
        .await
        .unwrap();
    assert!(api.get_opt("deny").await.unwrap().is_none());
    assert!(
        secrets_x
            .list(&ListParams::default())
            .await
            .is_ok_and(|l| l.items.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_events_through_event_stream() {
    let env = common::start(300, &[], None).await;
    let c = client(&env).await;
    let deploys: Api<Deployment> = Api::namespaced(c.clone(), "default");
    let mut events = Box::pin(
        watcher(
            deploys.clone(),
            watcher::Config::default().fields("metadata.name=keystone"),
        )
        .default_backoff(),
    );
    deploys
        .patch(
            "keystone",
            &PatchParams::apply("capstan").force(),
            &Patch::Apply(deployment("keystone", "keystone:1")),
        )
        .await
        .unwrap();
    let mut saw_ready = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, events.next()).await {
        if let Ok(watcher::Event::Apply(d)) = ev
            && d.status.as_ref().and_then(|s| s.available_replicas) == Some(2)
        {
            saw_ready = true;
            break;
        }
    }
    assert!(saw_ready);
}
