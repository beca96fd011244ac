//! A template that doubles a string variable in a loop writes nothing, so the output
//! limit never fires; without a value limit it allocates until the process dies
//! (`memory allocation of 1342177280 bytes failed`; Helm itself runs out of memory).
//! capstan stops it with Go-style error text one doubling past 64 MiB.
//!
//! The child runs under an address-space limit (`ulimit -v`), so an unbounded build-up
//! shows as an allocation abort instead of the error text, whatever the machine's memory.

use capstan_testkit::write_chart;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_capstan");

/// Address space for the child, in KiB: room for the 64 MiB value limit, the copies a
/// failing `print` holds, the binary and its threads, and far below the 1.3 GB the
/// doubling loop reaches without the limit.
const ADDRESS_SPACE_KIB: u32 = 1024 * 1024;

const TEMPLATE: &str = r#"{{ $s := "xxxxxxxxxx" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}x: {{ len $s }}
"#;

#[test]
fn chart_template_stops_a_doubling_string_with_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_chart(tmp.path(), "grow", &[("grow.yaml", TEMPLATE)]);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" chart template grow"
        ))
        .arg(BIN)
        .current_dir(tmp.path())
        .output()
        .expect("capstan runs");
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
}
