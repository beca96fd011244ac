//! A kubesim on 127.0.0.1:0 and a capstan Cluster connected to it through a kubeconfig.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::time::Duration;

use capstan_cluster::{Cluster, ObjectYaml, parse_manifest};
use kubesim::{Sim, SimConfig, SimHandle, SimRule};

pub struct Env {
    pub sim: SimHandle,
    pub cluster: Cluster,
    pub kubeconfig: PathBuf,
    /// Removes the per-test directory holding the kubeconfig when the test ends;
    /// without it every test run left one behind in the temp dir.
    _dir: TestDir,
}

struct TestDir(PathBuf);

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
        _dir: TestDir(dir),
    }
}

pub fn objects(manifest: &str) -> Vec<ObjectYaml> {
    parse_manifest(manifest).expect("manifest parses")
}
