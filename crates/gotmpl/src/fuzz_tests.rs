//! Property tests: arbitrary template text never panics the lexer, parser or
//! executor, and always ends in output or an error.

use proptest::prelude::*;

use crate::func::FuncMap;
use crate::template::{Limits, MissingKey, Templates};
use crate::value::Value;

/// Fragments that steer random text into the interesting corners of the grammar.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "1.5e3",
    "0x1F",
    "nil",
    "true",
    "and",
    "or",
    "not",
    "eq",
    "len",
    "index",
    "slice",
    "printf",
    "print",
    "\"%d %s %v\"",
    "/*",
    "*/",
    ",",
    "\"x\"",
    "call",
    "html",
    "js",
    "urlquery",
    "lt",
    "ge",
    "upper",
];

fn data() -> Value {
    let j = serde_json::json!({"a": {"b": [1, 2.5, "s", null, {"c": true}]}, "b": {"c": "x"}, "n": null});
    Value::from_json(&j, false)
}

fn set() -> Templates {
    let mut t = Templates::new();
    let mut f = FuncMap::new();
    f.add("upper", |a: &[Value]| {
        Ok(Value::from(crate::gofmt::sprint(a).to_uppercase()))
    });
    t.funcs(f);
    t.set_limits(Limits {
        max_exec_depth: 50,
        max_output_bytes: 1 << 16,
        max_value_bytes: 1 << 16,
        max_parse_depth: 64,
        max_range_int: 1000,
        max_steps: 100_000,
    });
    t
}

fn exercise(text: &str) {
    for mk in [MissingKey::Default, MissingKey::Zero, MissingKey::Error] {
        let mut t = set();
        t.option_missing_key(mk);
        if t.parse("t", text).is_ok() {
            for name in t.names() {
                let _ = t.execute(&name, &data());
            }
        }
    }
}

/// Operands that parse in any context (no variables but `$`).
const OPERANDS: &[&str] = &[
    ".",
    ".a",
    ".a.b",
    ".b.c",
    ".n",
    ".n.x",
    "$",
    "$.a.b",
    "1",
    "2.5",
    "-1",
    "\"s\"",
    "nil",
    "true",
    "(len .a.b)",
    "(index .a.b 4)",
    "(index .a.b 9)",
    "(print .a)",
    "(eq 1 1)",
    "(slice .a.b 1)",
    "(and .a .n)",
    "(or .n 0)",
];

const FUNCS: &[&str] = &[
    "print",
    "printf \"%v %d\"",
    "len",
    "index",
    "eq",
    "lt",
    "not",
    "and",
    "or",
    "html",
    "js",
    "upper",
    "slice",
    "urlquery",
    "ne",
    "ge",
    "call",
];

fn pipeline() -> impl Strategy<Value = String> {
    (
        prop::sample::select(FUNCS),
        prop::collection::vec(prop::sample::select(OPERANDS), 0..3),
        prop::option::of(prop::sample::select(FUNCS)),
    )
        .prop_map(|(f, args, tail)| {
            let mut p = if args.is_empty() {
                f.to_string()
            } else {
                format!("{f} {}", args.join(" "))
            };
            if let Some(t) = tail {
                p = format!("{p} | {t}");
            }
            p
        })
}

/// Grammatically valid templates built from nested control structures.
fn template() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z \\n]{0,4}".prop_map(|s| s.to_string()),
        pipeline().prop_map(|p| format!("{{{{{p}}}}}")),
        prop::sample::select(OPERANDS).prop_map(|o| format!("{{{{- {o} -}}}}")),
        Just("{{$x := .a}}{{$x.b}}".to_string()),
        Just("{{template \"d\" .a}}".to_string()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
            (pipeline(), inner.clone(), inner.clone())
                .prop_map(|(p, a, b)| format!("{{{{if {p}}}}}{a}{{{{else}}}}{b}{{{{end}}}}")),
            (prop::sample::select(OPERANDS), inner.clone()).prop_map(|(o, a)| format!(
                "{{{{range $i, $v := {o}}}}}{a}{{{{$v}}}}{{{{break}}}}{{{{end}}}}"
            )),
            (prop::sample::select(OPERANDS), inner.clone(), inner.clone()).prop_map(
                |(o, a, b)| format!("{{{{with {o}}}}}{a}{{{{else with .n}}}}{b}{{{{end}}}}")
            ),
            (prop::sample::select(OPERANDS), inner)
                .prop_map(|(o, a)| format!("{{{{range {o}}}}}{{{{continue}}}}{a}{{{{end}}}}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, .. ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(PIECES), 0..40)) {
        exercise(&parts.concat());
    }

    #[test]
    fn valid_templates_never_panic(body in template(), def in template()) {
        let text = format!("{{{{define \"d\"}}}}{def}{{{{end}}}}{body}");
        let mut t = set();
        prop_assert!(t.parse("t", &text).is_ok(), "{text}: {:?}", t.parse("t", &text));
        exercise(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        exercise(&text);
    }

    #[test]
    fn printf_never_panics(format in "[%a-z0-9.*#+\\- \\[\\]]{0,24}", n in 0usize..4) {
        let args: Vec<Value> = [Value::Int(-3), Value::Float(2.5), Value::str("é"), Value::Nil]
            .into_iter().take(n).collect();
        let _ = crate::gofmt::sprintf(&format, &args);
    }
}
