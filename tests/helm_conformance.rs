//! The Helm conformance suite (tests/conformance) as part of `cargo test`: every case is
//! rendered by real Helm 4 (the helm-python-sdk, installed into a venv by
//! tests/conformance/setup-venv.sh from PyPI on first use) and by `capstan chart
//! template`, and must match byte for byte. A difference fails the test; nothing is
//! skipped.

use std::path::PathBuf;
use std::process::Command;

use capstan_testkit::helm_python;

#[test]
fn capstan_renders_every_conformance_case_exactly_like_helm() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let conformance = repo.join("tests/conformance");
    let capstan = format!("{} chart template", env!("CARGO_BIN_EXE_capstan"));
    let run = Command::new(helm_python())
        .arg(conformance.join("run.py"))
        .arg("--capstan-cmd")
        .arg(&capstan)
        .current_dir(&repo)
        .output()
        .expect("the conformance runner starts");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        run.status.success(),
        "conformance cases differ from Helm ({last}):\n{stdout}\n{stderr}"
    );
    assert!(last.ends_with(" 0 failed"), "unexpected summary: {last}");
}
