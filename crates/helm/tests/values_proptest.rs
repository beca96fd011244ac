//! The values loader and printers never panic, and aliases stay within budget.

use capstan_helm::values::strvals::parse_set;
use capstan_helm::values::{parse_values, parse_yaml_value, to_json, to_yaml};
use gotmpl::value::Value;
use proptest::prelude::*;

/// Text built from YAML's structural characters, so the parser sees deep and odd shapes.
fn yamlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "a",
        "b",
        "1",
        "0x1F",
        "0755",
        ".5",
        "yes",
        "~",
        "null",
        "'q'",
        "\"d\\n\"",
        ":",
        ": ",
        "- ",
        "-",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&x ",
        "*x",
        "&y ",
        "*y",
        "<<: ",
        "!!str ",
        "!!int ",
        "!!binary ",
        "|",
        "|-",
        ">",
        "#",
        "\n",
        "\n  ",
        "\n    ",
        " ",
        "\t",
        "---\n",
        "...\n",
        "?",
        "%",
        "@",
        "é",
        "\u{FEFF}",
        "\\",
        "1e400",
        "2001-12-14",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn loader_never_panics(text in yamlish()) {
        if let Ok(m) = parse_values(&text, "fuzz.yaml") {
            // Whatever loads also prints.
            let _ = to_yaml(&Value::Map(m.clone()));
            let _ = to_json(&Value::Map(m));
        }
        let _ = parse_yaml_value(&text);
    }

    #[test]
    fn loader_never_panics_on_any_text(text in ".{0,200}") {
        let _ = parse_values(&text, "fuzz.yaml");
    }

    #[test]
    fn strvals_never_panic(text in "[a-c0-2.\\[\\]=,{}\\\\ ]{0,40}") {
        let _ = parse_set(&text);
    }

    /// Chains of anchors that each reference the previous one `fanout` times grow as
    /// fanout^depth: small ones load, big ones are refused, none blows up.
    #[test]
    fn alias_budget(fanout in 2usize..12, depth in 1usize..12) {
        let mut text = String::from("a0: &a0 [x, y]\n");
        for i in 1..=depth {
            let refs = vec![format!("*a{}", i - 1); fanout].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let expanded = (fanout as f64).powi(depth as i32);
        match parse_values(&text, "bomb.yaml") {
            Ok(_) => prop_assert!(expanded < 5e6, "{fanout}^{depth} should have been refused"),
            Err(e) => prop_assert!(e.to_string().contains("excessive aliasing"), "{e}"),
        }
    }
}

/// Strings mixing YAML indicators, spaces, breaks and non-ASCII text. Left out: U+2028
/// and U+2029 (go-yaml reads them as YAML 1.1 line breaks, granit-parser as text),
/// U+0085 (Helm's toYaml itself folds it, or fails on it in keys) and "<<" (Helm prints
/// that key plain, so its own output reads back as a merge).
fn tricky_string() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "a",
        "y",
        "no",
        "1",
        "0x1",
        "1.5",
        "~",
        "",
        " ",
        "  ",
        "\n",
        "\t",
        ":",
        ": ",
        "- ",
        "#",
        " #",
        "'",
        "\"",
        "\\",
        "{",
        "[",
        ",",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%",
        "@",
        "`",
        "?",
        "---",
        "é",
        "✓",
        "😀",
        "2001-12-14",
        "1:20",
        "word ",
        "longword-longword-longword ",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

fn value_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        (-1e12f64..1e12).prop_map(Value::Float),
        prop::sample::select(vec![0.0, -0.0, 1e21, 1e-7, 1234567.5, 1e300, 0.1])
            .prop_map(Value::Float),
        tricky_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::list),
            prop::collection::btree_map(tricky_string(), inner, 0..5).prop_map(Value::map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// What the emitter prints reads back as the same values (go-yaml's emitter
    /// guarantees it; ours must too). Helm's `toYaml` trims the document's final newline,
    /// which changes a keep-chomped (`|2+`) block scalar at the very end of the document
    /// (`a: "\n"` prints `a: |2+` plus an empty line), so the newline is put back before
    /// reading: the property is about the emitter, not about that trim.
    #[test]
    fn to_yaml_round_trips(entries in prop::collection::btree_map(tricky_string(), value_tree(), 0..6)) {
        let original = Value::map(entries);
        let text = to_yaml(&original).unwrap() + "\n";
        let back = parse_values(&text, "roundtrip.yaml")
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        prop_assert_eq!(Value::Map(back), original, "printed:\n{}", text);
    }
}

/// Nesting as deep as the loader allows (aliases can nest past the parser's own limit)
/// loads, prints and drops within a test thread's 2 MiB stack.
#[test]
fn deep_alias_chains_are_bounded() {
    // Each anchor nests the previous one ten lists deeper: 87 anchors (each list and alias one level) reach depth ~960.
    let mut text = String::from("a0: &a0 [x]\n");
    for i in 1..88 {
        text.push_str(&format!(
            "a{i}: &a{i} {}*a{}{}\n",
            "[".repeat(10),
            i - 1,
            "]".repeat(10)
        ));
    }
    let m = parse_values(&text, "deep.yaml").unwrap();
    let printed = to_yaml(&Value::Map(m.clone())).unwrap();
    assert!(printed.len() > 1000);
    assert!(to_json(&Value::Map(m)).is_ok());
    text.push_str(&format!("over: {}*a87{}\n", "[".repeat(60), "]".repeat(60)));
    let Err(err) = parse_values(&text, "deeper.yaml") else {
        panic!("nesting past the depth limit must be refused");
    };
    assert!(err.to_string().contains("exceeded max depth"), "{err}");
}

/// A values file of about 1 MB loads and prints in well under a second in release
/// (generous bound here: debug build on a shared machine).
#[test]
fn large_values_file() {
    let mut text = String::new();
    for i in 0..8000 {
        text.push_str(&format!(
            "key{i}:\n  name: \"service {i}\"\n  port: {i}\n  enabled: yes\n  tags: [a, b, c]\n  \
             description: a long description line that goes on and on past the eighty column limit for folding\n"
        ));
    }
    let start = std::time::Instant::now();
    let m = parse_values(&text, "big.yaml").unwrap();
    let parsed = start.elapsed();
    let out = to_yaml(&Value::Map(m)).unwrap();
    let total = start.elapsed();
    eprintln!(
        "{} bytes: parse {parsed:?}, parse+toYaml {total:?} ({} bytes out)",
        text.len(),
        out.len()
    );
    assert!(total.as_secs() < 30);
}
