//! Shared helpers for the end-to-end tests: an in-process kubesim on 127.0.0.1:0, a
//! copy of the example stack that a test may edit, the capstan binary, and a kube client.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

pub const BIN: &str = env!("CARGO_BIN_EXE_capstan");

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running simulator with its kubeconfig written to a temp dir.
pub struct TestCluster {
    pub sim: kubesim::SimHandle,
    pub kubeconfig: PathBuf,
    pub client: kube::Client,
    _dir: tempfile::TempDir,
}

pub async fn start_cluster(ready_delay: Duration, rules: &[&str]) -> TestCluster {
    capstan_cluster::install_crypto_provider();
    let config = kubesim::SimConfig {
        ready_delay,
        state_file: None,
        rules: rules
            .iter()
            .map(|r| kubesim::SimRule::parse(r).expect("valid rule"))
            .collect(),
    };
    let sim = kubesim::Sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("kubesim starts");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig_yaml("kubesim")).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    TestCluster {
        sim,
        kubeconfig,
        client,
        _dir: dir,
    }
}

/// Copies `stacks/` and `examples/` into a temp dir (keeping the charts' symlinks), so
/// a test can change values and templates without touching the repository.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["stacks", "examples"] {
            copy_tree(&repo_root().join(sub), &dir.path().join(sub));
        }
        Workspace { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn stack(&self) -> PathBuf {
        self.path("stacks/openstack.yaml")
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs the capstan binary to completion off the async runtime.
pub async fn capstan(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(&args)
            .env_remove("KUBECONFIG")
            .output()
            .expect("capstan runs")
    })
    .await
    .unwrap()
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The summary row of `release` in a run's stdout, split into columns.
pub fn summary_row(stdout: &str, release: &str) -> Vec<String> {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(release))
        .unwrap_or_else(|| panic!("no summary row for {release} in:\n{stdout}"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// Helm release Secrets of `release`, by revision, with their `status` label.
pub async fn release_secrets(
    client: &kube::Client,
    ns: &str,
    release: &str,
) -> Vec<(String, String)> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    let list = api
        .list(&ListParams::default().labels(&format!("name={release},owner=helm")))
        .await
        .unwrap();
    let mut out: Vec<(String, String)> = list
        .items
        .iter()
        .map(|s| {
            let labels = s.metadata.labels.clone().unwrap_or_default();
            (
                s.metadata.name.clone().unwrap_or_default(),
                labels.get("status").cloned().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Decodes a Helm release Secret's `data.release` (base64 of gzip of JSON; the Secret
/// data itself is already base64-decoded by the client).
pub fn decode_release(secret: &Secret) -> serde_json::Value {
    use base64::Engine;
    use std::io::Read;
    let data = secret.data.as_ref().unwrap().get("release").unwrap();
    let gz = base64::engine::general_purpose::STANDARD
        .decode(&data.0)
        .unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut json)
        .unwrap();
    serde_json::from_str(&json).unwrap()
}
