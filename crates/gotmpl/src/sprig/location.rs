//! Go's `*time.Location`, as `Time.Location` returns it: a pointer to a struct
//! whose fields are all unexported. Templates print it through its `String`
//! method (the zone's name: `Local`, `UTC`, `""` for an unnamed fixed zone), encode
//! it as an empty object (`{}` in JSON and YAML, an empty table in TOML), compare
//! it with `eq` by pointer (Go shares `Local`, `UTC` and unnamed whole-hour zones)
//! and with `deepEqual` by zone data, and pass it to `Time.In`.

use std::sync::Arc;

use crate::value::{Map, Object, Value};

use super::gotime::Loc;

pub(crate) struct GoLocation(Loc);

impl GoLocation {
    pub(crate) fn value(loc: Loc) -> Value {
        Value::Object(Arc::new(GoLocation(loc)))
    }

    /// The location inside a template value, if it is one.
    pub(crate) fn from_value(v: &Value) -> Option<Loc> {
        let Value::Object(o) = v else { return None };
        let any: &dyn std::any::Any = o.as_ref();
        any.downcast_ref::<GoLocation>().map(|l| l.0.clone())
    }
}

impl Object for GoLocation {
    fn type_name(&self) -> &str {
        "*time.Location"
    }

    fn field(&self, name: &str) -> Option<Value> {
        (name == "String").then(|| Value::from(self.0.name()))
    }

    fn display(&self) -> String {
        self.0.name()
    }

    fn method_params(&self, name: &str) -> Option<&'static [crate::func::Param]> {
        (name == "String").then_some(&[])
    }

    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    fn deep_copied(&self) -> Option<Value> {
        // time.Location's fields are all unexported: the copy is a zero Location.
        Some(GoLocation::value(Loc::zero()))
    }

    fn go_stringer(&self) -> bool {
        true
    }

    fn go_equal(&self, other: &dyn Object, deep: bool) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<GoLocation>().is_some_and(|o| {
            if deep {
                self.0.same_zone(&o.0)
            } else {
                self.0.same_pointer(&o.0)
            }
        }))
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::Map(Map::new()))
    }

    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(Vec::new())
    }

    fn go_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(v: &Value) -> &dyn Object {
        match v {
            Value::Object(o) => o.as_ref(),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn pointers_are_shared_as_go_shares_them() {
        let utc = GoLocation::value(Loc::Utc);
        let two = GoLocation::value(Loc::fixed_zone(String::new(), 7200));
        let two_again = GoLocation::value(Loc::fixed_zone(String::new(), 7200));
        let half = GoLocation::value(Loc::fixed_zone(String::new(), 9000));
        let half_again = GoLocation::value(Loc::fixed_zone(String::new(), 9000));
        assert_eq!(
            loc(&utc).go_equal(loc(&GoLocation::value(Loc::Utc)), false),
            Some(true)
        );
        assert_eq!(loc(&two).go_equal(loc(&two_again), false), Some(true));
        // A half-hour zone is made anew each time: different pointers, same data.
        assert_eq!(loc(&half).go_equal(loc(&half_again), false), Some(false));
        assert_eq!(loc(&half).go_equal(loc(&half_again), true), Some(true));
        assert_eq!(loc(&half).go_equal(loc(&half), false), Some(true));
        assert_eq!(
            loc(&utc).go_equal(loc(&GoLocation::value(Loc::Local)), true),
            Some(false)
        );
        assert!(utc.deep_equal(&GoLocation::value(Loc::Utc)));
    }

    #[test]
    fn prints_its_name_and_encodes_as_an_empty_struct() {
        let l = GoLocation::value(Loc::Local);
        assert_eq!(l.type_name(), "*time.Location");
        assert_eq!(
            crate::gofmt::sprintf("%v|%s|%q|%T", &[l.clone(), l.clone(), l.clone(), l.clone()]),
            "Local|Local|\"Local\"|*time.Location"
        );
        assert_eq!(loc(&l).to_value(), Some(Value::Map(Map::new())));
        let unnamed = GoLocation::value(Loc::fixed_zone(String::new(), -3600));
        assert_eq!(crate::gofmt::sprintf("[%v]", &[unnamed]), "[]");
    }

    #[test]
    fn deep_copies_are_new_zero_locations() {
        let l = GoLocation::value(Loc::Local);
        let c = l.deep_copy();
        assert_eq!(
            crate::gofmt::sprintf("[%v]", std::slice::from_ref(&c)),
            "[]"
        );
        assert!(!c.deep_equal(&l));
        assert!(c.deep_equal(&l.deep_copy()));
        assert_eq!(loc(&c).go_equal(loc(&l.deep_copy()), false), Some(false));
        assert_eq!(loc(&c).go_equal(loc(&c), false), Some(true));
    }
}
