//! Execution tests: expected outputs and error texts are Go's (text/template as used
//! by Helm), checked case by case against Go's exec_test.go behaviour.

use crate::func::{FuncError, FuncMap, Runtime};
use crate::template::{Limits, MissingKey, Templates};
use crate::value::{MapInner, Value};

fn json(s: &str) -> Value {
    let j: serde_json::Value = serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"));
    Value::from_json(&j, true)
}

fn set_with(text: &str, mk: MissingKey) -> Result<Templates, String> {
    let mut t = Templates::new();
    t.option_missing_key(mk);
    let mut f = FuncMap::new();
    f.add("upper", |a: &[Value]| match a {
        [Value::String(s)] => Ok(Value::from(s.to_uppercase())),
        _ => Err(FuncError::wrong_args("upper", 1, a.len())),
    });
    f.add("fail", |_a: &[Value]| Err(FuncError::new("boom")));
    f.add("nilfn", |_a: &[Value]| Ok(Value::Nil));
    f.add("dict", |a: &[Value]| {
        let mut m = MapInner::new();
        for pair in a.chunks(2) {
            if let [Value::String(k), v] = pair {
                m.insert(k.to_string(), v.clone());
            }
        }
        Ok(Value::map(m))
    });
    f.add("set", |a: &[Value]| match a {
        [Value::Map(m), Value::String(k), v] => {
            m.insert(k.to_string(), v.clone());
            Ok(Value::Map(m.clone()))
        }
        _ => Err(FuncError::new("bad set")),
    });
    f.add_with_runtime("include", |rt: &mut dyn Runtime, a: &[Value]| match a {
        [Value::String(n), d] => {
            let n = n.to_string();
            let count = rt.enter_include(&n);
            if count > 1001 {
                rt.exit_include(&n);
                return Err(FuncError::new(format!(
                    "rendering template has a nested reference name: {n}: unable to execute template"
                )));
            }
            let r = rt.execute_template(&n, d.clone());
            rt.exit_include(&n);
            r
        }
        _ => Err(FuncError::new("bad include")),
    });
    f.add_with_runtime("tpl", |rt: &mut dyn Runtime, a: &[Value]| match a {
        [Value::String(text), d] => rt.execute_text("gotpl", text, d.clone()),
        _ => Err(FuncError::new("bad tpl")),
    });
    f.add_with_runtime("curname", |rt: &mut dyn Runtime, _a: &[Value]| {
        Ok(Value::from(rt.current_template()))
    });
    t.funcs(f);
    t.parse("t", text).map_err(|e| e.to_string())?;
    Ok(t)
}

fn run_mk(text: &str, data: &str, mk: MissingKey) -> Result<String, String> {
    let t = set_with(text, mk)?;
    t.execute("t", &json(data)).map_err(|e| e.to_string())
}

fn run(text: &str, data: &str) -> String {
    run_mk(text, data, MissingKey::Default).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn err(text: &str, data: &str) -> String {
    match run_mk(text, data, MissingKey::Default) {
        Ok(out) => panic!("{text}: expected an error, got {out:?}"),
        Err(e) => e,
    }
}

fn err_zero(text: &str, data: &str) -> String {
    match run_mk(text, data, MissingKey::Zero) {
        Ok(out) => panic!("{text}: expected an error, got {out:?}"),
        Err(e) => e,
    }
}

#[test]
fn text_fields_and_trim() {
    assert_eq!(
        run("hello {{.name}}!", r#"{"name":"world"}"#),
        "hello world!"
    );
    assert_eq!(run("{{.a.b.c}}", r#"{"a":{"b":{"c":3}}}"#), "3");
    assert_eq!(run("a  {{- .x -}}  b", r#"{"x":1}"#), "a1b");
    assert_eq!(run("a\n  {{- /* c */ -}}\n b", "{}"), "ab");
    assert_eq!(run("{{.missing}}", "{}"), "<no value>");
    assert_eq!(run("{{.}}", "null"), "<no value>");
    assert_eq!(
        run("{{.f}} {{.i}} {{.s}}", r#"{"f":1.5,"i":1000000,"s":"x"}"#),
        "1.5 1000000 x"
    );
    assert_eq!(
        run(
            "{{.m}} {{.l}}",
            r#"{"m":{"b":2,"a":[1,"x"]},"l":[true,null]}"#
        ),
        "map[a:[1 x] b:2] [true <nil>]"
    );
    assert_eq!(
        run("{{1e6}} {{1.0}} {{0x10}} {{'a'}} {{-3}} {{1_000}}", "{}"),
        "1e+06 1 16 97 -3 1000"
    );
    assert_eq!(
        run(r#"{{"a\tb"}} {{`raw\n`}} {{true}}"#, "{}"),
        "a\tb raw\\n true"
    );
}

#[test]
fn missing_keys() {
    // default: chains through missing keys yield no value.
    assert_eq!(run("{{.a.b.c}}", "{}"), "<no value>");
    // zero (Helm): a missing key is a nil interface; going further is an error.
    assert_eq!(
        run_mk("{{.a}}", "{}", MissingKey::Zero),
        Ok("<no value>".into())
    );
    assert_eq!(
        err_zero("x\n  {{ .Values.a.b }}", r#"{"Values":{}}"#),
        "template: t:2:12: executing \"t\" at <.Values.a.b>: nil pointer evaluating interface {}.b"
    );
    // A present null behaves the same in every mode.
    assert_eq!(
        err("{{.a.b}}", r#"{"a":null}"#),
        "template: t:1:4: executing \"t\" at <.a.b>: nil pointer evaluating interface {}.b"
    );
    assert_eq!(
        run_mk("{{.a}}", "{}", MissingKey::Error)
            .err()
            .unwrap_or_default(),
        "template: t:1:2: executing \"t\" at <.a>: map has no entry for key \"a\""
    );
    assert_eq!(
        run_mk("{{$x := .a}}{{$x.b}}", "{}", MissingKey::Error)
            .err()
            .unwrap_or_default(),
        "template: t:1:8: executing \"t\" at <.a>: map has no entry for key \"a\""
    );
    // A field of a non-map inside a map is evaluated on interface {}.
    assert_eq!(
        err("{{.a.b}}", r#"{"a":"str"}"#),
        "template: t:1:4: executing \"t\" at <.a.b>: can't evaluate field b in type interface {}"
    );
    assert_eq!(
        err("{{with .a}}{{.b}}{{end}}", r#"{"a":"str"}"#),
        "template: t:1:13: executing \"t\" at <.b>: can't evaluate field b in type string"
    );
    assert_eq!(
        err("{{.a 1}}", r#"{"a":{}}"#),
        "template: t:1:2: executing \"t\" at <.a>: a is not a method but has arguments"
    );
    // Missing values handed to functions are nil.
    assert_eq!(
        run("{{printf \"%v\" .nope}} {{print .nope}}", "{}"),
        "<nil> <nil>"
    );
    // A variable holding no value yields no value for its fields.
    assert_eq!(
        run_mk("{{$x := .a}}{{$x.b}}", "{}", MissingKey::Zero),
        Ok("<no value>".into())
    );
    // Range elements are interface slots.
    assert_eq!(
        err("{{range .}}{{.x}}{{end}}", "[null]"),
        "template: t:1:13: executing \"t\" at <.x>: nil pointer evaluating interface {}.x"
    );
}

#[test]
fn conditionals() {
    let d = r#"{"t":true,"f":false,"z":0,"e":"","l":[],"m":{},"n":null,"s":"x"}"#;
    assert_eq!(run("{{if .t}}y{{else}}n{{end}}", d), "y");
    for k in ["f", "z", "e", "l", "m", "n", "missing"] {
        assert_eq!(
            run(&format!("{{{{if .{k}}}}}y{{{{else}}}}n{{{{end}}}}"), d),
            "n",
            "{k}"
        );
    }
    assert_eq!(
        run("{{if .f}}a{{else if .z}}b{{else if .s}}c{{end}}", d),
        "c"
    );
    assert_eq!(
        run(
            "{{with .s}}[{{.}}]{{end}}{{with .e}}x{{else}}none{{end}}",
            d
        ),
        "[x]none"
    );
    assert_eq!(
        run("{{with .f}}a{{else with .s}}{{.}}{{else}}c{{end}}", d),
        "x"
    );
    assert_eq!(
        run(
            "{{if and .t .s}}{{and .t .s}}{{end}} {{or .f .z .s}} {{or .f .z}} {{and .t .z .s}}",
            d
        ),
        "x x 0 0"
    );
    assert_eq!(
        run("{{not .t}} {{not .n}} {{not .l}}", d),
        "false true true"
    );
    // Short-circuit: the failing call is never made.
    assert_eq!(run("{{and .f (fail)}} {{or .t (fail)}}", d), "false true");
    assert_eq!(run("{{.t | and .s}} {{.f | or .e}}", d), "true false");
}

#[test]
fn ranges() {
    assert_eq!(run("{{range .}}[{{.}}]{{end}}", "[1,2,3]"), "[1][2][3]");
    assert_eq!(
        run("{{range $i, $v := .}}{{$i}}={{$v}} {{end}}", r#"["a","b"]"#),
        "0=a 1=b "
    );
    assert_eq!(
        run(
            "{{range $k, $v := .}}{{$k}}={{$v}};{{end}}",
            r#"{"b":2,"a":1,"c":3}"#
        ),
        "a=1;b=2;c=3;"
    );
    assert_eq!(
        run("{{range $v := .}}{{$v}}{{end}}", r#"{"b":2,"a":1}"#),
        "12"
    );
    // Keys reach only a two-variable range; assignments see them too.
    assert_eq!(
        run(
            "{{$k := 0}}{{$v := 0}}{{range $k, $v = .}}{{end}}{{$k}}:{{$v}}",
            r#"{"b":2,"a":1}"#
        ),
        "b:2"
    );
    assert_eq!(
        run(
            "{{$v := 0}}{{range $v = .}}{{end}}{{$v}}",
            r#"{"b":2,"a":1}"#
        ),
        "2"
    );
    assert_eq!(run("{{range .}}x{{else}}empty{{end}}", "[]"), "empty");
    assert_eq!(run("{{range .nope}}x{{else}}empty{{end}}", "{}"), "empty");
    assert_eq!(run("{{range 3}}{{.}}{{end}}", "{}"), "012");
    assert_eq!(run("{{range $i := 3}}{{$i}}{{end}}", "{}"), "012");
    assert_eq!(run("{{range 0}}x{{else}}none{{end}}", "{}"), "none");
    assert_eq!(
        run(
            "{{range .}}{{if eq . 3}}{{break}}{{end}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}",
            "[0,1,2,3,4]"
        ),
        "02"
    );
    assert_eq!(
        run(
            "{{range .}}{{range .}}{{break}}{{end}}{{.}}{{end}}",
            "[[1],[2]]"
        ),
        "[1][2]"
    );
    assert_eq!(
        err("{{range .}}{{end}}", "3.5"),
        "template: t:1:8: executing \"t\" at <.>: range can't iterate over 3.5"
    );
    assert_eq!(
        err("{{range $i, $v := 3}}{{end}}", "{}"),
        "template: t:1:18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"
    );
    assert_eq!(
        run(
            "{{$i := 0}}{{$v := 0}}{{range $i, $v = .}}{{end}}{{$i}}:{{$v}}",
            "[7,8]"
        ),
        "1:8"
    );
    assert_eq!(
        run("{{$v := 0}}{{range $v = .}}{{end}}{{$v}}", "[7,8]"),
        "8"
    );
    // Variables declared in the body do not leak; $ stays the root.
    assert_eq!(
        run(
            "{{range .l}}{{$x := .}}{{$.n}}{{$x}}{{end}}",
            r#"{"l":[1,2],"n":"N"}"#
        ),
        "N1N2"
    );
}

#[test]
fn variables() {
    assert_eq!(run("{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}", "{}"), "12");
    assert_eq!(
        run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "{}"),
        "2"
    );
    assert_eq!(
        run("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "{}"),
        "21"
    );
    assert_eq!(
        run("{{$m := .m}}{{$m.a}} {{$.m.a}}", r#"{"m":{"a":"A"}}"#),
        "A A"
    );
    assert_eq!(
        run(
            "{{(dict \"a\" 1).a}} {{ (index .l 0).x }}",
            r#"{"l":[{"x":"X"}]}"#
        ),
        "1 X"
    );
    // Maps are shared references: `set` is visible through every holder.
    assert_eq!(
        run("{{$d := dict}}{{$_ := set $d \"k\" \"v\"}}{{$d.k}}", "{}"),
        "v"
    );
}

#[test]
fn templates_and_blocks() {
    assert_eq!(
        run(
            "{{define \"x\"}}[{{.}}]{{end}}{{template \"x\" .a}}{{template \"x\"}}",
            r#"{"a":1}"#
        ),
        "[1][<no value>]"
    );
    assert_eq!(
        run("{{block \"b\" .}}default {{.}}{{end}}", "5"),
        "default 5"
    );
    // A later definition replaces an earlier one; an empty one never does.
    let mut t = set_with(
        "{{define \"x\"}}one{{end}}{{template \"x\"}}",
        MissingKey::Default,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.execute("t", &Value::Nil).ok(), Some("one".to_string()));
    t.parse("u", "{{define \"x\"}}two{{end}}")
        .unwrap_or_else(|e| panic!("{e}"));
    t.parse("v", "{{define \"x\"}} {{end}}")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.execute("t", &Value::Nil).ok(), Some("two".to_string()));
    assert_eq!(t.names(), vec!["t", "u", "v", "x"]);
    assert!(t.lookup("x") && !t.lookup("y"));
    assert_eq!(
        t.execute("nope", &Value::Nil).err().map(|e| e.to_string()),
        Some("template: no template \"nope\" associated with template \"\"".to_string())
    );
    assert_eq!(
        err("{{template \"nope\"}}", "{}"),
        "template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined"
    );
    // Errors inside a definition name its file and the definition.
    let mut t = set_with("{{define \"inner\"}}\n  {{.a.b}}{{end}}", MissingKey::Zero)
        .unwrap_or_else(|e| panic!("{e}"));
    t.parse("main", "{{template \"inner\" .}}")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.execute("main", &json("{}")).err().map(|e| e.to_string()),
        Some(
            "template: t:2:6: executing \"inner\" at <.a.b>: nil pointer evaluating interface {}.b"
                .to_string()
        )
    );
}

#[test]
fn include_and_tpl_through_runtime() {
    let text = "{{define \"n\"}}{{.x | upper}}{{end}}{{include \"n\" . | printf \"<%s>\"}} {{tpl \"{{.x}}-{{include \\\"n\\\" .}}\" .}}";
    assert_eq!(run(text, r#"{"x":"a"}"#), "<A> a-A");
    // tpl definitions are visible while it runs, not afterwards.
    assert_eq!(
        run(
            "{{tpl \"{{define \\\"q\\\"}}Q{{end}}{{include \\\"q\\\" .}}\" .}}",
            "{}"
        ),
        "Q"
    );
    assert_eq!(
        err(
            "{{tpl \"{{define \\\"q\\\"}}Q{{end}}\" .}}{{include \"q\" .}}",
            "{}"
        ),
        "template: t:1:38: executing \"t\" at <include \"q\" .>: error calling include: template: no template \"q\" associated with template \"\""
    );
    // Errors nest as Go prints them.
    assert_eq!(
        err(
            "{{define \"bad\"}}{{fail}}{{end}}{{include \"bad\" .}}",
            "{}"
        ),
        "template: t:1:33: executing \"t\" at <include \"bad\" .>: error calling include: template: t:1:18: executing \"bad\" at <fail>: error calling fail: boom"
    );
    assert_eq!(
        err("{{tpl \"{{\" .}}", "{}"),
        "template: t:1:2: executing \"t\" at <tpl \"{{\" .>: error calling tpl: template: gotpl:1: unclosed action"
    );
    assert_eq!(
        run(
            "{{define \"n\"}}{{curname}}{{end}}{{curname}} {{include \"n\" .}}",
            "{}"
        ),
        "t n"
    );
}

#[test]
fn include_recursion_is_bounded() {
    let e = err(
        "{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}",
        "{}",
    );
    assert!(
        e.contains("rendering template has a nested reference name: r: unable to execute template"),
        "{e}"
    );
    let e = err(
        "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
        "{}",
    );
    assert!(
        e.ends_with("exceeded maximum template depth (10000)"),
        "{e}"
    );
}

#[test]
fn function_errors() {
    assert_eq!(
        err("{{fail 1 2}}", "{}"),
        "template: t:1:2: executing \"t\" at <fail 1 2>: error calling fail: boom"
    );
    assert_eq!(
        err("{{upper}}", "{}"),
        "template: t:1:2: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0"
    );
    assert_eq!(
        err("{{eq 1 1.0}}", "{}"),
        "template: t:1:2: executing \"t\" at <eq 1 1.0>: error calling eq: incompatible types for comparison: int and float64"
    );
    assert_eq!(
        err("x\n{{ .a | index .l }}", r#"{"l":[1],"a":5}"#),
        "template: t:2:8: executing \"t\" at <index .l>: error calling index: index out of range: 5"
    );
    // A missing key is no value at all under the default missingkey (Go's
    // `canBeNil` lets it through to `len` as a zero reflect.Value); Helm's
    // missingkey=zero makes it a nil interface, "len of nil pointer".
    assert_eq!(
        err("{{len .nope}}", "{}"),
        "template: t:1:2: executing \"t\" at <len .nope>: error calling len: reflect: call of reflect.Value.Type on zero Value"
    );
    assert_eq!(
        run_mk("{{len .nope}}", "{}", MissingKey::Zero).unwrap_err(),
        "template: t:1:2: executing \"t\" at <len .nope>: error calling len: len of nil pointer"
    );
    assert_eq!(
        err("{{len 1 2}}", "{}"),
        "template: t:1:2: executing \"t\" at <len>: wrong number of args for len: want 1 got 2"
    );
    assert_eq!(
        err("{{nil}}", "{}"),
        "template: t:1:2: executing \"t\" at <nil>: nil is not a command"
    );
    assert_eq!(
        err("{{1 2}}", "{}"),
        "template: t:1:2: executing \"t\" at <1>: can't give argument to non-function 1"
    );
    assert_eq!(
        err("{{call .f}}", "{}"),
        "template: t:1:2: executing \"t\" at <call .f>: error calling call: call of nil"
    );
    assert_eq!(
        err("{{nosuch}}", "{}"),
        "template: t:1: function \"nosuch\" not defined"
    );
}

#[test]
fn builtins_in_templates() {
    assert_eq!(
        run(
            "{{eq .a \"x\" \"y\"}} {{ne 1 2}} {{lt 1 2}} {{ge 2.5 2.5}} {{eq .missing nil}}",
            r#"{"a":"y"}"#
        ),
        "true true true true true"
    );
    assert_eq!(
        run(
            "{{index . \"a\" 1 \"b\"}} {{index .a 0}}",
            r#"{"a":[0,{"b":"B"}]}"#
        ),
        "B 0"
    );
    assert_eq!(run("{{len .}} {{len \"héllo\"}}", r#"[1,2]"#), "2 6");
    assert_eq!(
        run("{{slice \"abcdef\" 1 3}} {{slice .}}", "[1,2]"),
        "bc [1 2]"
    );
    assert_eq!(
        run(
            "{{print 1 2 \"a\" 3}}|{{println \"x\" 1}}|{{printf \"%d-%s\" 3 \"z\"}}",
            "{}"
        ),
        "1 2a3|x 1\n|3-z"
    );
    assert_eq!(
        run("{{printf \"%d\" .r}}", r#"{"r":3.0}"#),
        "%!d(float64=3)"
    );
    assert_eq!(
        run(
            "{{html \"<a>\"}} {{js \"it's\"}} {{urlquery \"a b\"}}",
            "{}"
        ),
        "&lt;a&gt; it\\'s a+b"
    );
    assert_eq!(run("{{\"x\" | printf \"%s-%s\" \"y\"}}", "{}"), "y-x");
    assert_eq!(
        run("{{nilfn}}|{{if nilfn}}t{{else}}f{{end}}", "{}"),
        "<no value>|f"
    );
}

#[test]
fn limits_are_enforced() {
    let mut t = Templates::new();
    t.set_limits(Limits {
        max_output_bytes: 10,
        ..Limits::default()
    });
    t.parse("t", "{{range 100}}x{{end}}")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = t
        .execute("t", &Value::Nil)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("output exceeds the limit of 10 bytes"), "{e}");
    let mut t = Templates::new();
    t.parse("t", "{{range 1000000000000}}{{end}}")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(t.execute("t", &Value::Nil).is_err());
}

/// Runs `text` with a value limit of `max` bytes and Sprig, returning the error text.
fn value_limit_error(text: &str, max: usize) -> String {
    let mut t = Templates::new();
    t.funcs(crate::sprig::funcs());
    t.set_limits(Limits {
        max_value_bytes: max,
        ..Limits::default()
    });
    t.parse("t", text).unwrap_or_else(|e| panic!("{e}"));
    match t.execute("t", &Value::Nil) {
        Ok(out) => panic!("{text}: expected an error, printed {} bytes", out.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_doubling_variable_stops_one_step_past_the_value_limit() {
    let e = value_limit_error(
        r#"{{ $s := "xxxxxxxxxx" }}{{ range 40 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}"#,
        1000,
    );
    assert_eq!(
        e,
        "template: t:1:46: executing \"t\" at <print $s $s>: error calling print: \
         result of at least 1280 bytes exceeds the limit of 1000 bytes"
    );
    // A pipeline's last command is checked too.
    let e = value_limit_error(
        r#"{{ $s := "xxxxxxxxxx" }}{{ range 40 }}{{ $s = $s | printf "%s%s" $s }}{{ end }}"#,
        1000,
    );
    assert!(
        e.contains("error calling printf: result of at least 1280 bytes"),
        "{e}"
    );
}

/// `$s`: 500 bytes; `$l`: a list holding `$s` 1,000 times (lists share strings);
/// `$d`: a map that holds the previous level twice, 40 levels (2^40 leaves).
const BIG: &str = r#"{{ $s := repeat 500 "x" }}{{ $l := list }}{{ range 1000 }}{{ $l = append $l $s }}{{ end }}{{ $d := dict "k" "v" }}{{ range 40 }}{{ $d = dict "a" $d "b" $d }}{{ end }}"#;

#[test]
fn any_function_result_over_the_limit_fails() {
    // A function without its own check: exec checks what it returns.
    let mut t = Templates::new();
    let mut f = FuncMap::new();
    f.add("big", |_| Ok(Value::from("x".repeat(1001))));
    f.add("bytes", |_| Ok(Value::Bytes(vec![0u8; 1001].into())));
    t.funcs(f);
    t.set_limits(Limits {
        max_value_bytes: 1000,
        ..Limits::default()
    });
    t.parse("t", "{{ $x := bytes }}{{ big }}")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = t.execute("t", &Value::Nil).map_err(|e| e.to_string());
    assert_eq!(
        e,
        Err(
            "template: t:1:9: executing \"t\" at <bytes>: error calling bytes: \
             result of 1001 bytes exceeds the limit of 1000 bytes"
                .to_string()
        )
    );
}

#[test]
fn one_call_cannot_build_a_value_over_the_limit() {
    let cases = [
        // (call, function named in the error)
        (r#"{{ repeat 2000000000 "x" }}"#, "repeat"),
        (r#"{{ printf "%600d%600d" 1 2 }}"#, "printf"),
        (r#"{{ printf "%s%s%s" $s $s $s }}"#, "printf"),
        (r#"{{ printf "%v" $d }}"#, "printf"),
        (r#"{{ indent 100000000 $s }}"#, "indent"),
        (r#"{{ nindent 2000 "a" }}"#, "nindent"),
        (r#"{{ join "" $l }}"#, "join"),
        (r#"{{ cat $s $s $s }}"#, "cat"),
        (r#"{{ cat $d }}"#, "cat"),
        (r#"{{ print $l }}"#, "print"),
        (r#"{{ println $d }}"#, "println"),
        (r#"{{ quote $s $s $s }}"#, "quote"),
        (r#"{{ squote $l }}"#, "squote"),
        (r#"{{ replace "x" "yyyy" $s }}"#, "replace"),
        (r#"{{ replace "" "yyyy" $s }}"#, "replace"),
        (r#"{{ wrapWith 1 "------" $s }}"#, "wrapWith"),
        (r#"{{ toString $d }}"#, "toString"),
        (r#"{{ toJson $d }}"#, "toJson"),
        (r#"{{ mustToRawJson $d }}"#, "mustToRawJson"),
        (r#"{{ toPrettyJson $l }}"#, "toPrettyJson"),
    ];
    for (call, name) in cases {
        let text = format!("{BIG}{call}");
        let e = value_limit_error(&text, 1000);
        assert!(
            e.contains(&format!("error calling {name}: result of "))
                && e.contains("exceeds the limit of 1000 bytes"),
            "{call}: {e}"
        );
    }
}

#[test]
fn indented_printers_count_their_indentation() {
    // 100 nested lists: 202 bytes of JSON, 100 * 99 / 2 bytes of indentation at least.
    let text = r#"{{ $l := list }}{{ range 100 }}{{ $l = list $l }}{{ end }}{{ len (toJson $l) }} {{ toPrettyJson $l }}"#;
    let e = value_limit_error(text, 1000);
    assert!(
        e.contains("error calling toPrettyJson: result of at least 4950 bytes"),
        "{e}"
    );
}

#[test]
fn values_under_the_limit_still_print() {
    let mut t = Templates::new();
    t.funcs(crate::sprig::funcs());
    t.set_limits(Limits {
        max_value_bytes: 1000,
        ..Limits::default()
    });
    let text = r#"{{ $s := repeat 400 "x" }}{{ len (print $s $s) }} {{ len (printf "%s%900d" "" 1) }} {{ len (printf "%.1s" $s $s $s) }} {{ len (toJson (list $s $s)) }}"#;
    t.parse("t", text).unwrap_or_else(|e| panic!("{e}"));
    let out = t
        .execute("t", &Value::Nil)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, "800 900 827 807");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    // Run on a small stack, as a tokio worker would.
    let h = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let n = 3000;
            let text = "{{if 1}}".repeat(n) + "x" + &"{{end}}".repeat(n);
            let mut t = Templates::new();
            t.parse("t", &text).map_err(|e| e.to_string())?;
            t.execute("t", &Value::Nil).map_err(|e| e.to_string())
        });
    let out = h.ok().and_then(|h| h.join().ok());
    assert_eq!(out, Some(Ok("x".to_string())));
}

#[test]
fn missing_key_options() {
    let mut t = Templates::new();
    assert!(t.option("missingkey=zero").is_ok());
    assert!(t.option("missingkey=bogus").is_err());
}

/// A host object like Helm's `.Files`.
struct Files;

impl crate::value::Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Count" => Some(Value::Int(2)),
            "Missing" => Some(Value::Nil),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Get"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Get" {
            return None;
        }
        Some(match args {
            [Value::String(p)] if &**p == "a.txt" => Ok(Value::str("A")),
            [Value::String(p)] => Err(format!("no file {p}")),
            _ => Err(format!(
                "wrong number of args for Get: want 1 got {}",
                args.len()
            )),
        })
    }
}

fn files_data() -> Value {
    let mut m = MapInner::new();
    m.insert("Files".into(), Value::Object(std::sync::Arc::new(Files)));
    m.insert("name".into(), Value::str("a.txt"));
    Value::map(m)
}

fn run_obj(text: &str) -> Result<String, String> {
    let t = set_with(text, MissingKey::Zero)?;
    t.execute("t", &files_data()).map_err(|e| e.to_string())
}

#[test]
fn objects_fields_and_methods() {
    assert_eq!(
        run_obj(
            "{{.Files.Get \"a.txt\"}} {{.Files.Get .name | upper}} {{.Files.Count}} {{.Files}}"
        ),
        Ok("A A 2 {engine.files}".into())
    );
    assert_eq!(run_obj("{{.name | .Files.Get}}"), Ok("A".into()));
    assert_eq!(
        run_obj("{{if .Files}}y{{end}} {{.Files.Missing}}"),
        Ok("y <no value>".into())
    );
    assert_eq!(
        run_obj("{{.Files.Get \"b\"}}"),
        Err(
            "template: t:1:8: executing \"t\" at <.Files.Get>: error calling Get: no file b".into()
        )
    );
    assert_eq!(
        run_obj("{{.Files.Nope}}"),
        Err("template: t:1:8: executing \"t\" at <.Files.Nope>: can't evaluate field Nope in type interface {}".into())
    );
    assert_eq!(
        run_obj("{{with .Files}}{{.Nope}}{{end}}"),
        Err("template: t:1:17: executing \"t\" at <.Nope>: can't evaluate field Nope in type engine.files".into())
    );
    assert_eq!(
        run_obj("{{.Files.Count 1}}"),
        Err("template: t:1:8: executing \"t\" at <.Files.Count>: Count has arguments but cannot be invoked as function".into())
    );
    assert_eq!(
        run_obj("{{.Files.Missing.x}}"),
        Err("template: t:1:8: executing \"t\" at <.Files.Missing.x>: nil pointer evaluating interface {}.x".into())
    );
}

#[test]
fn templates_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Templates>();
    let t = set_with("{{.}}", MissingKey::Default).unwrap_or_else(|e| panic!("{e}"));
    let outs: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let t = &t;
                s.spawn(move || t.execute("t", &Value::Int(i)).unwrap_or_default())
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    assert_eq!(outs, vec!["0", "1", "2", "3"]);
}

#[test]
fn custom_delimiters() {
    let mut t = Templates::new();
    t.delims("[[", "]]");
    t.parse("t", "{{ not an action }} [[- .a -]] [[/* c */]]x")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.execute("t", &json(r#"{"a":1}"#)).ok(),
        Some("{{ not an action }}1x".to_string())
    );
}

#[test]
fn deeply_nested_values_drop_without_overflow() {
    let out = run_mk(
        "{{$d := dict}}{{range 100000}}{{$d = dict \"a\" $d}}{{end}}done",
        "{}",
        MissingKey::Default,
    );
    assert_eq!(out, Ok("done".to_string()));
}

#[test]
fn range_over_unsigned_integers_counts_in_their_type() {
    let mut m = MapInner::new();
    m.insert("b".into(), Value::Uint8(3));
    m.insert("u".into(), Value::Uint64(2));
    m.insert("zero".into(), Value::Uint8(0));
    let data = Value::map(m);
    let exec = |text: &str| {
        let t = set_with(text, MissingKey::Default).unwrap_or_else(|e| panic!("{e}"));
        t.execute("t", &data).map_err(|e| e.to_string())
    };
    let out = exec("{{range .b}}{{printf \"%v:%T \" . .}}{{end}}{{range $x := .u}}{{$x}}{{end}}");
    assert_eq!(out.unwrap(), "0:uint8 1:uint8 2:uint8 01");
    assert_eq!(exec("{{range .zero}}x{{else}}none{{end}}").unwrap(), "none");
    assert_eq!(
        exec("{{range $i, $e := .u}}{{end}}").unwrap_err(),
        "template: t:1:18: executing \"t\" at <.u>: can't use 2 to iterate over more than one variable"
    );
    // `(pipe).Field`: Go's error names the last node evaluated inside the pipeline.
    assert_eq!(
        exec("{{range $i, $e := (dict \"k\" 4).k}}{{end}}").unwrap_err(),
        "template: t:1:28: executing \"t\" at <4>: can't use 4 to iterate over more than one variable"
    );
}

/// A named map type (`engine.files` is a `map[string][]byte`) with one method.
struct NamedMap;

impl crate::value::Object for NamedMap {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_params(&self, name: &str) -> Option<&'static [crate::func::Param]> {
        (name == "Get").then_some(&[crate::func::Param::String])
    }
    fn call_method(&self, _name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(args[0].clone()))
    }
    fn collection(&self) -> Option<Value> {
        let mut m = MapInner::new();
        m.insert("k".into(), Value::Bytes(std::sync::Arc::from(&b"v"[..])));
        Some(Value::Map(crate::value::Map::typed(
            m,
            crate::value::Elem::Bytes,
        )))
    }
}

#[test]
fn named_map_types_read_keys_that_are_not_methods() {
    let mut m = MapInner::new();
    m.insert("F".into(), Value::Object(std::sync::Arc::new(NamedMap)));
    let data = Value::map(m);
    let exec = |text: &str, mk: MissingKey| {
        let t = set_with(text, mk).unwrap_or_else(|e| panic!("{e}"));
        t.execute("t", &data).map_err(|e| e.to_string())
    };
    assert_eq!(
        exec(
            r#"{{ .F.k }}|{{ .F.Get "x" }}|{{ .F.nope }}"#,
            MissingKey::Zero
        )
        .unwrap(),
        "[118]|x|[]"
    );
    assert_eq!(
        exec("{{ .F.nope }}", MissingKey::Default).unwrap(),
        "<no value>"
    );
    assert!(
        exec("{{ .F.k 1 }}", MissingKey::Zero)
            .unwrap_err()
            .ends_with("k is not a method but has arguments")
    );
    assert!(
        exec("{{ .F.Get }}", MissingKey::Zero)
            .unwrap_err()
            .ends_with("at <.F.Get>: wrong number of args for Get: want 1 got 0")
    );
}

#[test]
fn len_of_no_value_is_reflects_panic() {
    assert_eq!(
        err("{{ $x := .nope }}{{ len $x }}", "{}"),
        "template: t:1:20: executing \"t\" at <len $x>: error calling len: reflect: call of reflect.Value.Type on zero Value"
    );
    // A nil read out of a map is a nil interface.
    assert_eq!(
        err("{{ len .a }}", r#"{"a":null}"#),
        "template: t:1:3: executing \"t\" at <len .a>: error calling len: len of nil pointer"
    );
}

/// A named map type's methods: tried before keys of the same name, arguments
/// checked as reflection checks them, the method's error at the field; a
/// `map[string]interface{}` parameter receives the map as its plain type.
#[test]
fn named_map_methods_and_assignability() {
    use crate::func::Param;
    use crate::value::{Map, MapMethod, MapType};
    static METHODS: [MapMethod; 2] = [
        MapMethod {
            name: "Len",
            params: &[],
            call: |_, m, _| Ok(Value::Int(m.len() as i64)),
        },
        MapMethod {
            name: "Get",
            params: &[Param::String],
            call: |_, m, a| {
                let k = a[0].as_str().unwrap_or_default();
                m.get(k).ok_or_else(|| format!("no {k}"))
            },
        },
    ];
    static T: MapType = MapType::new("pkg.Named", &METHODS);
    let m = Map::new();
    m.insert("Len", Value::str("key"));
    m.insert("x", Value::map(MapInner::new()));
    let data = Value::Map(m.with_type(&T));
    let run = |src: &str| {
        let mut t = Templates::new();
        t.funcs(crate::sprig::funcs());
        t.parse("t", src).unwrap();
        t.execute("t", &data)
    };
    assert_eq!(
        run("{{ .Len }} {{ index . \"Len\" }} {{ typeOf (.Get \"x\") }}").unwrap(),
        "2 key map[string]interface {}"
    );
    assert_eq!(
        run("{{ typeOf . }} {{ typeOf (set . \"y\" 1) }} {{ .Len }}").unwrap(),
        "pkg.Named map[string]interface {} 3"
    );
    let err = |src: &str| run(src).unwrap_err().to_string();
    assert!(
        err("{{ .Get \"z\" }}").ends_with("at <.Get>: error calling Get: no z"),
        "{}",
        err("{{ .Get \"z\" }}")
    );
    assert!(err("{{ .Get }}").contains("wrong number of args for Get: want 1 got 0"));
    assert!(err("{{ .Len 1 }}").contains("wrong number of args for Len: want 0 got 1"));
    assert!(err("{{ .Get 1 }}").contains("at <1>: expected string; found 1"));
    assert!(
        err("{{ dig \"x\" 0 . }}").ends_with(
            "interface conversion: interface {} is pkg.Named, not map[string]interface {}"
        )
    );
}

#[test]
fn strings_that_are_not_utf8_keep_their_bytes_in_the_output() {
    let mut m = MapInner::new();
    m.insert("b".into(), Value::from_go_bytes(b"\xff\n\xe2\x82"));
    let data = Value::map(m);
    let run = |src: &str| {
        let mut t = Templates::new();
        t.funcs(crate::sprig::funcs());
        t.parse("t", src).unwrap();
        t.execute_go("t", &data).unwrap().into_bytes()
    };
    assert_eq!(run("a{{ .b }}z"), b"a\xff\n\xe2\x82z");
    assert_eq!(run("{{ printf \"[%3.1s]\" .b }}"), b"[  \xff]");
    assert_eq!(run("{{ print .b 1 }}"), b"\xff\n\xe2\x821");
    assert_eq!(run("{{ indent 1 .b }}"), b" \xff\n \xe2\x82");
    // The text form reads each invalid byte as U+FFFD.
    let mut t = Templates::new();
    t.parse("t", "{{ .b }}").unwrap();
    assert_eq!(t.execute("t", &data).unwrap(), "\u{fffd}\n\u{fffd}\u{fffd}");
}

#[test]
fn template_sources_that_are_not_utf8_write_their_own_bytes() {
    let mut t = Templates::new();
    let parsed = t
        .parse_only_go("t", b"caf\xe9 {{ 1 }} \xef\xbf\xbd\xe2\x82 {{- \" x\" }}\n")
        .unwrap();
    t.add_parsed(&parsed);
    let out = t.execute_go("t", &Value::Nil).unwrap();
    // A valid U+FFFD in the source stays three bytes; each invalid sequence its own.
    assert_eq!(out.into_bytes(), b"caf\xe9 1 \xef\xbf\xbd\xe2\x82 x\n");
}
