//! A template that doubles a string variable in a loop writes nothing, so the output
//! limit never fires; without a value limit it allocates until the process dies
//! (`memory allocation of 1342177280 bytes failed`; Helm itself runs out of memory).
//! capstan stops it with Go-style error text one doubling past 64 MiB.

use capstan_testkit::write_chart;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_capstan");

const TEMPLATE: &str = r#"{{ $s := "xxxxxxxxxx" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}x: {{ len $s }}
"#;

#[test]
fn chart_template_stops_a_doubling_string_with_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_chart(tmp.path(), "grow", &[("grow.yaml", TEMPLATE)]);
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(["chart", "template", "grow"])
        .current_dir(tmp.path())
        .output()
        .expect("capstan runs");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a failure: {stderr}");
    // 10 * 2^23 bytes is the first result over 64 MiB.
    assert!(
        stderr.contains(
            "template: grow/templates/grow.yaml:1:52: executing \"grow/templates/grow.yaml\" \
             at <print $s $s>: error calling print: result of at least 83886080 bytes exceeds the \
             limit of 67108864 bytes"
        ),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
