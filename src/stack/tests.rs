//! End-to-end tests of `Stack::load` on stack files written to temp dirs.

use super::*;
use std::path::Path;
use std::time::Duration;

/// Writes `files` under a fresh temp dir and loads `stack.yaml` from it.
fn load(
    files: &[(&str, &str)],
    env: Option<&str>,
) -> (tempfile::TempDir, Result<Stack, StackError>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let res = Stack::load(&dir.path().join("stack.yaml"), env);
    (dir, res)
}

fn ok(files: &[(&str, &str)], env: Option<&str>) -> Stack {
    let (_d, res) = load(files, env);
    res.unwrap_or_else(|e| panic!("load failed: {e}"))
}

fn err(files: &[(&str, &str)], env: Option<&str>) -> String {
    let (dir, res) = load(files, env);
    let e = res.expect_err("expected an error").to_string();
    // Show paths relative to the temp dir so assertions stay readable.
    e.replace(&format!("{}/", dir.path().display()), "")
}

const OPENSTACK: &str = r#"name: openstack
defaults: {namespace: openstack, wait: true, timeout: 10m, createNamespace: true, labels: {team: cloud}}
repositories:
  - {name: osh, url: https://charts.example.org/openstack-helm}
environments:
  dev:  {values: [env/dev.yaml], kubeContext: kind-dev}
  prod: {values: [env/prod.yaml, {replicas: 3}], kubeContext: prod-east}
commonValues: [common/endpoints.yaml.j2]
releases:
  - name: mariadb
    chart: osh/mariadb
    labels: {tier: infra}
  - name: keystone
    chart: ./charts/keystone
    version: "~0.3"
    labels: {tier: api}
    needs: [mariadb, openstack/memcached]
    values:
      - values/keystone.yaml.j2
      - {pod: {replicas: {api: "{{ values.replicas }}"}}, debug: yes, tag: "1.0"}
    set: {conf.keystone.token.expiration: 3600, image.tag: "{{ values.tag }}", drop: ~}
    installed: "{{ values.keystone_enabled | default(true) }}"
    timeout: 1h30m
  - name: memcached
    chart: oci://registry.example.org/charts/memcached
    namespace: "{{ environment.name }}-cache"
    wait: "no"
    installed: "{{ values.memcached | default(true) }}"
"#;

fn openstack_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("stack.yaml", OPENSTACK),
        (
            "env/dev.yaml",
            "replicas: 1\ntag: dev\nmemcached: false\ndb: {host: db.dev}\n",
        ),
        (
            "env/prod.yaml",
            "replicas: 2\ntag: \"2024.1\"\ndb: {host: db.prod, port: 3306}\n",
        ),
        (
            "common/endpoints.yaml.j2",
            "endpoints:\n  db: {{ values.db.host }}\n  ns: {{ release.namespace }}\n  for: {{ release.name }}\n",
        ),
        (
            "values/keystone.yaml.j2",
            "replicas: {{ values.replicas }}\nenv: {{ environment.name }}\n",
        ),
        ("charts/keystone/Chart.yaml", "name: keystone\n"),
    ]
}

#[test]
fn loads_full_stack_for_prod() {
    let s = ok(&openstack_files(), Some("prod"));
    assert_eq!(s.name, "openstack");
    assert_eq!(s.environment.as_deref(), Some("prod"));
    assert_eq!(s.kube_context.as_deref(), Some("prod-east"));
    assert_eq!(
        s.repositories,
        vec![Repository {
            name: "osh".into(),
            url: "https://charts.example.org/openstack-helm".into()
        }]
    );
    let names: Vec<_> = s.releases.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["mariadb", "keystone", "memcached"]);

    let mariadb = &s.releases[0];
    assert_eq!(
        mariadb.chart,
        ChartRef::Repo {
            repo: "osh".into(),
            name: "mariadb".into()
        }
    );
    assert_eq!(mariadb.namespace, "openstack");
    assert_eq!(mariadb.timeout, Duration::from_secs(600));
    assert!(mariadb.wait && mariadb.create_namespace && mariadb.installed);
    assert_eq!(
        mariadb.labels.get("team").map(String::as_str),
        Some("cloud")
    );
    assert_eq!(mariadb.line, 10);

    let k = &s.releases[1];
    assert_eq!(k.chart, ChartRef::Local(s.dir.join("./charts/keystone")));
    assert_eq!(k.version.as_deref(), Some("~0.3"));
    assert_eq!(k.needs, ["mariadb", "openstack/memcached"]);
    assert_eq!(k.timeout, Duration::from_secs(5400));
    assert!(k.installed);
    // Merge order: commonValues, then the release's own values in order.
    assert_eq!(k.values_sources.len(), 3);
    match &k.values_sources[0] {
        ValuesSource::File {
            path,
            rendered_text,
        } => {
            assert!(path.ends_with("common/endpoints.yaml.j2"));
            assert_eq!(
                rendered_text,
                "endpoints:\n  db: db.prod\n  ns: openstack\n  for: keystone\n"
            );
        }
        other => panic!("{other:?}"),
    }
    match &k.values_sources[1] {
        ValuesSource::File { rendered_text, .. } => {
            // The inline {replicas: 3} of prod is over env/prod.yaml's 2.
            assert_eq!(rendered_text, "replicas: 3\nenv: prod\n");
        }
        other => panic!("{other:?}"),
    }
    match &k.values_sources[2] {
        ValuesSource::Inline { origin, yaml_text } => {
            assert!(
                origin.ends_with("stack.yaml:20 releases[1].values[1]"),
                "{origin}"
            );
            // `yes` and the templated 3 stay plain for Helm; "1.0" stays quoted.
            assert_eq!(
                yaml_text,
                "pod:\n  replicas:\n    api: 3\ndebug: yes\ntag: \"1.0\"\n"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        k.set,
        vec![
            (
                "conf.keystone.token.expiration".to_string(),
                "3600".to_string()
            ),
            ("image.tag".to_string(), "2024.1".to_string()),
            ("drop".to_string(), "null".to_string()),
        ]
    );

    let m = &s.releases[2];
    assert_eq!(
        m.chart,
        ChartRef::Oci("oci://registry.example.org/charts/memcached".into())
    );
    assert_eq!(m.namespace, "prod-cache");
    assert!(!m.wait);
    assert!(m.installed);
}

#[test]
fn environment_selection_changes_values() {
    let s = ok(&openstack_files(), Some("dev"));
    assert_eq!(s.kube_context.as_deref(), Some("kind-dev"));
    let m = &s.releases[2];
    assert!(!m.installed, "dev disables memcached");
    assert_eq!(m.namespace, "dev-cache");
}

#[test]
fn unknown_environment_lists_known_ones() {
    let e = err(&openstack_files(), Some("staging"));
    assert_eq!(
        e,
        "stack.yaml: unknown environment \"staging\"; known environments: dev, prod"
    );
}

#[test]
fn no_environment_means_default_or_nothing() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: ./c, namespace: \"{{ environment.name }}\"}\n",
    )];
    let s = ok(&files, None);
    assert_eq!(s.environment, None);
    assert_eq!(s.releases[0].namespace, "default");
    let files = [(
        "stack.yaml",
        "name: s\nenvironments: {default: {values: [{ns: from-default}]}}\nreleases:\n  - {name: a, chart: ./c, namespace: \"{{ values.ns }}\"}\n",
    )];
    let s = ok(&files, None);
    assert_eq!(s.environment.as_deref(), Some("default"));
    assert_eq!(s.releases[0].namespace, "from-default");
}

#[test]
fn strict_undefined_in_stack_string_names_line_and_field() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    chart: ./c\n  - name: b\n    chart: ./c\n    installed: \"{{ values.nope }}\"\n",
    )];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:7: releases[1].installed: undefined value"),
        "{e}"
    );
    assert!(e.contains("values.nope"), "{e}");
}

#[test]
fn strict_undefined_in_values_file_names_file_and_line() {
    let files = [
        (
            "stack.yaml",
            "name: s\nreleases:\n  - name: a\n    chart: ./c\n    values: [v/a.yaml.j2]\n",
        ),
        (
            "v/a.yaml.j2",
            "a: 1\nb: {{ release.name }}\nc: {{ values.missing }}\n",
        ),
    ];
    let e = err(&files, None);
    assert!(e.starts_with("v/a.yaml.j2:3: undefined value"), "{e}");
    assert!(e.contains("stack.yaml:5 releases[0].values[0]"), "{e}");
}

#[test]
fn template_error_in_inline_values_points_at_stack_line() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    chart: ./c\n    values:\n      - x: 1\n        y: \"{{ nope }}\"\n",
    )];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:7: releases[0].values[0]: undefined value"),
        "{e}"
    );
}

#[test]
fn unknown_key_names_key_file_line_and_field() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    chart: ./c\n  - name: b\n    chart: ./c\n    needz: [a]\n",
    )];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:7: releases[1].needz: unknown field `needz`"),
        "{e}"
    );
    let files = [("stack.yaml", "name: s\nextra: 1\n")];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:2: extra: unknown field `extra`"),
        "{e}"
    );
}

#[test]
fn schema_type_errors_name_the_field() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    chart: ./c\n    needs: b\n",
    )];
    let e = err(&files, None);
    assert!(e.starts_with("stack.yaml:5: releases[0].needs: "), "{e}");
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    chart: ./c\n    set: {a: [1, 2]}\n",
    )];
    let e = err(&files, None);
    assert!(e.starts_with("stack.yaml:5: releases[0].set.a: "), "{e}");
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: ./c, timeout: 10 minutes}\n",
    )];
    let e = err(&files, None);
    assert!(e.starts_with("stack.yaml:3: releases[0].timeout: "), "{e}");
    let files = [(
        "stack.yaml",
        "name: s\nreleases: [{name: a, chart: ./c, wait: \"maybe\"}]\n",
    )];
    let e = err(&files, None);
    assert_eq!(
        e,
        "stack.yaml:2: releases[0].wait: expected true or false, got \"maybe\""
    );
}

#[test]
fn yaml_syntax_error_has_line() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - name: a\n    needs: [b\n",
    )];
    let e = err(&files, None);
    assert!(e.starts_with("stack.yaml:4: "), "{e}");
}

#[test]
fn invalid_names_and_duplicates() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: Keystone, chart: ./c}\n",
    )];
    assert!(err(&files, None).starts_with("stack.yaml:3: releases[0].name: invalid release name"));
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: ./c}\n  - {name: a, chart: ./d}\n",
    )];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:4: releases[1].name: release \"a\" is defined twice"),
        "{e}"
    );
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: ./c, needs: [\"x/y/z\"]}\n",
    )];
    assert!(err(&files, None).contains("releases[0].needs[0]: invalid need"));
}

#[test]
fn chart_reference_errors() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: nosuch/chart}\n",
    )];
    let e = err(&files, None);
    assert!(
        e.contains("releases[0].chart: chart \"nosuch/chart\": no repository named \"nosuch\""),
        "{e}"
    );
}

#[test]
fn missing_values_file_is_reported() {
    let files = [(
        "stack.yaml",
        "name: s\nreleases:\n  - {name: a, chart: ./c, values: [nope.yaml]}\n",
    )];
    let e = err(&files, None);
    assert!(
        e.starts_with("stack.yaml:3: releases[0].values[0]: cannot read values file"),
        "{e}"
    );
}

#[test]
fn env_values_files_may_be_templates_with_env_only() {
    // cargo sets CARGO_PKG_NAME when it runs tests.
    let files = [
        (
            "stack.yaml",
            "name: s\nenvironments: {e: {values: [e.yaml.j2]}}\nreleases:\n  - {name: a, chart: ./c, labels: {region: \"{{ values.region }}\"}}\n",
        ),
        (
            "e.yaml.j2",
            "region: {{ env.CARGO_PKG_NAME }}\nother: {{ env_var('CAPSTAN_TEST_UNSET_X', 'd') }}\n",
        ),
    ];
    let s = ok(&files, Some("e"));
    assert_eq!(s.releases[0].labels["region"], "capstan");
    let files = [
        (
            "stack.yaml",
            "name: s\nenvironments: {e: {values: [e.yaml.j2]}}\n",
        ),
        ("e.yaml.j2", "x: {{ values.y }}\n"),
    ];
    let e = err(&files, Some("e"));
    assert!(e.starts_with("e.yaml.j2:1: undefined value"), "{e}");
}

#[test]
fn read_file_and_b64_in_values() {
    let files = [
        (
            "stack.yaml",
            "name: s\nreleases:\n  - name: a\n    chart: ./c\n    values: [{ca: \"{{ read_file('ca.pem') | b64encode }}\"}]\n",
        ),
        ("ca.pem", "CERT"),
    ];
    let s = ok(&files, None);
    match &s.releases[0].values_sources[0] {
        ValuesSource::Inline { yaml_text, .. } => assert_eq!(yaml_text, "ca: Q0VSVA==\n"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dir_of_relative_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stack.yaml"), "name: s\n").unwrap();
    let s = Stack::load(&dir.path().join("stack.yaml"), None).unwrap();
    assert_eq!(s.dir, dir.path());
    assert!(
        Stack::load(Path::new("/nonexistent/stack.yaml"), None)
            .unwrap_err()
            .to_string()
            .starts_with("/nonexistent/stack.yaml: ")
    );
}

#[test]
fn inline_values_keep_helm_typing() {
    let files = [(
        "stack.yaml",
        "name: s\nenvironments: {e: {values: [{n: 3}]}}\nreleases:\n  - name: a\n    chart: ./c\n    values:\n      - debug: yes\n        tag: \"1.0\"\n        mode: 010\n        num: \"{{ values.n }}\"\n        s: \"{{ 'a: b' }}\"\n        list: [on, 'on']\n        empty:\n",
    )];
    let s = ok(&files, Some("e"));
    let ValuesSource::Inline { yaml_text, origin } = &s.releases[0].values_sources[0] else {
        panic!("expected inline values");
    };
    // Helm's own values loader (go-yaml v2 semantics) decides the types.
    // (A plain key `n` would become "false" there, exactly as in a values
    // file: text is passed through as written.)
    let map = capstan_helm::values::parse_values(yaml_text, origin).unwrap();
    let json = capstan_helm::values::to_json(&gotmpl::value::Value::Map(map)).unwrap();
    assert_eq!(
        json,
        r#"{"debug":true,"empty":null,"list":[true,"on"],"mode":8,"num":3,"s":"a: b","tag":"1.0"}"#
    );
}

#[test]
fn project_openstack_stack_loads_and_plans() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks/openstack.yaml");
    let s = Stack::load(&path, Some("dev")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.releases.len(), 13);
    let plan = crate::plan::Plan::build(&s, &[], false).unwrap();
    let names: Vec<&str> = plan.releases().iter().map(|r| r.name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("mariadb") < pos("keystone") && pos("keystone") < pos("nova"));
    assert_eq!(
        plan.waves().last().map(|w| w[0].name.as_str()),
        Some("nova")
    );
    for r in plan.releases() {
        for v in &r.values_sources {
            if let ValuesSource::File {
                path,
                rendered_text,
            } = v
            {
                capstan_helm::values::parse_values(rendered_text, &path.display().to_string())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
}
