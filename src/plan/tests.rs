use super::*;
use crate::stack::{ChartRef, ReleaseSpec, Selector, Stack};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

fn rel(name: &str, needs: &[&str], tier: &str) -> ReleaseSpec {
    ReleaseSpec {
        name: name.into(),
        namespace: "openstack".into(),
        chart: ChartRef::Local(PathBuf::from(format!("charts/{name}"))),
        version: None,
        labels: BTreeMap::from([("tier".to_string(), tier.to_string())]),
        needs: needs.iter().map(|s| s.to_string()).collect(),
        values_sources: vec![],
        set: vec![],
        installed: true,
        wait: true,
        timeout: Duration::from_secs(300),
        create_namespace: true,
        line: 1,
    }
}

fn stack(releases: Vec<ReleaseSpec>) -> Stack {
    Stack {
        name: "openstack".into(),
        path: PathBuf::from("stack.yaml"),
        dir: PathBuf::from("."),
        environment: None,
        kube_context: None,
        repositories: vec![],
        releases,
    }
}

/// mariadb, memcached, rabbitmq → keystone → glance, nova (nova also needs
/// glance), horizon needs keystone.
fn openstack() -> Stack {
    stack(vec![
        rel("nova", &["keystone", "glance", "rabbitmq"], "api"),
        rel("mariadb", &[], "infra"),
        rel("memcached", &[], "infra"),
        rel("rabbitmq", &[], "infra"),
        rel("keystone", &["mariadb", "memcached", "rabbitmq"], "api"),
        rel("glance", &["keystone", "mariadb"], "api"),
        rel("horizon", &["openstack/keystone"], "ui"),
    ])
}

fn names(v: &[&ReleaseSpec]) -> Vec<String> {
    v.iter().map(|r| r.name.clone()).collect()
}

fn sel(s: &str) -> Vec<Selector> {
    vec![Selector::parse(s).unwrap()]
}

#[test]
fn topological_order_respects_needs_and_file_order() {
    let plan = Plan::build(&openstack(), &[], false).unwrap();
    assert_eq!(
        names(&plan.releases()),
        [
            "mariadb",
            "memcached",
            "rabbitmq",
            "keystone",
            "glance",
            "nova",
            "horizon"
        ]
    );
    assert_eq!(
        names(&plan.reverse_order()),
        [
            "horizon",
            "nova",
            "glance",
            "keystone",
            "rabbitmq",
            "memcached",
            "mariadb"
        ]
    );
}

#[test]
fn waves_are_longest_path_layers() {
    let plan = Plan::build(&openstack(), &[], false).unwrap();
    let waves: Vec<Vec<String>> = plan.waves().iter().map(|w| names(w)).collect();
    assert_eq!(
        waves,
        vec![
            vec!["mariadb", "memcached", "rabbitmq"],
            vec!["keystone"],
            vec!["glance", "horizon"],
            vec!["nova"],
        ]
    );
    assert_eq!(plan.wave_of("nova"), Some(3));
}

#[test]
fn needs_and_dependents() {
    let plan = Plan::build(&openstack(), &[], false).unwrap();
    assert_eq!(plan.needs_of("nova"), ["rabbitmq", "keystone", "glance"]);
    assert_eq!(
        plan.direct_dependents_of("keystone"),
        ["nova", "glance", "horizon"]
    );
    assert_eq!(
        plan.dependents_of("mariadb"),
        ["keystone", "glance", "nova", "horizon"]
    );
    assert_eq!(plan.dependents_of("horizon"), Vec::<&str>::new());
    assert!(plan.needs_of("absent").is_empty());
}

#[test]
fn ready_to_start_follows_completion() {
    let plan = Plan::build(&openstack(), &[], false).unwrap();
    let none = BTreeSet::new();
    assert_eq!(
        plan.ready_to_start(&none, &none),
        ["mariadb", "memcached", "rabbitmq"]
    );
    let done: BTreeSet<&str> = ["mariadb", "memcached", "rabbitmq", "keystone"].into();
    let running: BTreeSet<&str> = ["glance"].into();
    assert_eq!(plan.ready_to_start(&done, &running), ["horizon"]);
}

#[test]
fn cycle_error_names_the_cycle() {
    let s = stack(vec![
        rel("a", &["b"], "x"),
        rel("b", &["c"], "x"),
        rel("c", &["a"], "x"),
        rel("d", &[], "x"),
    ]);
    let err = Plan::build(&s, &sel("name=d"), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle: a → b → c → a (each release needs the next)"
    );
    let s = stack(vec![rel("a", &["a"], "x")]);
    assert_eq!(
        Plan::build(&s, &[], false).unwrap_err(),
        PlanError::Cycle {
            path: vec!["a".into(), "a".into()]
        }
    );
}

#[test]
fn unknown_need_suggests_closest_name() {
    let mut s = openstack();
    s.releases[0].needs.push("keyston".into());
    let err = Plan::build(&s, &[], false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "release nova needs \"keyston\", which is not in the stack; did you mean \"keystone\"?"
    );
    let mut s = openstack();
    s.releases[0].needs.push("other/keystone".into());
    let err = Plan::build(&s, &[], false).unwrap_err();
    assert!(
        err.to_string().contains("is in namespace \"openstack\""),
        "{err}"
    );
}

#[test]
fn need_on_uninstalled_release_is_dropped_with_warning() {
    let mut s = openstack();
    s.releases[2].installed = false; // memcached
    let plan = Plan::build(&s, &[], false).unwrap();
    assert!(plan.release("memcached").is_none());
    assert_eq!(plan.needs_of("keystone"), ["mariadb", "rabbitmq"]);
    assert_eq!(plan.warnings().len(), 1);
    assert!(plan.warnings()[0].contains("keystone needs \"memcached\""));
}

#[test]
fn selection_without_needs_assumes_them_ready() {
    let plan = Plan::build(&openstack(), &sel("name=glance"), false).unwrap();
    assert_eq!(names(&plan.releases()), ["glance"]);
    assert_eq!(plan.assumed_ready("glance"), ["keystone", "mariadb"]);
    assert!(plan.needs_of("glance").is_empty());
}

#[test]
fn selection_with_needs_pulls_in_transitive_closure() {
    let plan = Plan::build(&openstack(), &sel("name=glance"), true).unwrap();
    assert_eq!(
        names(&plan.releases()),
        ["mariadb", "memcached", "rabbitmq", "keystone", "glance"]
    );
    assert!(plan.assumed_ready("glance").is_empty());
    // OR across selectors, AND within.
    let sels = [
        Selector::parse("tier=api,name!=nova").unwrap(),
        Selector::parse("tier=ui").unwrap(),
    ];
    let plan = Plan::build(&openstack(), &sels, false).unwrap();
    assert_eq!(names(&plan.releases()), ["keystone", "glance", "horizon"]);
}

#[test]
fn empty_selection_is_an_error() {
    let err = Plan::build(&openstack(), &sel("tier=storage"), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no installed release matches the selector(s) -l tier=storage"
    );
}

#[test]
fn critical_path_and_layered_makespan() {
    let plan = Plan::build(&openstack(), &[], false).unwrap();
    let w: HashMap<String, Duration> = [
        ("mariadb", 30),
        ("memcached", 5),
        ("rabbitmq", 60),
        ("keystone", 20),
        ("glance", 10),
        ("nova", 40),
        ("horizon", 100),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Duration::from_secs(v)))
    .collect();
    let (total, path) = plan.critical_path(&w);
    // rabbitmq 60 → keystone 80 → horizon 180 beats → glance 90 → nova 130.
    assert_eq!(total, Duration::from_secs(180));
    assert_eq!(path, ["rabbitmq", "keystone", "horizon"]);
    // Waves: max(30,5,60) + 20 + max(10,100) + 40.
    assert_eq!(plan.layered_makespan(&w), Duration::from_secs(220));
    assert_eq!(plan.critical_path(&HashMap::new()).0, Duration::ZERO);
}

#[test]
fn renderers() {
    let s = stack(vec![rel("db", &[], "infra"), rel("api", &["db"], "api")]);
    let plan = Plan::build(&s, &[], false).unwrap();
    assert_eq!(
        plan.to_text(),
        "wave 1\n  db (openstack)\nwave 2\n  api (openstack) needs db\n"
    );
    assert_eq!(
        plan.to_dot(),
        "digraph \"openstack\" {\n  rankdir=LR;\n  node [shape=box];\n  \"db\";\n  \"api\";\n  \"db\" -> \"api\";\n}\n"
    );
    assert_eq!(
        plan.to_mermaid(),
        "flowchart LR\n  r0[\"db\"]\n  r1[\"api\"]\n  r0 --> r1\n"
    );
    let json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(json["waves"], serde_json::json!([["db"], ["api"]]));
    assert_eq!(json["releases"][1]["needs"], serde_json::json!(["db"]));
    assert_eq!(json["releases"][1]["wave"], 2);
    let plan = Plan::build(&s, &sel("name=api"), false).unwrap();
    assert_eq!(
        plan.to_text(),
        "wave 1\n  api (openstack) assumed ready: db\n"
    );
}

#[test]
fn large_chain_has_no_recursion_limit() {
    let n = 20_000;
    let names: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
    let releases = (0..n)
        .map(|i| {
            let needs: Vec<&str> = if i == 0 {
                vec![]
            } else {
                vec![names[i - 1].as_str()]
            };
            rel(&names[i], &needs, "x")
        })
        .collect();
    let plan = Plan::build(&stack(releases), &[], false).unwrap();
    assert_eq!(plan.waves().len(), n);
}

#[test]
fn plan_from_loaded_stack_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stack.yaml"),
        "name: s\nenvironments: {dev: {values: [{cache: false}]}}\nreleases:\n  - {name: db, chart: ./db}\n  - {name: cache, chart: ./cache, installed: \"{{ values.cache }}\"}\n  - {name: api, chart: ./api, needs: [db, cache]}\n",
    )
    .unwrap();
    let s = Stack::load(&dir.path().join("stack.yaml"), Some("dev")).unwrap();
    let plan = Plan::build(&s, &[], false).unwrap();
    assert_eq!(names(&plan.releases()), ["db", "api"]);
    assert_eq!(plan.warnings().len(), 1);
}
