//! Templates that build values nested deeper than any thread stack could recurse
//! through, printed with every printer, through `capstan chart template` (the main
//! thread) and `capstan template` (render threads with 2 MiB stacks). Before the
//! printers grew their stacks these runs died of a stack overflow at ~9,000 levels.
//! The expected lengths are what Helm 4.2.3 renders for the same templates
//! (tests/conformance/cases/180-deep-values compares every byte with real Helm).

use std::path::Path;

use capstan_testkit::write_chart;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_capstan");

const TEMPLATE: &str = r#"{{- $d := dict }}{{ $l := list }}
{{- range until 9000 }}{{ $d = dict "a" $d }}{{ $l = list $l }}{{ end }}
{{- /* indented JSON grows with the square of the depth */ -}}
{{- $p := list }}{{ range until 3000 }}{{ $p = list $p }}{{ end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: deep
data:
  mapJson: {{ toJson $d | len | quote }}
  mapRawJson: {{ toRawJson $d | len | quote }}
  mapString: {{ toString $d | len | quote }}
  mapGoSyntax: {{ printf "%#v" $d | len | quote }}
  listJson: {{ toJson $l | len | quote }}
  listYaml: {{ toYaml $l | len | quote }}
  listYamlPretty: {{ toYamlPretty $l | len | quote }}
  listToml: {{ toToml $l | len | quote }}
  listPrettyJson: {{ toPrettyJson $p | len | quote }}
  copyEqual: {{ deepEqual (deepCopy $d) $d | quote }}
"#;

/// Lengths Helm 4.2.3 prints for `TEMPLATE`.
const HELM: &str = r#"  mapJson: "54002"
  mapRawJson: "54002"
  mapString: "63005"
  mapGoSyntax: "261025"
  listJson: "18002"
  listYaml: "18002"
  listYamlPretty: "18002"
  listToml: "18002"
  listPrettyJson: "18012002"
  copyEqual: "true"
"#;

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("capstan runs")
}

fn data_lines(out: &Output) -> String {
    assert!(
        out.status.success(),
        "capstan failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let data = text.split("\ndata:\n").nth(1).unwrap_or_default();
    data.to_string()
}

#[test]
fn chart_template_prints_deep_values_like_helm() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_chart(tmp.path(), "deep", &[("deep.yaml", TEMPLATE)]);
    let out = run(&["chart", "template", "deep"], tmp.path());
    assert_eq!(data_lines(&out), HELM);
}

#[test]
fn stack_template_prints_deep_values_on_render_threads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_chart(tmp.path(), "deep", &[("deep.yaml", TEMPLATE)]);
    std::fs::write(
        tmp.path().join("stack.yaml"),
        "name: deep\nreleases:\n  - name: one\n    chart: ./deep\n  - name: two\n    chart: ./deep\n",
    )
    .expect("stack file");
    let out = run(&["template", "-f", "stack.yaml"], tmp.path());
    let text = data_lines(&out);
    assert!(text.starts_with(HELM), "{text}");
}
