//! A kubesim on 127.0.0.1:0 and a capstan Cluster connected to it through a kubeconfig.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use capstan_cluster::{Cluster, ObjectYaml, parse_manifest};
use kubesim::{Sim, SimConfig, SimHandle, SimRule};

pub struct Env {
    pub sim: SimHandle,
    pub cluster: Cluster,
    pub kubeconfig: PathBuf,
}

pub async fn start(ready_delay: Duration, rules: &[&str]) -> Env {
    let config = SimConfig {
        ready_delay,
        state_file: None,
        rules: rules
            .iter()
            .map(|r| SimRule::parse(r).expect("rule"))
            .collect(),
    };
    let sim = Sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("kubesim starts");
    let dir = std::env::temp_dir().join(format!(
        "capstan-cluster-test-{}-{}",
        std::process::id(),
        sim.addr().port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let cluster = Cluster::connect(Some(&kubeconfig), None)
        .await
        .expect("connect");
    Env {
        sim,
        cluster,
        kubeconfig,
    }
}

pub fn objects(manifest: &str) -> Vec<ObjectYaml> {
    parse_manifest(manifest).expect("manifest parses")
}

/// The Python of the Helm SDK venv (`$HELM_VENV`, default /work/venv-helm). A missing
/// venv is created once per test binary by tests/conformance/setup-venv.sh; if that
/// fails the calling test fails: the Helm interop tests are never skipped.
pub fn helm_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = std::env::var_os("HELM_VENV")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/work/venv-helm"));
            let python = venv.join("bin/python");
            if !python.exists() {
                let setup = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../tests/conformance/setup-venv.sh");
                let out = Command::new("bash")
                    .arg(&setup)
                    .env("HELM_VENV", &venv)
                    .output()
                    .expect("bash runs");
                assert!(
                    out.status.success(),
                    "setting up the Helm SDK venv with {} failed:\n{}\n{}",
                    setup.display(),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            python
        })
        .clone()
}
