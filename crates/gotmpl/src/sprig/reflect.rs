//! Reflection functions: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! `deepEqual`. Type and kind names are Go's (`map[string]interface {}`, `slice`);
//! `Value::Int` is Go `int` and `Value::Int64` Go `int64`, so both the names and
//! `deepEqual` (Go's `reflect.DeepEqual` compares types) tell them apart.

use crate::func::FuncMap;
use crate::value::Value;

use super::args::{self, arity};

/// Go's `reflect.Kind` name; nil has the invalid kind.
fn kind_of(v: &Value) -> String {
    v.kind_name().to_string()
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

    /// Through the executor: integer literals are `int` wherever they travel
    /// (argument, variable, pipe); Sprig's arithmetic and `int64` are `int64`.
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
        assert_eq!(
            render("{{ $x := 1 }}{{ kindOf $x }} {{ 1 | typeOf }}"),
            "int int"
        );
        assert_eq!(
            render("{{ deepEqual 1 (int64 1) }} {{ deepEqual 1 (int 1) }} {{ eq 1 (int64 1) }}"),
            "false true true"
        );
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
        assert_eq!(
            call("deepEqual", &[Value::Int(1), Value::Int64(1)]),
            Value::Bool(false)
        );
        assert_eq!(call("typeOf", &[Value::Int64(1)]), Value::str("int64"));
        assert_eq!(call("kindOf", &[Value::Int(1)]), Value::str("int"));
    }
}
