//! Helpers shared by the test suites of several crates; a dev-dependency only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the Helm SDK venv lives: `$HELM_VENV`, default /work/venv-helm.
pub fn helm_venv() -> PathBuf {
    std::env::var_os("HELM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/venv-helm"))
}

/// The repository's root (this crate sits at crates/testkit).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python of the Helm SDK venv (helm-python-sdk, Helm 4), created once per test
/// binary by tests/conformance/setup-venv.sh when it is missing. Setting it up is part
/// of the test: when that fails the calling test fails, so Helm interop tests are never
/// skipped.
pub fn helm_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = helm_venv();
            let python = venv.join("bin/python");
            if !python.exists() {
                let setup = repo_root().join("tests/conformance/setup-venv.sh");
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

/// Writes a minimal v2 chart `dir/name` (Chart.yaml with version 0.1.0) holding the
/// given `templates/` files.
pub fn write_chart(dir: &Path, name: &str, templates: &[(&str, &str)]) {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).expect("chart directory");
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .expect("Chart.yaml");
    for (file, text) in templates {
        std::fs::write(chart.join("templates").join(file), text).expect("template");
    }
}
