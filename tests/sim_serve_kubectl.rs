//! `capstan sim serve` is a cluster kubectl accepts: apply a Deployment server-side,
//! see it roll to ready, wait on it, delete it; with --state the cluster survives a
//! restart.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_capstan");

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        // SIGINT, like Ctrl-C, so the simulator saves its state; then reap it.
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(kubeconfig: &Path, state: &Path) -> Served {
    let _ = std::fs::remove_file(kubeconfig);
    let child = Command::new(BIN)
        .args(["sim", "serve", "--ready-delay", "1s", "--kubeconfig-out"])
        .arg(kubeconfig)
        .arg("--state")
        .arg(state)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("capstan sim serve starts");
    let served = Served(child);
    // The kubeconfig appears once the server listens.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "sim serve wrote no kubeconfig");
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig").arg(kubeconfig).args(args);
    if let Some(input) = stdin {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        return child.wait_with_output().unwrap();
    }
    cmd.output().expect("kubectl runs")
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kubectl failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"#;

#[test]
fn kubectl_works_against_sim_serve_and_state_survives_a_restart() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        panic!("kubectl is not installed: it is the conformance client for kubesim");
    }
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let state = dir.path().join("state.json");
    {
        let _served = serve(&kubeconfig, &state);
        let namespaces = ok(kubectl(&kubeconfig, &["get", "ns"], None));
        assert!(namespaces.contains("default"), "{namespaces}");
        ok(kubectl(
            &kubeconfig,
            &["apply", "--server-side", "-f", "-"],
            Some(DEPLOYMENT),
        ));
        ok(kubectl(
            &kubeconfig,
            &[
                "wait",
                "--for=condition=Available",
                "deploy/web",
                "--timeout=30s",
            ],
            None,
        ));
        ok(kubectl(
            &kubeconfig,
            &["rollout", "status", "deploy/web", "--timeout=30s"],
            None,
        ));
        let yaml = ok(kubectl(
            &kubeconfig,
            &["get", "deploy", "web", "-o", "yaml"],
            None,
        ));
        assert!(yaml.contains("availableReplicas: 2"), "{yaml}");
        let pods = ok(kubectl(
            &kubeconfig,
            &["get", "pods", "-l", "app=web", "-o", "name"],
            None,
        ));
        assert_eq!(pods.lines().count(), 2, "{pods}");
    }
    // A new process with the same state file sees the Deployment.
    {
        let _served = serve(&kubeconfig, &state);
        let names = ok(kubectl(&kubeconfig, &["get", "deploy", "-o", "name"], None));
        assert_eq!(names.trim(), "deployment.apps/web");
        ok(kubectl(&kubeconfig, &["delete", "deploy", "web"], None));
        let names = ok(kubectl(&kubeconfig, &["get", "deploy", "-o", "name"], None));
        assert_eq!(names.trim(), "");
    }
}
