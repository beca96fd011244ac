//! Commands that need no cluster: graph, template, and the errors bad stack files get;
//! `apply --sim` (the embedded cluster) where only its output is checked.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_capstan");

fn capstan(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("capstan runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "capstan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn graph_prints_waves_and_dot() {
    let text = stdout(&capstan(&[
        "graph",
        "-f",
        "stacks/openstack.yaml",
        "-e",
        "dev",
    ]));
    let waves: Vec<&str> = text.lines().filter(|l| l.starts_with("wave ")).collect();
    assert_eq!(waves.len(), 4, "{text}");
    let nova = text
        .lines()
        .find(|l| l.trim_start().starts_with("nova "))
        .unwrap();
    assert!(
        nova.contains("needs") && nova.contains("keystone"),
        "{nova}"
    );
    let dot = stdout(&capstan(&[
        "graph",
        "-f",
        "stacks/openstack.yaml",
        "-e",
        "dev",
        "--format",
        "dot",
    ]));
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("\"keystone\" -> \"nova\""), "{dot}");
}

#[test]
fn selectors_with_include_needs_pull_in_what_is_needed() {
    let alone = stdout(&capstan(&[
        "graph",
        "-f",
        "stacks/openstack.yaml",
        "-e",
        "dev",
        "-l",
        "name=keystone",
    ]));
    assert!(!alone.contains("mariadb ("), "{alone}");
    let with_needs = stdout(&capstan(&[
        "graph",
        "-f",
        "stacks/openstack.yaml",
        "-e",
        "dev",
        "-l",
        "name=keystone",
        "--include-needs",
    ]));
    for need in ["mariadb", "rabbitmq", "memcached", "keystone"] {
        assert!(
            with_needs.contains(&format!("{need} (")),
            "{need}: {with_needs}"
        );
    }
    assert!(!with_needs.contains("nova ("), "{with_needs}");
}

#[test]
fn template_prints_helm_template_form_in_install_order() {
    let out = stdout(&capstan(&[
        "template",
        "-f",
        "stacks/openstack.yaml",
        "-e",
        "dev",
        "-l",
        "name=mariadb",
    ]));
    assert!(
        out.starts_with("---\n# Source: mariadb/"),
        "{}",
        &out[..200.min(out.len())]
    );
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    let position = |k: &str| kinds.iter().position(|x| *x == k).unwrap();
    // Helm's install order: Secrets and ConfigMaps before Services before StatefulSets.
    assert!(position("Secret") < position("Service"), "{kinds:?}");
    assert!(position("Service") < position("StatefulSet"), "{kinds:?}");
}

#[test]
fn bad_stack_files_get_errors_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let unknown = write(
        "unknown.yaml",
        "name: t\nreleases:\n  - name: a\n    chart: ./c\n    needz: [b]\n",
    );
    let cycle = write(
        "cycle.yaml",
        "name: t\nreleases:\n  - {name: a, chart: ./c, needs: [c]}\n  - {name: b, chart: ./c, needs: [a]}\n  - {name: c, chart: ./c, needs: [b]}\n",
    );
    let typo = write(
        "typo.yaml",
        "name: t\nreleases:\n  - {name: keystone, chart: ./c}\n  - {name: nova, chart: ./c, needs: [keyston]}\n",
    );
    let undefined = write(
        "undefined.yaml",
        "name: t\nreleases:\n  - name: a\n    chart: ./c\n    namespace: \"{{ values.nope }}\"\n",
    );
    let cases = [
        (
            unknown,
            vec!["unknown.yaml:5", "releases[0].needz", "unknown field"],
        ),
        (cycle, vec!["cycle", "a → c → b → a"]),
        (
            typo,
            vec!["nova", "\"keyston\"", "did you mean \"keystone\""],
        ),
        (
            undefined,
            vec!["undefined.yaml:5", "releases[0].namespace", "values.nope"],
        ),
    ];
    for (file, needles) in cases {
        let out = capstan(&["graph", "-f", &file]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{file}: {needle:?} not in {stderr}"
            );
        }
    }
}

/// A chart whose default `a: str` a user map replaces: Helm logs
/// `warning: skipped value for c.a: Not a table.` as it coalesces.
fn chart_with_a_coalescing_warning(dir: &std::path::Path) -> (String, String) {
    let chart = dir.join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "a: str\n").unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a | toString | quote }}\n",
    )
    .unwrap();
    let user = dir.join("u.yaml");
    std::fs::write(&user, "a:\n  m: 1\n").unwrap();
    let stack = dir.join("stack.yaml");
    std::fs::write(
        &stack,
        "name: w\ndefaults: {namespace: w, createNamespace: true}\nreleases:\n  - {name: w, chart: ./c, values: [./u.yaml]}\n",
    )
    .unwrap();
    (chart.display().to_string(), stack.display().to_string())
}

/// Helm logs values-coalescing warnings to stderr; stdout stays the manifest.
#[test]
fn chart_template_prints_helm_coalescing_warnings_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (chart, _) = chart_with_a_coalescing_warning(dir.path());
    let user = dir.path().join("u.yaml");
    let out = capstan(&[
        "chart",
        "template",
        &chart,
        "-f",
        user.to_str().unwrap(),
        "--name",
        "w",
    ]);
    assert!(stdout(&out).contains("  a: \"map[m:1]\"\n"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: skipped value for c.a: Not a table.\n"
    );
}

/// `template` and `apply` name the release the warning is about.
#[test]
fn stack_commands_report_coalescing_warnings_per_release() {
    let dir = tempfile::tempdir().unwrap();
    let (_, stack) = chart_with_a_coalescing_warning(dir.path());
    let out = capstan(&["template", "-f", &stack]);
    assert!(stdout(&out).contains("  a: \"map[m:1]\"\n"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "release w: warning: skipped value for c.a: Not a table.\n"
    );
    let out = capstan(&["apply", "-f", &stack, "--sim", "--output", "json"]);
    let text = stdout(&out);
    assert!(
        text.contains("warning: skipped value for c.a: Not a table."),
        "{text}"
    );
}

/// `helm template` and `helm install` refuse a library chart; so do `chart template`
/// and the stack commands, naming the release.
#[test]
fn library_charts_are_not_installable() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("lib");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: Library\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/_h.tpl"),
        "{{ define \"h\" }}x{{ end }}\n",
    )
    .unwrap();
    let out = capstan(&["chart", "template", chart.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("library charts are not installable"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let stack = dir.path().join("stack.yaml");
    std::fs::write(
        &stack,
        "name: l\ndefaults: {namespace: l}\nreleases:\n  - {name: helpers, chart: ./lib}\n",
    )
    .unwrap();
    for command in ["template", "apply"] {
        let mut args = vec![command, "-f", stack.to_str().unwrap()];
        if command == "apply" {
            args.push("--sim");
        }
        let out = capstan(&args);
        assert!(!out.status.success(), "{command} accepted a library chart");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("release helpers: chart")
                && stderr.contains("library charts are not installable"),
            "{command}: {stderr}"
        );
    }
}
