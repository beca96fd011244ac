//! Apply, wait, diagnose and prune against kubesim.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use capstan_cluster::wait::{WaitError, WaitOptions};
use capstan_cluster::{ClusterError, ObjectRef};
use common::{objects, start};

const STACK: &str = r#"---
# Source: db/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: db-config
data:
  my.cnf: "[mysqld]"
---
# Source: db/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: mariadb
spec:
  selector: {app: mariadb}
  ports: [{port: 3306}]
---
# Source: db/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "keystone:1"}]
---
# Source: db/templates/statefulset.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mariadb
spec:
  replicas: 1
  serviceName: mariadb
  selector: {matchLabels: {app: mariadb}}
  template:
    metadata: {labels: {app: mariadb}}
    spec:
      containers: [{name: mariadb, image: "mariadb:11"}]
---
# Source: db/templates/pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: backups
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
# Source: db/templates/lb.yaml
apiVersion: v1
kind: Service
metadata:
  name: public
spec:
  type: LoadBalancer
  selector: {app: api}
  ports: [{port: 443}]
---
# Source: db/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "agent:1"}]
---
# Source: db/templates/job.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: db-sync
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: sync, image: "keystone:1"}]
"#;

#[tokio::test]
async fn apply_then_wait_until_ready() {
    let env = start(Duration::from_millis(300), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    c.ensure_namespace("openstack").await.unwrap(); // idempotent
    let applied = c
        .apply_objects(&objects(STACK), "openstack", "capstan", false)
        .await
        .unwrap();
    let names: Vec<String> = applied.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "ConfigMap/openstack/db-config",
            "Service/openstack/mariadb",
            "Deployment/openstack/api",
            "StatefulSet/openstack/mariadb",
            "PersistentVolumeClaim/openstack/backups",
            "Service/openstack/public",
            "DaemonSet/openstack/agent",
            "Job/openstack/db-sync"
        ]
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let started = std::time::Instant::now();
    c.wait_ready(&applied, Duration::from_secs(30), move |p| {
        log.lock().unwrap().push(p.to_string())
    })
    .await
    .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(
        seen[0].starts_with("waiting for Deployment/openstack/api: "),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|s| s.contains("StatefulSet/openstack/mariadb")
                || s.contains("Job/openstack/db-sync")),
        "{seen:?}"
    );
    // Ready well before the timeout, by watch events (not a poll interval).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // Re-applying the same objects is a no-op that succeeds.
    c.apply_objects(&objects(STACK), "openstack", "capstan", false)
        .await
        .unwrap();
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn crashing_workload_fails_fast_with_a_diagnosis() {
    let env = start(Duration::from_millis(200), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let manifest = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nova-api
  annotations: {kubesim.capstan.dev/fault: CrashLoopBackOff}
spec:
  replicas: 1
  selector: {matchLabels: {app: nova}}
  template:
    metadata: {labels: {app: nova}}
    spec:
      containers: [{name: nova, image: "nova:1"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: fine}
"#;
    let applied = c
        .apply_objects(&objects(manifest), "openstack", "capstan", false)
        .await
        .unwrap();
    let options = WaitOptions {
        timeout: Duration::from_secs(30),
        stuck_grace: Some(Duration::from_secs(2)),
        hooks: false,
    };
    let started = std::time::Instant::now();
    let err = c.wait_with(&applied, &options, |_| {}).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "failed fast: {:?}",
        started.elapsed()
    );
    let WaitError::NotReady(report) = &err else {
        panic!("{err}")
    };
    assert!(!report.timed_out);
    assert_eq!(report.objects.len(), 1, "{err}");
    let d = &report.objects[0];
    assert!(d.failed);
    assert_eq!(
        d.object,
        ObjectRef::new("apps/v1", "Deployment", Some("openstack"), "nova-api")
    );
    assert!(!d.pods.is_empty(), "{err}");
    let text = err.to_string();
    println!("{text}");
    assert!(text.contains("1 of 2 objects failed"), "{text}");
    assert!(
        text.contains("Deployment/openstack/nova-api (FAILED)"),
        "{text}"
    );
    assert!(text.contains("CrashLoopBackOff"), "{text}");
    assert!(text.contains("last terminated:"), "{text}");
    assert!(text.contains("event Warning BackOff"), "{text}");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn failing_job_fails_and_never_ready_times_out() {
    let env = start(Duration::from_millis(200), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let job = r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: db-init
  annotations: {kubesim.capstan.dev/fault: JobFails}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: init, image: "keystone:1"}]
"#;
    let applied = c
        .apply_objects(&objects(job), "openstack", "capstan", false)
        .await
        .unwrap();
    let err = c
        .wait_ready(&applied, Duration::from_secs(30), |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    println!("{text}");
    assert!(
        text.contains("Job/openstack/db-init (FAILED): job failed: BackoffLimitExceeded"),
        "{text}"
    );

    let never = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: rabbitmq
  annotations: {kubesim.capstan.dev/fault: NeverReady}
spec:
  replicas: 1
  serviceName: rabbitmq
  selector: {matchLabels: {app: rabbitmq}}
  template:
    metadata: {labels: {app: rabbitmq}}
    spec:
      containers: [{name: rabbitmq, image: "rabbitmq:3"}]
"#;
    let applied = c
        .apply_objects(&objects(never), "openstack", "capstan", false)
        .await
        .unwrap();
    let err = c
        .wait_ready(&applied, Duration::from_secs(2), |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    println!("{text}");
    assert!(text.starts_with("timed out after 2"), "{text}");
    assert!(
        text.contains("StatefulSet/openstack/rabbitmq (not ready): 0/1 ready"),
        "{text}"
    );
    assert!(text.contains("pod rabbitmq-0"), "{text}");
    assert!(text.contains("Readiness probe failed"), "{text}");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn prune_deletes_what_disappeared() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let v1 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: keep-me, annotations: {helm.sh/resource-policy: keep}}\n";
    let v2 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    c.apply_objects(&objects(v1), "openstack", "capstan", false)
        .await
        .unwrap();
    let current = c
        .apply_objects(&objects(v2), "openstack", "capstan", false)
        .await
        .unwrap();
    let previous = capstan_cluster::objects_in_manifest(v1).unwrap();
    let deleted = c.prune(&previous, &current, "openstack").await.unwrap();
    let names: Vec<String> = deleted.iter().map(ToString::to_string).collect();
    // Helm's uninstall order: Services before ConfigMaps.
    assert_eq!(names, ["Service/openstack/s", "ConfigMap/openstack/b"]);
    let b = ObjectRef::new("v1", "ConfigMap", Some("openstack"), "b");
    assert!(c.get_object(&b).await.unwrap().is_none());
    let a = ObjectRef::new("v1", "ConfigMap", Some("openstack"), "a");
    assert!(c.get_object(&a).await.unwrap().is_some());
    // Deleting again is fine.
    assert!(
        c.delete_objects(&[b], "openstack")
            .await
            .unwrap()
            .is_empty()
    );
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn crd_applied_in_the_same_run_is_discovered() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let widget = "apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n";
    let err = c
        .apply_objects(&objects(widget), "openstack", "capstan", false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the server has no kind Widget in example.org/v1 (is its CustomResourceDefinition installed?)"), "{err}");
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.org}
spec:
  group: example.org
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;
    let applied = c
        .apply_objects(&objects(crd), "openstack", "capstan", false)
        .await
        .unwrap();
    assert_eq!(applied[0].namespace, None, "CRDs are cluster-scoped");
    c.wait_ready(&applied, Duration::from_secs(10), |_| {})
        .await
        .unwrap();
    let applied = c
        .apply_objects(&objects(widget), "openstack", "capstan", false)
        .await
        .unwrap();
    assert_eq!(applied[0].to_string(), "Widget/openstack/w");
    c.wait_ready(&applied, Duration::from_secs(10), |_| {})
        .await
        .unwrap();
    // A second kind in the same, already cached, group/version: the cache is refreshed.
    let gadget_crd = crd
        .replace("widgets", "gadgets")
        .replace("widget", "gadget")
        .replace("Widget", "Gadget");
    c.apply_objects(&objects(&gadget_crd), "openstack", "capstan", false)
        .await
        .unwrap();
    let gadget = "apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: g}\n";
    let applied = c
        .apply_objects(&objects(gadget), "openstack", "capstan", false)
        .await
        .unwrap();
    assert_eq!(applied[0].to_string(), "Gadget/openstack/g");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn apply_errors_name_the_object_and_reason() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {k: one}\n";
    c.apply_objects(&objects(cm), "openstack", "capstan", false)
        .await
        .unwrap();
    // Another manager owning a field with another value conflicts; force takes it over.
    let other = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {k: two}\n";
    let err = c
        .apply_objects(&objects(other), "openstack", "someone-else", false)
        .await
        .unwrap_err();
    let ClusterError::Object {
        action,
        object,
        failure,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        (*action, object.to_string().as_str(), failure.code),
        ("apply", "ConfigMap/openstack/owned", 409)
    );
    assert!(
        err.to_string()
            .starts_with("apply ConfigMap/openstack/owned: 409 Conflict: "),
        "{err}"
    );
    c.apply_objects(&objects(other), "openstack", "someone-else", true)
        .await
        .unwrap();
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn survives_api_errors_and_dropped_watches() {
    let env = start(
        Duration::from_millis(2500),
        &[
            "configmaps=error:500,count=2",
            "deployments=error:503,count=2",
            "deployments=drop-watch=700ms",
        ],
    )
    .await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let manifest = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: flaky}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: glance}
spec:
  replicas: 1
  selector: {matchLabels: {app: glance}}
  template:
    metadata: {labels: {app: glance}}
    spec:
      containers: [{name: glance, image: "glance:1"}]
"#;
    let applied = c
        .apply_objects(&objects(manifest), "openstack", "capstan", false)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    c.wait_ready(&applied, Duration::from_secs(30), |_| {})
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn many_objects_wait_on_watches() {
    let env = start(Duration::from_millis(500), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let mut manifest = String::new();
    for i in 0..30 {
        manifest.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: svc-{i}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: svc-{i}}}}}\n  template:\n    metadata: {{labels: {{app: svc-{i}}}}}\n    spec:\n      containers: [{{name: c, image: \"img:1\"}}]\n"
        ));
    }
    let t0 = std::time::Instant::now();
    let applied = c
        .apply_objects(&objects(&manifest), "openstack", "capstan", false)
        .await
        .unwrap();
    let applied_in = t0.elapsed();
    let t1 = std::time::Instant::now();
    c.wait_ready(&applied, Duration::from_secs(60), |_| {})
        .await
        .unwrap();
    let waited = t1.elapsed();
    println!("applied 60 objects in {applied_in:?}, all ready after {waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn connect_picks_a_kubeconfig_context() {
    let env = start(Duration::from_millis(100), &[]).await;
    let path = env.kubeconfig.with_file_name("two-contexts");
    // A second context `other` (the current one) with another namespace.
    let yaml = env
        .sim
        .kubeconfig_yaml("sim")
        .replace("current-context: \"sim\"", "current-context: \"other\"");
    let yaml = yaml.replace(
        "contexts:\n",
        "contexts:\n- name: other\n  context:\n    cluster: \"sim\"\n    user: \"sim\"\n    namespace: elsewhere\n",
    );
    std::fs::write(&path, yaml).unwrap();
    let c = capstan_cluster::Cluster::connect(Some(&path), Some("sim"))
        .await
        .unwrap();
    assert_eq!(c.default_namespace(), "default");
    c.ensure_namespace("x").await.unwrap();
    let d = capstan_cluster::Cluster::connect(Some(&path), None)
        .await
        .unwrap();
    assert_eq!(d.default_namespace(), "elsewhere");
    let err = capstan_cluster::Cluster::connect(Some(&path), Some("missing"))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("kubeconfig: "), "{err}");
    env.sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn pod_stuck_pulling_its_image_fails_after_the_grace() {
    let env = start(Duration::from_millis(100), &[]).await;
    let c = &env.cluster;
    c.ensure_namespace("openstack").await.unwrap();
    let pod = r#"
apiVersion: v1
kind: Pod
metadata:
  name: tempest
  annotations: {kubesim.capstan.dev/fault: ImagePullBackOff}
spec:
  containers: [{name: tempest, image: "registry.example/tempest:404"}]
"#;
    let applied = c
        .apply_objects(&objects(pod), "openstack", "capstan", false)
        .await
        .unwrap();
    let options = WaitOptions {
        timeout: Duration::from_secs(30),
        stuck_grace: Some(Duration::from_secs(1)),
        hooks: false,
    };
    let err = c.wait_with(&applied, &options, |_| {}).await.unwrap_err();
    let text = err.to_string();
    println!("{text}");
    assert!(
        text.contains("Pod/openstack/tempest (FAILED): container tempest: ImagePullBackOff for 1"),
        "{text}"
    );
    assert!(text.contains("Failed to pull image"), "{text}");
    env.sim.shutdown().await.unwrap();
}
