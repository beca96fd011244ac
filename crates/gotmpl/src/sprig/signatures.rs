//! Go signatures of the Sprig functions that take typed (non-`interface{}`)
//! integer parameters. With a signature the executor checks and converts arguments
//! as Go's does before the call: an integer literal (`2`, also `2.0` or `1e1`) is
//! accepted, an `int64` (Sprig arithmetic) or `float64` (chart values) value is
//! "wrong type for value; expected int; got int64", reported at the argument as
//! Helm reports it. The functions still check their arguments themselves for
//! callers without the executor (unit tests).

use crate::func::{FuncMap, Param, Signature};

use Param::{Any, Float64, Int, List, String};

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
    for (name, params) in fixed {
        f.signature(name, Signature::new(params));
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
}
