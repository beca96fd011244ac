//! The Sprig v3 function library as Helm registers it (Helm drops `env` and
//! `expandenv`, then overrides `toYaml`, `fromYaml`, `toJson`, `fromJson`, ... in its
//! own layer). Each module holds one family of functions and registers it here.
//!
//! Go checks argument counts and types against each function's signature before the
//! call; our functions are untyped, so they check for themselves (see `args`) with
//! the executor's wording.

mod args;
mod casing;
mod certext;
mod certs;
mod conv;
mod crypto;
mod dates;
mod defaults;
mod dicts;
mod encoding;
mod gore2;
pub(crate) mod gotime;
mod json;
mod lists;
mod location;
mod math;
mod network;
mod paths;
mod random;
mod reflect;
mod regex;
pub mod semver;
mod signatures;
mod strings;
mod timeints;

use crate::func::FuncMap;

pub use gotime::{WallClock, fixed_zone_time, json_time_error};

/// Every Sprig function Helm registers (Helm then overrides a few, e.g. `toYaml`).
pub fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    strings::register(&mut f);
    lists::register(&mut f);
    dicts::register(&mut f);
    defaults::register(&mut f);
    math::register(&mut f);
    encoding::register(&mut f);
    regex::register(&mut f);
    paths::register(&mut f);
    reflect::register(&mut f);
    network::register(&mut f);
    random::register(&mut f);
    dates::register(&mut f);
    semver::register(&mut f);
    crypto::register(&mut f);
    certs::register(&mut f);
    signatures::register(&mut f);
    f
}

/// Forgets what Sprig functions remember between renders in this process (compiled
/// regexes, `semverCompare` results), so that the next render pays for them again as
/// a render in a fresh process does (cold-render benchmarks).
pub fn clear_caches() {
    regex::clear_cache();
    semver::clear_cache();
}

/// The names Sprig v3.3.0's `GenericFuncMap` defines, less `env` and `expandenv`
/// (which Helm deletes): exactly what `funcs()` registers.
#[cfg(test)]
const SPRIG_NAMES: &[&str] = &[
    "hello",
    "ago",
    "date",
    "date_in_zone",
    "date_modify",
    "dateInZone",
    "dateModify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "must_date_modify",
    "mustDateModify",
    "mustToDate",
    "now",
    "toDate",
    "unixEpoch",
    "abbrev",
    "abbrevboth",
    "trunc",
    "trim",
    "upper",
    "lower",
    "title",
    "untitle",
    "substr",
    "repeat",
    "trimall",
    "trimAll",
    "trimSuffix",
    "trimPrefix",
    "nospace",
    "initials",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "swapcase",
    "shuffle",
    "snakecase",
    "camelcase",
    "kebabcase",
    "wrap",
    "wrapWith",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "quote",
    "squote",
    "cat",
    "indent",
    "nindent",
    "replace",
    "plural",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "adler32sum",
    "toString",
    "atoi",
    "int64",
    "int",
    "float64",
    "seq",
    "toDecimal",
    "split",
    "splitList",
    "splitn",
    "toStrings",
    "until",
    "untilStep",
    "add1",
    "add",
    "sub",
    "div",
    "mod",
    "mul",
    "randInt",
    "add1f",
    "addf",
    "subf",
    "divf",
    "mulf",
    "biggest",
    "max",
    "min",
    "maxf",
    "minf",
    "ceil",
    "floor",
    "round",
    "join",
    "sortAlpha",
    "default",
    "empty",
    "coalesce",
    "all",
    "any",
    "compact",
    "mustCompact",
    "fromJson",
    "toJson",
    "toPrettyJson",
    "toRawJson",
    "mustFromJson",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "ternary",
    "deepCopy",
    "mustDeepCopy",
    "typeOf",
    "typeIs",
    "typeIsLike",
    "kindOf",
    "kindIs",
    "deepEqual",
    "getHostByName",
    "base",
    "dir",
    "clean",
    "ext",
    "isAbs",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "b64enc",
    "b64dec",
    "b32enc",
    "b32dec",
    "tuple",
    "list",
    "dict",
    "get",
    "set",
    "unset",
    "hasKey",
    "pluck",
    "keys",
    "pick",
    "omit",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "values",
    "append",
    "push",
    "mustAppend",
    "mustPush",
    "prepend",
    "mustPrepend",
    "first",
    "mustFirst",
    "rest",
    "mustRest",
    "last",
    "mustLast",
    "initial",
    "mustInitial",
    "reverse",
    "mustReverse",
    "uniq",
    "mustUniq",
    "without",
    "mustWithout",
    "has",
    "mustHas",
    "slice",
    "mustSlice",
    "concat",
    "dig",
    "chunk",
    "mustChunk",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
    "uuidv4",
    "semver",
    "semverCompare",
    "fail",
    "regexMatch",
    "mustRegexMatch",
    "regexFindAll",
    "mustRegexFindAll",
    "regexFind",
    "mustRegexFind",
    "regexReplaceAll",
    "mustRegexReplaceAll",
    "regexReplaceAllLiteral",
    "mustRegexReplaceAllLiteral",
    "regexSplit",
    "mustRegexSplit",
    "regexQuoteMeta",
    "urlParse",
    "urlJoin",
];

#[cfg(test)]
#[test]
fn registers_exactly_helms_sprig_set() {
    let f = funcs();
    let mut got: Vec<&str> = f.names().collect();
    got.sort_unstable();
    let mut want = SPRIG_NAMES.to_vec();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::func::{FuncError, FuncMap, Runtime};
    use crate::value::Value;

    /// A runtime for functions that never use it.
    struct NoRuntime;

    impl Runtime for NoRuntime {
        fn execute_template(&mut self, name: &str, _: Value) -> Result<Value, FuncError> {
            Err(FuncError::new(format!("no template {name}")))
        }
        fn execute_text(&mut self, name: &str, _: &str, _: Value) -> Result<Value, FuncError> {
            Err(FuncError::new(format!("no template {name}")))
        }
        fn current_template(&self) -> String {
            String::new()
        }
    }

    pub(crate) fn try_call(f: &FuncMap, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let func = f
            .get(name)
            .unwrap_or_else(|| panic!("function {name} is not registered"));
        func(&mut NoRuntime, args)
    }

    /// Call a Sprig function, panicking (test failure) on error.
    pub(crate) fn call(name: &str, args: &[Value]) -> Value {
        try_call(&super::funcs(), name, args)
            .unwrap_or_else(|e| panic!("{name} failed: {}", e.message))
    }

    /// The bytes of each Go string in a list result (`None` for other items).
    pub(crate) fn list_bytes(list: &Value) -> Vec<Option<Vec<u8>>> {
        let items = list.as_list().map(|l| l.to_vec()).unwrap_or_default();
        items
            .iter()
            .map(|v| v.go_string_bytes().map(<[u8]>::to_vec))
            .collect()
    }
}

/// Conformance with real Helm. `testdata/helm_cases.json` holds template expressions
/// and what Helm 4.2.3 rendered for `{{ (EXPR) | toString }}` (or that it failed), with
/// its `.Values`; every case must render the same here. Expressions whose result
/// depends on the local time zone are skipped unless the local zone is UTC, as it
/// was when the file was made. With `SPRIG_DIFF_DIR` set, the test also renders
/// `$SPRIG_DIFF_DIR/cases.txt` into `ours.json` for a fresh comparison.
#[cfg(test)]
mod helm_conformance {
    use crate::template::{MissingKey, Templates};
    use crate::value::{MapInner, Value};

    fn render(expr: &str, values: &serde_json::Value) -> Result<String, String> {
        let mut t = Templates::new();
        t.add_funcs(&super::funcs());
        t.option_missing_key(MissingKey::Zero);
        let mut root = MapInner::new();
        root.insert("Values".into(), Value::from_json(values, false));
        let data = Value::map(root);
        t.parse("t", &format!("{{{{ ({expr}) | toString }}}}"))
            .map_err(|e| e.to_string())?;
        t.execute("t", &data).map_err(|e| e.to_string())
    }

    #[test]
    fn renders_like_helm() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("testdata/helm_cases.json")).unwrap();
        let values = &fixture["values"];
        let now = chrono::Utc::now();
        let local_is_utc = super::gotime::Loc::Local.zone_at(&now).0 == 0;
        let mut failures = Vec::new();
        let cases = fixture["cases"].as_array().unwrap();
        for case in cases {
            let expr = case["expr"].as_str().unwrap();
            let zone_dependent = ["toDate", "date ", "htmlDate ", "dateModify", "ago "]
                .iter()
                .any(|p| expr.contains(p));
            if zone_dependent && !local_is_utc {
                continue;
            }
            let got = render(expr, values);
            let ok = match (&got, case.get("ok").and_then(|v| v.as_str())) {
                (Ok(s), Some(want)) => s == want,
                (Err(_), None) => true,
                _ => false,
            };
            if !ok {
                failures.push(format!("{expr}: helm {case} / ours {got:?}"));
            }
        }
        assert!(cases.len() > 400);
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// Dicts are shared references: `set` and `merge` change the caller's dict.
    #[test]
    fn mutation_is_visible_through_templates() {
        let text = concat!(
            r#"{{- $d := dict "a" 1 -}}{{- $_ := set $d "b" 2 -}}"#,
            r#"{{- $_ := merge $d (dict "c" 3 "a" 9) -}}{{- $_ := unset $d "b" -}}"#,
            r#"{{ toJson $d }} {{ .Values.list | last }} {{ include_like | default "x" }}"#,
        );
        let text = text.replace("include_like", "\"\"");
        let values = serde_json::json!({ "list": [1, 2] });
        let mut t = Templates::new();
        t.add_funcs(&super::funcs());
        t.parse("t", &text).unwrap();
        let mut root = MapInner::new();
        root.insert("Values".into(), Value::from_json(&values, false));
        let out = t.execute("t", &Value::map(root)).unwrap();
        assert_eq!(out, r#"{"a":1,"c":3} 2 x"#);
    }

    #[test]
    fn render_cases_for_helm_comparison() {
        let Ok(dir) = std::env::var("SPRIG_DIFF_DIR") else {
            return;
        };
        let cases = std::fs::read_to_string(format!("{dir}/cases.txt")).unwrap();
        let values: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/values.json")).unwrap())
                .unwrap();
        let mut out = serde_json::Map::new();
        for expr in cases.lines().filter(|l| !l.trim().is_empty()) {
            let entry = match render(expr, &values) {
                Ok(s) => serde_json::json!({ "ok": s }),
                Err(e) => serde_json::json!({ "err": e }),
            };
            out.insert(expr.to_string(), entry);
        }
        std::fs::write(
            format!("{dir}/ours.json"),
            serde_json::to_string_pretty(&out).unwrap(),
        )
        .unwrap();
    }
}
