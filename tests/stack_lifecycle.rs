//! The example OpenStack stack through the real CLI against an in-process kubesim:
//! install, no-op re-apply, upgrade on a changed value, prune of a removed template,
//! status and list, and destroy in reverse order.

mod common;

use std::time::Duration;

use common::*;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openstack_stack_install_noop_upgrade_prune_destroy() {
    let cluster = start_cluster(Duration::from_millis(300), &[]).await;
    let ws = Workspace::new();
    let kubeconfig = cluster.kubeconfig.display().to_string();
    let stack = ws.stack().display().to_string();
    let base = ["-f", &stack, "-e", "dev", "--kubeconfig", &kubeconfig];
    let run = |cmd: &str| {
        let mut a = vec![cmd.to_string()];
        a.extend(base.iter().map(|s| s.to_string()));
        a
    };

    // Install everything.
    let out = capstan(run("apply")).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "apply failed:\n{stdout}\n{stderr}");
    for release in ["mariadb", "keystone", "nova", "libvirt", "horizon"] {
        let row = summary_row(&stdout, release);
        assert_eq!(row[2], "install", "{release}: {row:?}");
        assert_eq!(row[3], "1");
        assert_eq!(row[5], "ok");
    }
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), "openstack");
    let keystone = deployments
        .get("keystone-api")
        .await
        .expect("keystone-api exists");
    let managers: Vec<String> = keystone
        .metadata
        .managed_fields
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert!(managers.contains(&"capstan".to_string()), "{managers:?}");
    let labels = keystone.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some("Helm")
    );
    let statefulsets: Api<StatefulSet> = Api::namespaced(cluster.client.clone(), "openstack");
    assert!(statefulsets.get("mariadb-server").await.is_ok());

    // The release record is Helm's.
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), "openstack");
    let record = secrets.get("sh.helm.release.v1.keystone.v1").await.unwrap();
    assert_eq!(record.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = record.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("owner").map(String::as_str), Some("helm"));
    assert_eq!(labels.get("status").map(String::as_str), Some("deployed"));
    assert_eq!(labels.get("version").map(String::as_str), Some("1"));
    let release = decode_release(&record);
    assert_eq!(release["name"], "keystone");
    assert_eq!(release["version"], 1);
    assert_eq!(release["namespace"], "openstack");
    assert_eq!(release["info"]["status"], "deployed");
    assert_eq!(release["chart"]["metadata"]["name"], "keystone");
    assert!(
        release["manifest"]
            .as_str()
            .unwrap()
            .contains("# Source: keystone/templates/deployment-api.yaml")
    );
    // --set from the stack reaches the user values (Helm's `config`), typed as Helm's --set does.
    assert_eq!(
        release["config"]["conf"]["keystone"]["token"]["expiration"],
        3600
    );

    // A second apply changes nothing.
    let out = capstan(run("apply")).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "re-apply failed:\n{stdout}\n{stderr}");
    assert_eq!(stdout.matches(" unchanged ").count(), 13, "{stdout}");
    assert_eq!(
        release_secrets(&cluster.client, "openstack", "keystone").await,
        vec![(
            "sh.helm.release.v1.keystone.v1".to_string(),
            "deployed".to_string()
        )]
    );

    // Change a value: keystone upgrades to revision 2, revision 1 is superseded.
    let values = ws.path("stacks/openstack/values/keystone.yaml.j2");
    let text_before = std::fs::read_to_string(&values).unwrap();
    std::fs::write(
        &values,
        text_before.replace("api: {{ values.replicas }}", "api: 3"),
    )
    .unwrap();
    let out = capstan(run("apply")).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "upgrade failed:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "keystone");
    assert_eq!(
        (row[2].as_str(), row[3].as_str()),
        ("upgrade", "2"),
        "{stdout}"
    );
    assert_eq!(summary_row(&stdout, "mariadb")[2], "unchanged");
    assert_eq!(
        release_secrets(&cluster.client, "openstack", "keystone").await,
        vec![
            (
                "sh.helm.release.v1.keystone.v1".to_string(),
                "superseded".to_string()
            ),
            (
                "sh.helm.release.v1.keystone.v2".to_string(),
                "deployed".to_string()
            ),
        ]
    );
    let keystone = deployments.get("keystone-api").await.unwrap();
    assert_eq!(keystone.spec.unwrap().replicas, Some(3));

    // Remove a template: its object is pruned by the next apply.
    let jobs: Api<Job> = Api::namespaced(cluster.client.clone(), "openstack");
    assert!(
        jobs.get("keystone-fernet-setup").await.is_ok(),
        "job before prune"
    );
    std::fs::remove_file(
        ws.path("examples/openstack/charts/keystone/templates/job-fernet-setup.yaml"),
    )
    .unwrap();
    let out = capstan(run("apply")).await;
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "apply after removing a template failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(summary_row(&stdout, "keystone")[3], "3");
    assert!(
        stderr.contains("pruned Job/openstack/keystone-fernet-setup"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pruned ServiceAccount/openstack/keystone-fernet-setup"),
        "{stderr}"
    );
    assert!(
        jobs.get_opt("keystone-fernet-setup")
            .await
            .unwrap()
            .is_none()
    );

    // status: every release deployed and ready.
    let out = capstan(run("status")).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "status:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "keystone");
    assert_eq!(row[2], "3");
    assert_eq!(row[3], "deployed");

    // list: Helm's view of the releases.
    let out = capstan(args(&["list", "--kubeconfig", &kubeconfig])).await;
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert_eq!(stdout.lines().count(), 14, "{stdout}");

    // sync: a new revision even though nothing changed (only the selected release).
    let mut sync = run("sync");
    sync.extend(["-l".to_string(), "name=memcached".to_string()]);
    let out = capstan(sync).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "sync failed:\n{stdout}\n{stderr}");
    let row = summary_row(&stdout, "memcached");
    assert_eq!(
        (row[2].as_str(), row[3].as_str()),
        ("upgrade", "2"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("\nmariadb "),
        "sync -l name=memcached touched others:\n{stdout}"
    );

    // destroy: everything gone, records included.
    let out = capstan(run("destroy")).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "destroy failed:\n{stdout}\n{stderr}");
    assert_eq!(summary_row(&stdout, "nova")[2], "uninstall");
    // Reverse order: nova (which needs keystone) is reported before keystone.
    let nova_at = stdout.find("\nnova ").unwrap();
    let keystone_at = stdout.find("\nkeystone ").unwrap();
    assert!(nova_at < keystone_at, "{stdout}");
    assert!(deployments.get_opt("keystone-api").await.unwrap().is_none());
    assert!(
        release_secrets(&cluster.client, "openstack", "keystone")
            .await
            .is_empty()
    );
    assert!(
        release_secrets(&cluster.client, "openstack", "nova")
            .await
            .is_empty()
    );

    cluster.sim.shutdown().await.unwrap();
}
