//! Reflection functions: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! `deepEqual`. Type and kind names are Go's (`map[string]interface {}`, `slice`).
//! Our integers are all `int64` except an integer literal handed straight to a
//! reflection function, which Go types as `int` (see [`literal_int`]).

use crate::func::{FuncError, FuncMap};
use crate::value::Value;

use super::args::{self, arity};

/// Go's `reflect.Kind` name; nil has the invalid kind.
fn kind_of(v: &Value) -> String {
    v.kind_name().to_string()
}

/// The reflection functions applied to a subject (their last argument) that is an
/// integer literal in the template: Go passes an untyped integer constant to an
/// `interface{}` parameter as `int`, not `int64`. `None` for any other function or
/// a wrong argument count (the ordinary function then reports the error).
pub(crate) fn literal_int(name: &str, a: &[Value]) -> Option<Result<Value, FuncError>> {
    const GO_INT: &str = "int";
    let r = match (name, a.len()) {
        ("kindOf" | "typeOf", 1) => Ok(Value::from(GO_INT)),
        ("kindIs" | "typeIs" | "typeIsLike", 2) => {
            args::string(&a[0]).map(|want| Value::Bool(want == GO_INT))
        }
        _ => return None,
    };
    Some(r)
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("typeOf", |a| {
        arity("typeOf", a, 1)?;
        Ok(Value::from(a[0].type_name()))
    });
    f.add("typeIs", |a| {
        arity("typeIs", a, 2)?;
        Ok(Value::Bool(args::string(&a[0])? == a[1].type_name()))
    });
    f.add("typeIsLike", |a| {
        arity("typeIsLike", a, 2)?;
        let target = args::string(&a[0])?;
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let t = a[1].type_name();
        Ok(Value::Bool(target == t || format!("*{target}") == t))
    });
    f.add("kindOf", |a| {
        arity("kindOf", a, 1)?;
        Ok(Value::from(kind_of(&a[0])))
    });
    f.add("kindIs", |a| {
        arity("kindIs", a, 2)?;
        Ok(Value::Bool(args::string(&a[0])? == kind_of(&a[1])))
    });
    f.add("deepEqual", |a| {
        arity("deepEqual", a, 2)?;
        Ok(Value::Bool(a[0] == a[1]))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::call;

    /// Through the executor: only an integer literal written as the subject is `int`;
    /// Sprig's `int64`, a float literal and a piped value keep their own types.
    #[test]
    fn template_integer_literal_is_go_int() {
        use crate::template::Templates;
        let render = |src: &str| {
            let mut t = Templates::new();
            t.add_funcs(&crate::sprig::funcs());
            t.parse("t", src).unwrap();
            t.execute("t", &Value::Nil).unwrap()
        };
        assert_eq!(render("{{ kindOf 1 }} {{ typeOf 7 }}"), "int int");
        assert_eq!(
            render("{{ kindIs \"int\" 2 }} {{ typeIs \"int64\" 2 }}"),
            "true false"
        );
        assert_eq!(
            render("{{ typeOf (int64 1) }} {{ kindOf 1.0 }}"),
            "int64 float64"
        );
        assert_eq!(render("{{ kindOf (add 1 2) }}"), "int64");
    }

    #[test]
    fn literal_int_reports_go_int() {
        assert_eq!(
            literal_int("kindOf", &[Value::Int(1)]).unwrap().unwrap(),
            Value::str("int")
        );
        assert_eq!(
            literal_int("typeIs", &["int".into(), Value::Int(1)])
                .unwrap()
                .unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            literal_int("kindIs", &["int64".into(), Value::Int(1)])
                .unwrap()
                .unwrap(),
            Value::Bool(false)
        );
        assert!(literal_int("deepEqual", &[Value::Int(1), Value::Int(1)]).is_none());
        assert!(literal_int("kindOf", &[]).is_none());
    }

    #[test]
    fn kinds_and_types() {
        assert_eq!(call("kindOf", &["x".into()]), Value::str("string"));
        assert_eq!(call("kindOf", &[Value::empty_map()]), Value::str("map"));
        assert_eq!(call("kindOf", &[Value::list(vec![])]), Value::str("slice"));
        assert_eq!(call("kindOf", &[Value::Nil]), Value::str("invalid"));
        assert_eq!(
            call("kindIs", &["float64".into(), Value::Float(1.0)]),
            Value::Bool(true)
        );
        assert_eq!(
            call("typeOf", &[Value::list(vec![])]),
            Value::str("[]interface {}")
        );
        assert_eq!(call("typeOf", &[Value::Nil]), Value::str("<nil>"));
        assert_eq!(
            call("typeIs", &["string".into(), "x".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("typeIsLike", &["bool".into(), Value::Bool(true)]),
            Value::Bool(true)
        );
        assert_eq!(
            call(
                "deepEqual",
                &[
                    Value::list(vec![Value::Int(1)]),
                    Value::list(vec![Value::Int(1)])
                ]
            ),
            Value::Bool(true)
        );
        assert_eq!(
            call("deepEqual", &[Value::Int(1), Value::Float(1.0)]),
            Value::Bool(false)
        );
    }
}
