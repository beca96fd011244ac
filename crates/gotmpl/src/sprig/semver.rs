//! Masterminds/semver v3 versions and constraints, as Sprig's `semver` and
//! `semverCompare` (and Helm's chart dependency ranges) use them: partial versions
//! (`1.2` is 1.2.0), a `v` prefix, `x`/`X`/`*` wildcards, `||` alternatives, comma or
//! space separated conjunctions, hyphen ranges, `~`, `~>`, `^`, and the rule that a
//! prerelease version only satisfies constraints that name a prerelease.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use crate::func::{FuncError, FuncMap};
use crate::value::{Object, Value};

use super::args::{self, arity};

/// A semantic version as Masterminds/semver parses it (`NewVersion`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    /// The text it was parsed from.
    pub original: String,
}

/// Why a version or constraint did not parse (Masterminds' messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SemverError(pub String);

fn version_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
            r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
            r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
        ))
        .expect("static version regex is valid") // invariant: constant pattern
    })
}

impl Version {
    /// Masterminds `NewVersion` (the lenient form).
    pub fn parse(s: &str) -> Result<Version, SemverError> {
        let invalid = || SemverError("invalid semantic version".into());
        let m = version_regex().captures(s).ok_or_else(invalid)?;
        let num = |i: usize| -> Result<u64, SemverError> {
            match m.get(i) {
                None => Ok(0),
                Some(g) => g
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<u64>()
                    .map_err(|e| SemverError(format!("Error parsing version segment: {e}"))),
            }
        };
        let pre = m.get(5).map(|g| g.as_str().to_string()).unwrap_or_default();
        for part in pre.split('.').filter(|p| !p.is_empty()) {
            if part.len() > 1 && part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SemverError("version segment starts with 0".into()));
            }
        }
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre,
            metadata: m.get(8).map(|g| g.as_str().to_string()).unwrap_or_default(),
            original: s.to_string(),
        })
    }

    /// Semantic Versioning precedence (metadata ignored).
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = match (pa.get(i), pb.get(i)) {
            (Some(x), Some(y)) => (*x, *y),
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (None, None) => break,
        };
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(n), Ok(m)) => n.cmp(&m),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Atom {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// A parsed constraint: alternatives (`||`) of conjunctions.
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Vec<Atom>>,
}

const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const CV: &str = concat!(
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?",
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
);

struct Regexes {
    range: Regex,
    valid: Regex,
    find: Regex,
    atom: Regex,
}

fn regexes() -> &'static Regexes {
    static RE: OnceLock<Regexes> = OnceLock::new();
    RE.get_or_init(|| {
        // invariant: the patterns are constants known to compile.
        let re = |p: String| Regex::new(&p).expect("static constraint regex is valid");
        Regexes {
            range: re(format!(r"\s*({CV})\s+-\s+({CV})\s*")),
            valid: re(format!(r"^(\s*({OPS})\s*({CV})\s*,?)+$")),
            find: re(format!(r"({OPS})\s*({CV})")),
            atom: re(format!(r"^\s*({OPS})\s*({CV})\s*$")),
        }
    })
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_atom(s: &str) -> Result<Atom, SemverError> {
    let m = regexes()
        .atom
        .captures(s)
        .ok_or_else(|| SemverError(format!("improper constraint: {}", super::conv::go_quote(s))))?;
    let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
    let op = match g(1) {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let mut ver = g(2).to_string();
    if is_x(major) || major.is_empty() {
        ver = "0.0.0".into();
        dirty = true;
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{major}.0.0{pre}");
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{major}{minor}.0{pre}");
    }
    let con = Version::parse(&ver).map_err(|_| SemverError("constraint parser error".into()))?;
    Ok(Atom {
        op,
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraints {
    /// Masterminds `NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, SemverError> {
        let re = regexes();
        // Hyphen ranges "1.2 - 1.4.5" become ">= 1.2, <= 1.4.5".
        let mut text = c.to_string();
        let ranges: Vec<(String, String, String)> = re
            .range
            .captures_iter(c)
            .map(|m| (m[0].to_string(), m[1].to_string(), m[11].to_string()))
            .collect();
        for (whole, lo, hi) in ranges {
            text = text.replacen(&whole, &format!(">= {lo}, <= {hi}"), 1);
        }
        let mut groups = Vec::new();
        for part in text.split("||") {
            if !re.valid.is_match(part) {
                return Err(SemverError(format!(
                    "improper constraint: {}",
                    super::conv::go_quote(part)
                )));
            }
            let mut atoms: Vec<&str> = re.find.find_iter(part).map(|m| m.as_str()).collect();
            if atoms.is_empty() {
                atoms.push(part);
            }
            groups.push(
                atoms
                    .into_iter()
                    .map(parse_atom)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(Constraints { groups })
    }

    /// Whether `v` satisfies any alternative. A prerelease version is considered only
    /// by groups (`||` alternatives) in which some constraint names a prerelease.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|g| {
            let include_pre = g.iter().any(|a| !a.con.pre.is_empty());
            g.iter().all(|a| a.check(v, include_pre))
        })
    }
}

impl Atom {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        let c = &self.con;
        if !include_pre && !v.pre.is_empty() {
            return false;
        }
        let cmp = v.compare(c);
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                cmp != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return cmp == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                cmp == Ordering::Greater
            }
            Op::Less => cmp == Ordering::Less,
            Op::GreaterEqual => cmp != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return cmp != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v, cmp)
                } else {
                    cmp == Ordering::Equal
                }
            }
            Op::Tilde => self.tilde(v, cmp),
            Op::Caret => {
                if cmp == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version, cmp: Ordering) -> bool {
        let c = &self.con;
        if cmp == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// The `*semver.Version` Sprig's `semver` returns: methods `Major`, `Minor`, ...
/// Behind a lock because Go code can overwrite what the pointer points at
/// (mergo's `mergeOverwrite` of one version into another), and every holder of the
/// pointer sees the change.
struct VersionObject(std::sync::RwLock<Version>);

impl VersionObject {
    fn value(v: Version) -> Value {
        Value::Object(Arc::new(VersionObject(std::sync::RwLock::new(v))))
    }

    fn get(&self) -> Version {
        // A poisoned lock still holds a whole Version (writers only assign).
        match self.0.read() {
            Ok(v) => v.clone(),
            Err(e) => e.into_inner().clone(),
        }
    }

    fn of(o: &dyn Object) -> Option<&VersionObject> {
        let any: &dyn std::any::Any = o;
        any.downcast_ref::<VersionObject>()
    }
}

/// `*dst = *src` for two `*semver.Version` objects (what mergo's `WithOverride`
/// does to a pointer met by another of its type); false when either is not one.
pub(crate) fn overwrite_version(dst: &dyn Object, src: &dyn Object) -> bool {
    let (Some(d), Some(s)) = (VersionObject::of(dst), VersionObject::of(src)) else {
        return false;
    };
    let v = s.get();
    match d.0.write() {
        Ok(mut g) => *g = v,
        Err(e) => *e.into_inner() = v,
    }
    true
}

impl Object for VersionObject {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.get();
        Some(match name {
            // Masterminds/semver's version numbers are `uint64`.
            "Major" => Value::Uint64(v.major),
            "Minor" => Value::Uint64(v.minor),
            "Patch" => Value::Uint64(v.patch),
            "Prerelease" => Value::from(v.pre.clone()),
            "Metadata" => Value::from(v.metadata.clone()),
            "Original" => Value::from(v.original.clone()),
            "String" => Value::from(v.to_string()),
            "IncMajor" => obj(Version {
                major: v.major + 1,
                minor: 0,
                patch: 0,
                pre: String::new(),
                metadata: String::new(),
                original: String::new(),
            }),
            "IncMinor" => obj(Version {
                minor: v.minor + 1,
                patch: 0,
                pre: String::new(),
                metadata: String::new(),
                original: String::new(),
                ..v.clone()
            }),
            "IncPatch" => {
                // A prerelease increments to its release, as Masterminds does.
                let patch = if v.pre.is_empty() {
                    v.patch + 1
                } else {
                    v.patch
                };
                obj(Version {
                    patch,
                    pre: String::new(),
                    metadata: String::new(),
                    original: String::new(),
                    ..v.clone()
                })
            }
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !self.has_method(name) {
            return None;
        }
        if args.len() != 1 {
            return Some(Err(format!(
                "wrong number of args for {name}: want 1 got {}",
                args.len()
            )));
        }
        let other = match &args[0] {
            Value::Object(o) if let Some(v) = VersionObject::of(o.as_ref()) => Ok(v.get()),
            // Masterminds dereferences the nil pointer.
            Value::Nil => {
                Err("runtime error: invalid memory address or nil pointer dereference".into())
            }
            v => Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                v.type_name()
            )),
        };
        Some(other.map(|o| {
            let ord = self.get().compare(&o);
            match name {
                "Compare" => Value::Int(ord as i64),
                "LessThan" => Value::Bool(ord == Ordering::Less),
                "GreaterThan" => Value::Bool(ord == Ordering::Greater),
                _ => Value::Bool(ord == Ordering::Equal),
            }
        }))
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Compare" | "LessThan" | "GreaterThan" | "Equal")
    }

    fn method_params(&self, name: &str) -> Option<&'static [crate::func::Param]> {
        const VERSION: &[crate::func::Param] = &[crate::func::Param::Ptr("*semver.Version")];
        Some(match name {
            "Compare" | "LessThan" | "GreaterThan" | "Equal" => VERSION,
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
            | "IncMajor" | "IncMinor" | "IncPatch" => &[],
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.get().to_string()
    }

    fn go_stringer(&self) -> bool {
        true
    }

    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    fn deep_copied(&self) -> Option<Value> {
        // All of semver.Version's fields are unexported: the copy is 0.0.0.
        Some(VersionObject::value(Version {
            major: 0,
            minor: 0,
            patch: 0,
            pre: String::new(),
            metadata: String::new(),
            original: String::new(),
        }))
    }

    fn to_value(&self) -> Option<Value> {
        // *Version marshals to JSON as its string form.
        Some(Value::from(self.get().to_string()))
    }
}

fn obj(mut v: Version) -> Value {
    if v.original.is_empty() {
        v.original = v.to_string();
    }
    VersionObject::value(v)
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("semver", |a| {
        arity("semver", a, 1)?;
        let v = Version::parse(args::string(&a[0])?).map_err(|e| FuncError::new(e.0))?;
        Ok(obj(v))
    });
    f.add("semverCompare", |a| {
        arity("semverCompare", a, 2)?;
        let (c, v) = (args::string(&a[0])?, args::string(&a[1])?);
        semver_compare(c, v)
            .map(Value::Bool)
            .map_err(FuncError::new)
    });
}

type CompareResults = HashMap<(String, String), Result<bool, String>>;

fn compare_results() -> &'static Mutex<CompareResults> {
    static CACHE: OnceLock<Mutex<CompareResults>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Forgets every remembered `semverCompare` result (cold-render benchmarks).
pub(super) fn clear_cache() {
    compare_results()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
}

/// `semverCompare`, remembered per (constraint, version): a pure function that charts
/// call with the same few pairs (`.Capabilities.KubeVersion` against an API cut-off)
/// many times per render, and parsing both with the grammar's regexes dominates it.
fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    const CAPACITY: usize = 256;
    let cache = compare_results();
    let key = (constraint.to_string(), version.to_string());
    if let Some(r) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return r.clone();
    }
    let r = Constraints::parse(constraint)
        .and_then(|c| Ok(c.check(&Version::parse(version)?)))
        .map_err(|e| e.0);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CAPACITY {
        cache.clear();
    }
    cache.insert(key, r.clone());
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    fn sat(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    #[test]
    fn versions() {
        let v = Version::parse("v1.2").unwrap();
        assert_eq!(v.to_string(), "1.2.0");
        let v = Version::parse("1.2.3-beta.1+build.5").unwrap();
        assert_eq!(
            (
                v.major,
                v.minor,
                v.patch,
                v.pre.as_str(),
                v.metadata.as_str()
            ),
            (1, 2, 3, "beta.1", "build.5")
        );
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("1.2.3-01").is_err());
        assert_eq!(
            Version::parse("1.0.0-alpha")
                .unwrap()
                .compare(&Version::parse("1.0.0-alpha.1").unwrap()),
            Ordering::Less
        );
        assert_eq!(
            Version::parse("1.0.0-2")
                .unwrap()
                .compare(&Version::parse("1.0.0-beta").unwrap()),
            Ordering::Less
        );
        assert_eq!(
            Version::parse("1.0.0")
                .unwrap()
                .compare(&Version::parse("1.0.0-rc.1").unwrap()),
            Ordering::Greater
        );
    }

    #[test]
    fn constraints_like_masterminds() {
        assert!(sat(">=1.2.3", "1.2.3"));
        assert!(!sat(">1.2.3", "1.2.3"));
        assert!(sat("~1.2.3", "1.2.9"));
        assert!(!sat("~1.2.3", "1.3.0"));
        assert!(sat("~1", "1.9.0"));
        assert!(sat("^1.2.3", "1.9.0"));
        assert!(!sat("^1.2.3", "2.0.0"));
        assert!(sat("^0.2.3", "0.2.9"));
        assert!(!sat("^0.2.3", "0.3.0"));
        assert!(sat("^0.0.3", "0.0.3"));
        assert!(!sat("^0.0.3", "0.0.4"));
        assert!(sat("1.2.x", "1.2.7"));
        assert!(!sat("1.2.x", "1.3.0"));
        assert!(sat("*", "4.5.6"));
        assert!(sat("1.2 - 1.4.5", "1.4.5"));
        assert!(!sat("1.2 - 1.4.5", "1.4.6"));
        assert!(sat(">= 1.2, < 3.0.0 || >= 4.2.3", "4.3.0"));
        assert!(sat(">= 1.2 < 3.0.0", "2.0.0"));
        assert!(!sat(">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0"));
        assert!(
            !sat(">=1.0.0", "1.5.0-beta"),
            "prereleases need a prerelease constraint"
        );
        assert!(sat(">=1.0.0-0", "1.5.0-beta"));
        assert!(
            sat(">=1.0.0-0, <2", "1.5.0-beta"),
            "one prerelease bound opens the group"
        );
        assert!(!sat(">=1.0.0 <2", "1.5.0-beta"));
        assert!(sat("<2 || >=1.0.0-0", "1.5.0-beta"));
        assert!(!sat("*", "1.0.0-beta"));
        assert!(sat("1.x-0", "1.2.0-beta"));
        assert!(!sat(">11", "11.1.0"));
        assert!(sat(">11.1", "11.2.0"));
        assert!(sat("<=1.2", "1.2.9"));
        assert!(sat("!=1.2.3", "1.2.4"));
        assert!(sat("v1.2.3", "1.2.3"));
        assert!(sat(">=1.21-0", "1.29.0-eks-1234"));
        assert!(Constraints::parse("").is_err());
        assert!(Constraints::parse("foo").is_err());
    }

    #[test]
    fn template_functions() {
        assert_eq!(
            call("semverCompare", &[">=1.2.3".into(), "1.3.0".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("semverCompare", &["^1".into(), "v2.0.0".into()]),
            Value::Bool(false)
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "semverCompare",
                &["x".into(), "nope".into()]
            )
            .is_err()
        );
        let v = call("semver", &["1.2.3-alpha+m".into()]);
        let Value::Object(o) = &v else { panic!() };
        assert_eq!(o.field("Major"), Some(Value::Uint64(1)));
        assert_eq!(o.field("Prerelease"), Some(Value::str("alpha")));
        assert_eq!(o.display(), "1.2.3-alpha+m");
        let w = call("semver", &["1.3.0".into()]);
        assert_eq!(
            o.call_method("Compare", &[w]).unwrap().unwrap(),
            Value::Int(-1)
        );
        assert!(try_call(&crate::sprig::funcs(), "semver", &["1.x".into()]).is_err());
    }
}
