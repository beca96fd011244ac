//! Go signatures of the Sprig functions that take typed (non-`interface{}`)
//! integer parameters. With a signature the executor checks and converts arguments
//! as Go's does before the call: an integer literal (`2`, also `2.0` or `1e1`) is
//! accepted, an `int64` (Sprig arithmetic) or `float64` (chart values) value is
//! "wrong type for value; expected int; got int64", reported at the argument as
//! Helm reports it. The functions still check their arguments themselves for
//! callers without the executor (unit tests).

use crate::func::{FuncMap, Param, Signature};

use Param::{Any, Bool, Float64, Int, List, Map, String, Time};

/// Functions with `string`, `bool`, map or `time.Time` parameters (their Go
/// signatures in Sprig v3.3), so a wrong argument is refused at the argument,
/// with Go's words, before the call.
const STRING_TYPED: &[(&str, &[Param])] = &[
    // strings.go
    ("trim", &[String]),
    ("upper", &[String]),
    ("lower", &[String]),
    ("title", &[String]),
    ("untitle", &[String]),
    ("trimall", &[String, String]),
    ("trimAll", &[String, String]),
    ("trimSuffix", &[String, String]),
    ("trimPrefix", &[String, String]),
    ("nospace", &[String]),
    ("initials", &[String]),
    ("swapcase", &[String]),
    ("shuffle", &[String]),
    ("snakecase", &[String]),
    ("camelcase", &[String]),
    ("kebabcase", &[String]),
    ("contains", &[String, String]),
    ("hasPrefix", &[String, String]),
    ("hasSuffix", &[String, String]),
    ("replace", &[String, String, String]),
    ("split", &[String, String]),
    ("splitList", &[String, String]),
    ("join", &[String, Any]),
    ("atoi", &[String]),
    // crypto.go, encoding
    ("sha1sum", &[String]),
    ("sha256sum", &[String]),
    ("sha512sum", &[String]),
    ("adler32sum", &[String]),
    ("bcrypt", &[String]),
    ("htpasswd", &[String, String]),
    ("genPrivateKey", &[String]),
    ("buildCustomCert", &[String, String]),
    ("encryptAES", &[String, String]),
    ("decryptAES", &[String, String]),
    ("b64enc", &[String]),
    ("b64dec", &[String]),
    ("b32enc", &[String]),
    ("b32dec", &[String]),
    // date.go
    ("date", &[String, Any]),
    ("dateInZone", &[String, Any, String]),
    ("htmlDateInZone", &[Any, String]),
    ("dateModify", &[String, Time]),
    ("mustDateModify", &[String, Time]),
    ("toDate", &[String, String]),
    ("mustToDate", &[String, String]),
    ("unixEpoch", &[Time]),
    // defaults.go, reflect.go, json
    ("ternary", &[Any, Any, Bool]),
    ("typeIs", &[String, Any]),
    ("typeIsLike", &[String, Any]),
    ("kindIs", &[String, Any]),
    ("fromJson", &[String]),
    ("mustFromJson", &[String]),
    // paths
    ("base", &[String]),
    ("dir", &[String]),
    ("clean", &[String]),
    ("ext", &[String]),
    ("isAbs", &[String]),
    ("osBase", &[String]),
    ("osClean", &[String]),
    ("osDir", &[String]),
    ("osExt", &[String]),
    ("osIsAbs", &[String]),
    // dict.go
    ("get", &[Map, String]),
    ("set", &[Map, String, Any]),
    ("unset", &[Map, String]),
    ("hasKey", &[Map, String]),
    ("values", &[Map]),
    // semver.go, regex.go, url.go
    ("semver", &[String]),
    ("semverCompare", &[String, String]),
    ("regexMatch", &[String, String]),
    ("mustRegexMatch", &[String, String]),
    ("regexFind", &[String, String]),
    ("mustRegexFind", &[String, String]),
    ("regexReplaceAll", &[String, String, String]),
    ("mustRegexReplaceAll", &[String, String, String]),
    ("regexReplaceAllLiteral", &[String, String, String]),
    ("mustRegexReplaceAllLiteral", &[String, String, String]),
    ("regexQuoteMeta", &[String]),
    ("urlParse", &[String]),
    ("urlJoin", &[Map]),
];

/// Variadic Go signatures: the last parameter repeats.
const VARIADIC: &[(&str, &[Param])] = &[
    ("pluck", &[String, Map]),
    ("keys", &[Map]),
    ("pick", &[Map, String]),
    ("omit", &[Map, String]),
    ("merge", &[Map, Map]),
    ("mustMerge", &[Map, Map]),
    ("mergeOverwrite", &[Map, Map]),
    ("mustMergeOverwrite", &[Map, Map]),
];

/// Registers the signatures; call after the functions are added (adding a
/// function drops its signature).
pub(super) fn register(f: &mut FuncMap) {
    let fixed: &[(&str, &[Param])] = &[
        // strings.go
        ("abbrev", &[Int, String]),
        ("abbrevboth", &[Int, Int, String]),
        ("trunc", &[Int, String]),
        ("substr", &[Int, Int, String]),
        ("repeat", &[Int, String]),
        ("wrap", &[Int, String]),
        ("wrapWith", &[Int, String, String]),
        ("indent", &[Int, String]),
        ("nindent", &[Int, String]),
        ("plural", &[String, String, Int]),
        ("splitn", &[String, Int, String]),
        ("randAlphaNum", &[Int]),
        ("randAlpha", &[Int]),
        ("randNumeric", &[Int]),
        ("randAscii", &[Int]),
        // crypto.go
        ("randBytes", &[Int]),
        ("genCA", &[String, Int]),
        ("genCAWithKey", &[String, Int, String]),
        ("genSelfSignedCert", &[String, List, List, Int]),
        (
            "genSelfSignedCertWithKey",
            &[String, List, List, Int, String],
        ),
        // `ca` is Sprig's certificate struct: checked by the function.
        ("genSignedCert", &[String, List, List, Int, Any]),
        (
            "genSignedCertWithKey",
            &[String, List, List, Int, Any, String],
        ),
        // list.go, numeric.go, functions.go
        ("chunk", &[Int, Any]),
        ("mustChunk", &[Int, Any]),
        ("until", &[Int]),
        ("untilStep", &[Int, Int, Int]),
        ("randInt", &[Int, Int]),
        // regex.go
        ("regexFindAll", &[String, String, Int]),
        ("mustRegexFindAll", &[String, String, Int]),
        ("regexSplit", &[String, String, Int]),
        ("mustRegexSplit", &[String, String, Int]),
    ];
    for (name, params) in fixed.iter().chain(STRING_TYPED) {
        f.signature(name, Signature::new(params));
    }
    for (name, params) in VARIADIC {
        f.signature(name, Signature::variadic(params));
    }
    f.signature("seq", Signature::variadic(&[Int]));
    f.signature("round", Signature::variadic(&[Any, Int, Float64]));
}

#[cfg(test)]
mod tests {
    use crate::template::Templates;
    use crate::value::Value;

    fn render(src: &str, data: &Value) -> Result<String, String> {
        let mut t = Templates::new();
        t.add_funcs(&crate::sprig::funcs());
        t.parse("t", src).map_err(|e| e.to_string())?;
        t.execute("t", data).map_err(|e| e.to_string())
    }

    #[test]
    fn literals_convert_values_must_match() {
        let data = Value::map([("n".to_string(), Value::Float(3.0))].into_iter().collect());
        assert_eq!(
            render(
                r#"{{ trunc 2 "abc" }} {{ trunc 2.0 "abc" }} {{ trunc 1e1 "abcdefghijkl" }}"#,
                &data
            )
            .unwrap(),
            "ab ab abcdefghij"
        );
        assert_eq!(
            render(
                r#"{{ trunc (len "ab") "abc" }} {{ trunc (int .n) "abcd" }}"#,
                &data
            )
            .unwrap(),
            "ab abc"
        );
        let err = render(r#"{{ "x" | indent (add 1 1) }}"#, &data).unwrap_err();
        assert!(
            err.ends_with(r#"at <1>: wrong type for value; expected int; got int64"#),
            "{err}"
        );
        let err = render(r#"{{ trunc .n "abc" }}"#, &data).unwrap_err();
        assert!(
            err.ends_with("at <.n>: wrong type for value; expected int; got float64"),
            "{err}"
        );
        let err = render(r#"{{ seq 1 (int64 3) }}"#, &data).unwrap_err();
        assert!(
            err.ends_with("at <3>: wrong type for value; expected int; got int64"),
            "{err}"
        );
        assert_eq!(
            render("{{ round 2.345 2 }} {{ seq 3 }}", &data).unwrap(),
            "2.35 1 2 3"
        );
    }

    #[test]
    fn string_map_and_time_parameters_are_checked_at_the_argument() {
        let data = Value::map([("n".to_string(), Value::Int(1))].into_iter().collect());
        let err = render(r#"{{ upper .n }}"#, &data).unwrap_err();
        assert!(
            err.ends_with("at <.n>: wrong type for value; expected string; got int"),
            "{err}"
        );
        let err = render(r#"{{ get "a" "k" }}"#, &data).unwrap_err();
        assert!(
            err.ends_with(r#"at <"a">: can't handle "a" for arg of type map[string]interface {}"#),
            "{err}"
        );
        let err = render(r#"{{ unixEpoch .n }}"#, &data).unwrap_err();
        assert!(
            err.ends_with("at <.n>: wrong type for value; expected time.Time; got int"),
            "{err}"
        );
        let err = render(r#"{{ ternary 1 2 "x" }}"#, &data).unwrap_err();
        assert!(
            err.ends_with(r#"at <"x">: expected bool; found "x""#),
            "{err}"
        );
        let err = render(r#"{{ pick (dict) "a" .n }}"#, &data).unwrap_err();
        assert!(
            err.ends_with("at <.n>: wrong type for value; expected string; got int"),
            "{err}"
        );
        assert_eq!(
            render(
                r#"{{ unixEpoch (toDate "2006-01-02T15:04:05Z07:00" "1970-01-01T00:00:00Z") }}"#,
                &data
            )
            .unwrap(),
            "0"
        );
    }

    #[test]
    fn methods_of_go_values_check_arguments_like_reflection() {
        let data = Value::map([("n".to_string(), Value::Int(1))].into_iter().collect());
        let t = r#"{{ $t := toDate "2006-01-02T15:04:05Z07:00" "2020-03-01T00:00:00Z" }}"#;
        let run = |body: &str| render(&format!("{t}{body}"), &data);
        // Literals convert to the parameter's type.
        assert_eq!(
            run("{{ $t.AddDate 1.0 0 0 }}|{{ $t.Add 5 }}").unwrap(),
            "2021-03-01 00:00:00 +0000 UTC|2020-03-01 00:00:00.000000005 +0000 UTC"
        );
        // Values must already have it.
        let err = run("{{ $t.Add .n }}").unwrap_err();
        assert!(
            err.ends_with("at <.n>: wrong type for value; expected time.Duration; got int"),
            "{err}"
        );
        let err = run("{{ $t.Year 1 }}").unwrap_err();
        assert!(
            err.ends_with("at <$t.Year>: wrong number of args for Year: want 0 got 1"),
            "{err}"
        );
        let err = run("{{ $t.Sub nil }}").unwrap_err();
        assert!(
            err.ends_with("at <nil>: cannot assign nil to time.Time"),
            "{err}"
        );
        // nil reaches a pointer parameter; the method's own failure is "error calling".
        let err = run("{{ $t.In nil }}").unwrap_err();
        assert!(
            err.ends_with("error calling In: time: missing Location in call to Time.In"),
            "{err}"
        );
        let err = run(r#"{{ $t.In "UTC" }}"#).unwrap_err();
        assert!(
            err.ends_with(r#"at <"UTC">: can't handle "UTC" for arg of type *time.Location"#),
            "{err}"
        );
    }
}
