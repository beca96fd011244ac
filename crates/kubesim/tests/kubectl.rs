//! Conformance with the real kubectl (/usr/bin/kubectl): discovery, server-side apply,
//! readiness waits, rollout status, delete and garbage collection, label selectors,
//! watch, faults and events, persistence.

mod common;

use std::time::Duration;

use common::{kubectl_available, start};

const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: mariadb
        image: mariadb:11
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: m
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
  labels: {owner: capstan}
stringData: {password: hunter2}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_apply_wait_rollout_delete() {
    if !kubectl_available() {
        return;
    }
    let env = start(2500, &[], None).await;
    let ns = env.k(&["get", "ns"]).await;
    assert!(ns.contains("default") && ns.contains("kube-system"), "{ns}");
    let file = env.dir.path().join("app.yaml");
    std::fs::write(&file, APP).unwrap();
    let applied = env
        .k(&["apply", "--server-side", "-f", file.to_str().unwrap()])
        .await;
    for what in [
        "deployment.apps/web",
        "statefulset.apps/db",
        "job.batch/migrate",
        "service/web",
        "configmap/cfg",
        "secret/sec",
    ] {
        assert!(
            applied.contains(&format!("{what} serverside-applied")),
            "{applied}"
        );
    }
    // Before the delay: observed but not ready.
    let early = env
        .k(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.status.observedGeneration}/{.status.replicas}/{.status.readyReplicas}",
        ])
        .await;
    assert_eq!(early, "1/2/", "status before the delay");
    let cluster_ip = env
        .k(&["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"])
        .await;
    assert!(cluster_ip.starts_with("10.96."), "{cluster_ip}");

    env.k(&[
        "wait",
        "--for=condition=Available",
        "deploy/web",
        "--timeout=20s",
    ])
    .await;
    let rollout = env
        .k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    let sts = env
        .k(&["rollout", "status", "sts/db", "--timeout=20s"])
        .await;
    assert!(sts.contains("roll out complete"), "{sts}");
    env.k(&[
        "wait",
        "--for=condition=complete",
        "job/migrate",
        "--timeout=20s",
    ])
    .await;

    let yaml = env.k(&["get", "deploy", "web", "-o", "yaml"]).await;
    assert!(
        yaml.contains("readyReplicas: 2") && yaml.contains("NewReplicaSetAvailable"),
        "{yaml}"
    );
    let pods = env.k(&["get", "pods", "-l", "app=web", "-o", "name"]).await;
    assert_eq!(pods.lines().count(), 2, "{pods}");
    let pods = env
        .k(&["get", "pods", "-l", "app in (web,db)", "--no-headers"])
        .await;
    assert_eq!(
        pods.lines().filter(|l| l.contains("Running")).count(),
        4,
        "{pods}"
    );
    let pvcs = env.k(&["get", "pvc", "--no-headers"]).await;
    assert_eq!(
        pvcs.lines().filter(|l| l.contains("Bound")).count(),
        2,
        "{pvcs}"
    );
    let lb = env
        .k(&[
            "get",
            "svc",
            "web",
            "-o",
            "jsonpath={.status.loadBalancer.ingress[0].ip}",
        ])
        .await;
    assert_eq!(lb, "127.0.0.1");
    let secret = env
        .k(&[
            "get",
            "secret",
            "-l",
            "owner=capstan",
            "-o",
            "jsonpath={.items[0].data.password}",
        ])
        .await;
    assert_eq!(secret, "aHVudGVyMg==");

    // Re-applying the same file is a no-op: resourceVersion unchanged.
    let rv1 = env
        .k(&[
            "get",
            "cm",
            "cfg",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
        .await;
    env.k(&["apply", "--server-side", "-f", file.to_str().unwrap()])
        .await;
    let rv2 = env
        .k(&[
            "get",
            "cm",
            "cfg",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
        .await;
    assert_eq!(rv1, rv2);

    // A new spec restarts the rollout; generation bumps.
    env.k(&["set", "image", "deploy/web", "nginx=nginx:1.28"])
        .await;
    let generation = env
        .k(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.metadata.generation}",
        ])
        .await;
    assert_eq!(generation, "2");
    let rollout = env
        .k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    let images = env
        .k(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ])
        .await;
    assert_eq!(images, "nginx:1.28 nginx:1.28");
    // Rollout history and undo through the retained ReplicaSets.
    let history = env.k(&["rollout", "history", "deploy/web"]).await;
    assert!(history.contains('1') && history.contains('2'), "{history}");
    env.k(&["rollout", "undo", "deploy/web"]).await;
    env.k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    let images = env
        .k(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ])
        .await;
    assert_eq!(images, "nginx:1.27 nginx:1.27");
    env.k(&["set", "image", "deploy/web", "nginx=nginx:1.28"])
        .await;
    env.k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    env.k(&["scale", "deploy/web", "--replicas=3"]).await;
    env.k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    assert_eq!(
        env.k(&["get", "pods", "-l", "app=web", "-o", "name"])
            .await
            .lines()
            .count(),
        3
    );

    // Delete: the deployment's ReplicaSet and pods go with it.
    env.k(&["delete", "deploy", "web"]).await;
    let left = env
        .k(&["get", "pods,rs", "-l", "app=web", "-o", "name"])
        .await;
    assert!(left.trim().is_empty(), "{left}");
    let missing = env.kubectl(&["get", "deploy", "web"]).await;
    assert!(
        !missing.ok && missing.stderr.contains("NotFound"),
        "{}",
        missing.stderr
    );

    // Namespaces: create, fill (typed protobuf clients too), delete with contents.
    env.k(&["create", "ns", "tmp"]).await;
    env.k(&[
        "-n",
        "tmp",
        "create",
        "configmap",
        "x",
        "--from-literal=a=b",
    ])
    .await;
    env.k(&[
        "-n",
        "tmp",
        "create",
        "secret",
        "generic",
        "s",
        "--from-literal=a=b",
    ])
    .await;
    env.k(&[
        "-n",
        "tmp",
        "apply",
        "--server-side",
        "-f",
        file.to_str().unwrap(),
    ])
    .await;
    env.k(&["delete", "ns", "tmp"]).await;
    let gone = env.kubectl(&["-n", "tmp", "get", "cm", "x"]).await;
    assert!(!gone.ok);
    let err = env
        .kubectl(&["-n", "nowhere", "create", "configmap", "x"])
        .await;
    assert!(
        !err.ok && err.stderr.contains("not found"),
        "{}",
        err.stderr
    );

    // Client-side apply (strategic merge patch with last-applied annotation) also works.
    env.k(&["apply", "-f", file.to_str().unwrap()]).await;
    env.k(&["apply", "-f", file.to_str().unwrap()]).await;
    env.sim.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_watch_sees_rollout() {
    if !kubectl_available() {
        return;
    }
    let env = start(2000, &[], None).await;
    let mut watch = tokio::process::Command::new(common::KUBECTL)
        .args(["get", "deploy", "-w", "--no-headers"])
        .env("KUBECONFIG", &env.kubeconfig)
        .env("HOME", env.dir.path())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    env.kubectl_stdin(
        &["apply", "--server-side", "-f", "-"],
        Some(APP.split("---").next().unwrap()),
    )
    .await;
    env.k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    watch.start_kill().unwrap();
    let out = watch.wait_with_output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("watch output:\n{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("web") && l.contains("0/2")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("web") && l.contains("2/2")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_crashloop_faults_and_events() {
    if !kubectl_available() {
        return;
    }
    let env = start(
        300,
        &[
            "deployment/default/nova-*=fault:CrashLoopBackOff",
            "app=glance:fault=ImagePullBackOff",
            "job/*=fault:JobFails",
        ],
        None,
    )
    .await;
    let manifests = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: nova-api}
spec:
  selector: {matchLabels: {app: nova}}
  template:
    metadata: {labels: {app: nova}}
    spec: {containers: [{name: api, image: nova:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: glance}
spec:
  selector: {matchLabels: {app: glance}}
  template:
    metadata: {labels: {app: glance}}
    spec: {containers: [{name: api, image: glance:404}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: annotated
  annotations: {kubesim.capstan.dev/fault: NeverReady}
spec:
  selector: {matchLabels: {app: annotated}}
  template:
    metadata: {labels: {app: annotated}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nova-conductor}
spec:
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: conductor}}
  template:
    metadata: {labels: {app: conductor}}
    spec: {containers: [{name: c, image: nova:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: db-sync}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
"#;
    env.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(manifests))
        .await;
    tokio::time::sleep(Duration::from_millis(3900)).await;
    let pods = env.k(&["get", "pods", "--no-headers"]).await;
    let nova = pods.lines().find(|l| l.starts_with("nova-api-")).unwrap();
    assert!(nova.contains("CrashLoopBackOff"), "{pods}");
    let restarts: i64 = nova.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(restarts >= 2, "restartCount should climb: {nova}");
    assert!(
        pods.lines()
            .any(|l| l.starts_with("glance-") && l.contains("ImagePullBackOff")),
        "{pods}"
    );
    assert!(
        pods.lines()
            .any(|l| l.starts_with("annotated-") && l.contains("0/1") && l.contains("Running")),
        "{pods}"
    );
    let last = env
        .k(&[
            "get",
            "pods",
            "-l",
            "app=nova",
            "-o",
            "jsonpath={.items[0].status.containerStatuses[0].lastState.terminated.exitCode}",
        ])
        .await;
    assert_eq!(last, "1");

    let events = env
        .k(&["get", "events", "--field-selector", "type=Warning"])
        .await;
    assert!(
        events.contains("BackOff") && events.contains("Back-off restarting failed container api"),
        "{events}"
    );
    assert!(
        events.contains("Failed to pull image \"glance:404\""),
        "{events}"
    );
    assert!(events.contains("BackoffLimitExceeded"), "{events}");
    let pod_name = env
        .k(&[
            "get",
            "pods",
            "-l",
            "app=nova",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await;
    let for_pod = env
        .k(&[
            "get",
            "events",
            "--field-selector",
            &format!("involvedObject.name={pod_name}"),
            "-o",
            "name",
        ])
        .await;
    assert_eq!(for_pod.lines().count(), 1, "{for_pod}");

    let wait = env
        .kubectl(&[
            "wait",
            "--for=condition=Available",
            "deploy/nova-api",
            "--timeout=2s",
        ])
        .await;
    assert!(
        !wait.ok,
        "a crash-looping deployment must not become available"
    );
    env.k(&[
        "wait",
        "--for=condition=failed",
        "job/db-sync",
        "--timeout=10s",
    ])
    .await;
    let reason = env
        .k(&[
            "get",
            "job",
            "db-sync",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}",
        ])
        .await;
    assert_eq!(reason, "BackoffLimitExceeded");
    // Past its progress deadline a faulted rollout reports ProgressDeadlineExceeded.
    let rollout = env
        .kubectl(&[
            "rollout",
            "status",
            "deploy/nova-conductor",
            "--timeout=10s",
        ])
        .await;
    assert!(
        !rollout.ok && rollout.stderr.contains("exceeded its progress deadline"),
        "{}",
        rollout.stderr
    );
    let logs = env.k(&["logs", "deploy/nova-api"]).await;
    assert!(logs.contains("crashed"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_file_persists_between_processes() {
    if !kubectl_available() {
        return;
    }
    let dir = common::TempDir::new("state");
    let state = dir.path().join("state.json");
    let env = start(200, &[], Some(state.clone())).await;
    env.k(&["create", "ns", "keep"]).await;
    env.kubectl_stdin(
        &["apply", "--server-side", "-f", "-"],
        Some(APP.split("---").next().unwrap()),
    )
    .await;
    env.k(&[
        "-n",
        "keep",
        "create",
        "configmap",
        "kept",
        "--from-literal=k=v",
    ])
    .await;
    env.k(&["rollout", "status", "deploy/web", "--timeout=20s"])
        .await;
    // The debounced saver writes without a shutdown, too.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("\"kept\""));
    let rv_before = env.sim.resource_version();
    env.sim.shutdown().await.unwrap();

    let env2 = start(200, &[], Some(state.clone())).await;
    assert!(env2.sim.resource_version() >= rv_before);
    let v = env2
        .k(&[
            "-n",
            "keep",
            "get",
            "configmap",
            "kept",
            "-o",
            "jsonpath={.data.k}",
        ])
        .await;
    assert_eq!(v, "v");
    // Already rolled out: stays ready without a new rollout.
    let ready = env2
        .k(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ])
        .await;
    assert_eq!(ready, "2");
    env2.k(&["rollout", "status", "deploy/web", "--timeout=5s"])
        .await;
    env2.sim.shutdown().await.unwrap();
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_misc_commands() {
    if !kubectl_available() {
        return;
    }
    let env = start(200, &[], None).await;
    let res = env.k(&["api-resources"]).await;
    for short in ["deploy", "sts", "cm", "svc", "ns", "po", "pvc"] {
        assert!(
            res.split_whitespace()
                .any(|w| w.split(',').any(|s| s == short)),
            "missing {short}: {res}"
        );
    }
    let versions = env.k(&["api-versions"]).await;
    assert!(
        versions.contains("apps/v1") && versions.contains("autoscaling/v2"),
        "{versions}"
    );
    let version = env.k(&["version", "-o", "json"]).await;
    assert!(version.contains("serverVersion"), "{version}");
    // CRDs: creating one serves its kind.
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;
    env.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(crd))
        .await;
    env.k(&[
        "wait",
        "--for=condition=Established",
        "crd/widgets.example.com",
        "--timeout=10s",
    ])
    .await;
    let w = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3, tags: [a, b]}\n";
    let o = env
        .kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(w))
        .await;
    assert!(o.ok, "{}", o.stderr);
    assert_eq!(
        env.k(&["get", "wd", "w1", "-o", "jsonpath={.spec.size}"])
            .await,
        "3"
    );
    env.k(&[
        "patch",
        "widget",
        "w1",
        "--type=merge",
        "-p",
        "{\"spec\":{\"size\":4}}",
    ])
    .await;
    env.k(&[
        "patch",
        "widget",
        "w1",
        "--type=json",
        "-p",
        "[{\"op\":\"add\",\"path\":\"/spec/tags/-\",\"value\":\"c\"}]",
    ])
    .await;
    assert_eq!(
        env.k(&[
            "get",
            "widget",
            "w1",
            "-o",
            "jsonpath={.spec.size} {.spec.tags}"
        ])
        .await,
        "4 [\"a\",\"b\",\"c\"]"
    );
    assert_eq!(
        env.k(&[
            "get",
            "widget",
            "w1",
            "-o",
            "jsonpath={.metadata.generation}"
        ])
        .await,
        "3"
    );
    let smp = env
        .kubectl(&["patch", "widget", "w1", "-p", "{\"spec\":{\"size\":5}}"])
        .await;
    assert!(
        !smp.ok,
        "strategic merge patch is not supported for custom resources"
    );
    env.k(&["label", "widget", "w1", "tier=gold"]).await;
    assert_eq!(
        env.k(&["get", "widgets", "-l", "tier=gold", "-o", "name"])
            .await
            .trim(),
        "widget.example.com/w1"
    );
    env.k(&["delete", "crd", "widgets.example.com"]).await;
    assert!(!env.kubectl(&["get", "widgets"]).await.ok);
    // Dry-run server-side apply does not persist.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {a: b}\n";
    env.kubectl_stdin(
        &["apply", "--server-side", "--dry-run=server", "-f", "-"],
        Some(cm),
    )
    .await;
    assert!(!env.kubectl(&["get", "cm", "dry"]).await.ok);
    // kubectl diff uses server-side dry-run too.
    env.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(cm))
        .await;
    let same = env
        .kubectl_stdin(&["diff", "--server-side", "-f", "-"], Some(cm))
        .await;
    assert!(same.ok, "no diff expected: {}", same.stdout);
}
