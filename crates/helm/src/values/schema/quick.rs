//! Deciding whether values pass a proven schema without compiling it.
//!
//! boon compiles a schema before it validates anything: for a small draft 7 schema
//! with `$ref`s that is ~490k instructions, for cert-manager's 47 kB schema ~22M,
//! most of a cold render, and Helm compiles on every install just the same. Values
//! almost always pass, and then only the verdict matters (failures are reported from
//! boon, with its texts). So a schema that `metaschema` proved valid is first walked
//! here, keyword by keyword, the way boon's compiled form validates it: `Some(verdict)`
//! when every keyword met is one this module knows exactly, `None` (boon decides) for
//! anything else: unknown drafts' rules, `format` assertions, `unevaluated*`,
//! patterns outside a plain subset, reference cycles, deep recursion.
//!
//! The walk mirrors boon 0.6's validator, quirks included (draft 7 applies `const`
//! beside `$ref`; `dependencies` counts in 2020-12; `minLength` that is no whole
//! number is ignored); a property test compares the verdicts with boon's.

use boon::Draft;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::HashMap;

/// What judging values against one proven schema needs besides the schema: its
/// patterns compiled, its references checked.
pub(super) struct Prepared {
    draft: Draft,
    regexes: HashMap<String, regex_lite::Regex>,
}

/// Patterns longer than this are left to boon.
const MAX_PATTERN: usize = 512;
/// Counted repetitions above this are left to boon (its size limits).
const MAX_REPEAT: u32 = 100;
/// Nested schema applications one judgement may take before leaving it to boon.
pub(super) const MAX_DEPTH: usize = 200;
/// Arrays longer than this are not checked for `uniqueItems` here: boon compares
/// them through hashes, whose notion of equal numbers could differ.
const MAX_UNIQUE: usize = 20;

impl Prepared {
    /// `None` when the schema holds something this module does not decide, or a
    /// reference boon would not compile the same way.
    pub(super) fn new(schema: &Value, draft: Draft) -> Option<Prepared> {
        if !matches!(draft, Draft::V7 | Draft::V2020_12) {
            return None;
        }
        let mut regexes = HashMap::new();
        // Every subschema boon may compile (and some it may not, which only makes
        // this refuse more), with its own stack; serde_json bounds the nesting.
        let mut work = vec![schema];
        while let Some(s) = work.pop() {
            let m = match s {
                Value::Bool(_) => continue,
                Value::Object(m) => m,
                _ => return None,
            };
            for (key, v) in m {
                match keyword(key, draft) {
                    Kind::Plain | Kind::Ignored => {}
                    Kind::Unsupported => return None,
                    Kind::Schema => work.push(v),
                    Kind::Items if v.is_array() => work.extend(v.as_array()?.iter()),
                    Kind::Items => work.push(v),
                    Kind::SchemaArray => work.extend(v.as_array()?.iter()),
                    Kind::SchemaMap => work.extend(v.as_object()?.values()),
                    Kind::Dependencies => {
                        work.extend(v.as_object()?.values().filter(|d| !d.is_array()));
                    }
                    Kind::Pattern => compile_pattern(v.as_str()?, &mut regexes)?,
                    Kind::PatternProperties => {
                        for (p, sub) in v.as_object()? {
                            compile_pattern(p, &mut regexes)?;
                            work.push(sub);
                        }
                    }
                    Kind::Ref => {
                        resolve(schema, v.as_str()?, draft)?;
                    }
                }
            }
        }
        Some(Prepared { draft, regexes })
    }

    /// Does `instance` pass `schema` (the one this was prepared from)? `None`: not
    /// decided here. Recursion is bounded by [`MAX_DEPTH`] schema applications.
    pub(super) fn judge(&self, schema: &Value, instance: &Value) -> Option<bool> {
        let mut judge = Judge {
            p: self,
            root: schema,
            chain: Vec::new(),
            depth: 0,
        };
        judge.schema(schema, instance, 0)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    /// An assertion on the instance.
    Plain,
    /// An annotation, or no keyword of the draft: boon does not compile it.
    Ignored,
    /// Decided by boon only.
    Unsupported,
    Schema,
    /// `items`: a schema, or (draft 7) an array of them.
    Items,
    SchemaArray,
    SchemaMap,
    Dependencies,
    Pattern,
    PatternProperties,
    Ref,
}

fn keyword(key: &str, draft: Draft) -> Kind {
    let v2020 = draft == Draft::V2020_12;
    match key {
        "type" | "enum" | "const" | "multipleOf" | "maximum" | "exclusiveMaximum" | "minimum"
        | "exclusiveMinimum" | "maxLength" | "minLength" | "maxItems" | "minItems"
        | "uniqueItems" | "maxProperties" | "minProperties" | "required" => Kind::Plain,
        "dependentRequired" | "minContains" | "maxContains" if v2020 => Kind::Plain,
        // Without format assertions (boon's default) draft 2020-12 only annotates.
        "format" if v2020 => Kind::Ignored,
        "format" => Kind::Unsupported,
        "pattern" => Kind::Pattern,
        "patternProperties" => Kind::PatternProperties,
        "properties" | "definitions" => Kind::SchemaMap,
        "$defs" | "dependentSchemas" if v2020 => Kind::SchemaMap,
        "additionalProperties" | "not" | "if" | "then" | "else" | "contains" | "propertyNames" => {
            Kind::Schema
        }
        "additionalItems" if !v2020 => Kind::Schema,
        "items" if v2020 => Kind::Schema,
        "items" => Kind::Items,
        "allOf" | "anyOf" | "oneOf" => Kind::SchemaArray,
        "prefixItems" if v2020 => Kind::SchemaArray,
        "dependencies" => Kind::Dependencies,
        "$ref" => Kind::Ref,
        "unevaluatedItems" | "unevaluatedProperties" if v2020 => Kind::Unsupported,
        "$id" | "$anchor" | "$dynamicRef" | "$dynamicAnchor" | "$recursiveRef"
        | "$recursiveAnchor" | "$vocabulary" => Kind::Unsupported,
        // Annotations (content keywords assert only when boon is told to), and words
        // that are no keyword of the draft.
        _ => Kind::Ignored,
    }
}

/// The schema a fragment reference points at, when the pointer leads through
/// subschema positions only (every one of them was checked against the metaschema
/// by `metaschema`, so boon compiles the target as it is).
fn resolve<'a>(root: &'a Value, reference: &str, draft: Draft) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let pointer = pointer.strip_prefix('/')?;
    let mut tokens = pointer.split('/').map(unescape);
    let mut at = root;
    while let Some(token) = tokens.next() {
        let token = token?;
        let m = at.as_object()?;
        let v = m.get(token.as_ref())?;
        at = match keyword(&token, draft) {
            Kind::Schema => v,
            Kind::Items if !v.is_array() => v,
            Kind::Items | Kind::SchemaArray => {
                let i: usize = index(&tokens.next()??)?;
                v.as_array()?.get(i)?
            }
            Kind::SchemaMap | Kind::PatternProperties => {
                v.as_object()?.get(tokens.next()??.as_ref())?
            }
            Kind::Dependencies => {
                let d = v.as_object()?.get(tokens.next()??.as_ref())?;
                if d.is_array() {
                    return None;
                }
                d
            }
            _ => return None,
        };
    }
    matches!(at, Value::Object(_) | Value::Bool(_)).then_some(at)
}

/// A JSON pointer token: `~1` is `/`, `~0` is `~`, any other `~` is malformed.
fn unescape(token: &str) -> Option<Cow<'_, str>> {
    if !token.contains('~') {
        return Some(Cow::Borrowed(token));
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        match c {
            '~' => match chars.next()? {
                '0' => out.push('~'),
                '1' => out.push('/'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(Cow::Owned(out))
}

/// An array index as a JSON pointer writes it (no sign, no leading zero).
fn index(token: &str) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

fn compile_pattern(pattern: &str, regexes: &mut HashMap<String, regex_lite::Regex>) -> Option<()> {
    if !regexes.contains_key(pattern) {
        let re = regex_lite::Regex::new(&translate(pattern)?).ok()?;
        regexes.insert(pattern.to_string(), re);
    }
    Some(())
}

/// An ECMA 262 pattern from a plain subset, written for regex-lite so that it matches
/// exactly what boon's translation does in the `regex` crate: ASCII only; literals,
/// `.`, `^`, `$`, groups (plain and `(?:`), `|`, the quantifiers (lazy or not, counts
/// up to [`MAX_REPEAT`] on single atoms), bracket classes of literals and ranges, and
/// `\d`, `\D`, `\w`, `\W` outside classes as boon rewrites them (ASCII classes).
/// `None` for anything else (lookarounds, backreferences, `\s`, `\b`, flags,
/// Unicode escapes, Annex B leniencies): boon decides those.
pub(super) fn translate(pattern: &str) -> Option<String> {
    if pattern.len() > MAX_PATTERN || !pattern.is_ascii() {
        return None;
    }
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut depth = 0usize;
    // What the last item was: a quantifier may follow an atom only, a count only
    // a single-character atom.
    #[derive(PartialEq)]
    enum Last {
        Nothing,
        Char,
        Group,
    }
    let mut last = Last::Nothing;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        match c {
            b'\\' => {
                let n = *bytes.get(i)?;
                i += 1;
                match n {
                    b'd' => out.push_str("[0-9]"),
                    b'D' => out.push_str("[^0-9]"),
                    b'w' => out.push_str("[A-Za-z0-9_]"),
                    b'W' => out.push_str("[^A-Za-z0-9_]"),
                    b't' => out.push_str("\\t"),
                    b'n' => out.push_str("\\n"),
                    b'r' => out.push_str("\\r"),
                    n if escapable(n) => push_literal(&mut out, n),
                    _ => return None,
                }
                last = Last::Char;
            }
            b'[' => {
                i = class(bytes, i, &mut out)?;
                last = Last::Char;
            }
            b'(' => {
                if bytes.get(i) == Some(&b'?') {
                    if bytes.get(i + 1) != Some(&b':') {
                        return None;
                    }
                    i += 2;
                    out.push_str("(?:");
                } else {
                    out.push('(');
                }
                depth += 1;
                last = Last::Nothing;
            }
            b')' => {
                depth = depth.checked_sub(1)?;
                out.push(')');
                last = Last::Group;
            }
            b'|' => {
                out.push('|');
                last = Last::Nothing;
            }
            b'^' | b'$' => {
                out.push(c as char);
                last = Last::Nothing;
            }
            b'.' => {
                out.push('.');
                last = Last::Char;
            }
            b'*' | b'+' | b'?' => {
                if last == Last::Nothing {
                    return None;
                }
                out.push(c as char);
                if bytes.get(i) == Some(&b'?') {
                    out.push('?');
                    i += 1;
                }
                last = Last::Nothing;
            }
            b'{' => {
                if last != Last::Char {
                    return None;
                }
                let close = i + bytes[i..].iter().position(|&b| b == b'}')?;
                let body = &pattern[i..close];
                let (lo, hi) = match body.split_once(',') {
                    Some((lo, "")) => (count(lo)?, None),
                    Some((lo, hi)) => (count(lo)?, Some(count(hi)?)),
                    None => (count(body)?, Some(count(body)?)),
                };
                if hi.is_some_and(|hi| hi < lo) {
                    return None;
                }
                out.push('{');
                out.push_str(body);
                out.push('}');
                i = close + 1;
                if bytes.get(i) == Some(&b'?') {
                    out.push('?');
                    i += 1;
                }
                last = Last::Nothing;
            }
            b'}' | b']' => return None,
            c if c.is_ascii_graphic() || c == b' ' => {
                push_literal(&mut out, c);
                last = Last::Char;
            }
            _ => return None,
        }
    }
    (depth == 0).then_some(out)
}

/// Punctuation that both ECMA and the `regex` crate's parser take escaped (the
/// latter refuses `\<` and `\>`, its word-boundary syntax).
fn escapable(c: u8) -> bool {
    c.is_ascii_punctuation() && c != b'<' && c != b'>'
}

/// A repetition count: decimal digits, at most [`MAX_REPEAT`].
fn count(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| n <= MAX_REPEAT)
}

/// A literal for regex-lite: its meta characters escaped, nothing else (an escaped
/// `<` or `>` is a word boundary there).
fn push_literal(out: &mut String, c: u8) {
    if br"\.+*?()|[]{}^$-".contains(&c) {
        out.push('\\');
    }
    out.push(c as char);
}

/// A bracket class starting after its `[`: written to `out`, returns the index after
/// its `]`. Items are literals and ranges of literals; an unescaped `-` is a literal
/// only first or last. Nested classes, class escapes and the `regex` crate's set
/// operators (`&&`, `--`, `~~`, which ECMA reads as literals) are left to boon.
fn class(bytes: &[u8], mut i: usize, out: &mut String) -> Option<usize> {
    out.push('[');
    if bytes.get(i) == Some(&b'^') {
        out.push('^');
        i += 1;
    }
    // ECMA's `[]` matches nothing and `[^]` anything; `regex` reads them otherwise.
    if bytes.get(i) == Some(&b']') {
        return None;
    }
    let start = i;
    let atom = |i: &mut usize| -> Option<u8> {
        let c = *bytes.get(*i)?;
        *i += 1;
        match c {
            b'\\' => {
                let n = *bytes.get(*i)?;
                *i += 1;
                escapable(n).then_some(n)
            }
            b'-' if *i - 1 != start && bytes.get(*i) != Some(&b']') => None,
            b'[' | b'&' | b'~' => None,
            c if c.is_ascii_graphic() || c == b' ' => Some(c),
            _ => None,
        }
    };
    loop {
        match bytes.get(i)? {
            b']' => {
                out.push(']');
                return Some(i + 1);
            }
            _ => {
                let lo = atom(&mut i)?;
                if bytes.get(i) == Some(&b'-') && bytes.get(i + 1).is_some_and(|&b| b != b']') {
                    i += 1;
                    if bytes.get(i) == Some(&b'-') {
                        return None;
                    }
                    let hi = atom(&mut i)?;
                    if hi < lo {
                        return None;
                    }
                    push_class_char(out, lo);
                    out.push('-');
                    push_class_char(out, hi);
                } else {
                    push_class_char(out, lo);
                }
            }
        }
    }
}

fn push_class_char(out: &mut String, c: u8) {
    push_literal(out, c);
}

/// One judgement: the schemas applied to the current instance value since the last
/// step into a child value (boon reports a reference cycle when one repeats), and the
/// nesting so far.
struct Judge<'a> {
    p: &'a Prepared,
    root: &'a Value,
    chain: Vec<*const Value>,
    depth: usize,
}

/// A keyword of a schema object. Schemas hold a few keywords each, where comparing
/// the keys beats hashing the one looked for (serde_json's maps hash with SipHash).
fn get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= 8 {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

/// `all`-combination of verdicts: a definite failure decides, else an unknown does.
fn and(a: Option<bool>, b: impl FnOnce() -> Option<bool>) -> Option<bool> {
    match a {
        Some(false) => Some(false),
        Some(true) => b(),
        None => match b() {
            Some(false) => Some(false),
            _ => None,
        },
    }
}

impl<'a> Judge<'a> {
    /// `s` applied to `v`, where the current instance value's schemas start at
    /// `chain[base..]`.
    fn schema(&mut self, s: &'a Value, v: &Value, base: usize) -> Option<bool> {
        let m = match s {
            Value::Bool(b) => return Some(*b),
            Value::Object(m) => m,
            // boon compiles any other value to a schema without assertions.
            _ => return Some(true),
        };
        if m.is_empty() {
            return Some(true);
        }
        let id: *const Value = s;
        if self.chain[base..].contains(&id) || self.depth >= MAX_DEPTH {
            return None;
        }
        self.chain.push(id);
        self.depth += 1;
        let verdict = self.object_schema(m, v, base);
        self.depth -= 1;
        self.chain.pop();
        verdict
    }

    /// `s` applied to a child value of the current one.
    fn child(&mut self, s: &'a Value, v: &Value) -> Option<bool> {
        let base = self.chain.len();
        self.schema(s, v, base)
    }

    fn object_schema(&mut self, m: &'a Map<String, Value>, v: &Value, base: usize) -> Option<bool> {
        let draft7 = self.p.draft == Draft::V7;
        if let Some(c) = get(m, "const")
            && !equals_within(v, c, 0)?
        {
            return Some(false);
        }
        if let Some(Value::String(r)) = get(m, "$ref") {
            let target = resolve(self.root, r, self.p.draft)?;
            let verdict = self.schema(target, v, base);
            // Before 2019-09 the other keywords beside `$ref` are not compiled.
            if draft7 || verdict == Some(false) {
                return verdict;
            }
            return and(verdict, || self.assertions(m, v, base));
        }
        self.assertions(m, v, base)
    }

    /// Everything but `const` and `$ref`.
    fn assertions(&mut self, m: &'a Map<String, Value>, v: &Value, base: usize) -> Option<bool> {
        if let Some(t) = get(m, "type")
            && !type_matches(t, v)
        {
            return Some(false);
        }
        if let Some(Value::Array(want)) = get(m, "enum") {
            let mut found = false;
            for e in want {
                if equals_within(e, v, 0)? {
                    found = true;
                    break;
                }
            }
            if !found {
                return Some(false);
            }
        }
        let specific = match v {
            Value::Object(obj) => self.object(m, v, obj, base),
            Value::Array(items) => self.array(m, items),
            Value::String(s) => self.string(m, s),
            Value::Number(n) => Some(number(m, n)),
            _ => Some(true),
        };
        and(specific, || self.conditions(m, v, base))
    }

    fn object(
        &mut self,
        m: &'a Map<String, Value>,
        v: &Value,
        obj: &Map<String, Value>,
        base: usize,
    ) -> Option<bool> {
        let v2020 = self.p.draft == Draft::V2020_12;
        if usize_kw(m, "minProperties").is_some_and(|min| obj.len() < min)
            || usize_kw(m, "maxProperties").is_some_and(|max| obj.len() > max)
        {
            return Some(false);
        }
        if let Some(req) = get(m, "required")
            && !has_all(obj, req)
        {
            return Some(false);
        }
        let mut verdict = Some(true);
        if let Some(Value::Object(deps)) = get(m, "dependencies") {
            for (prop, dep) in deps {
                if obj.contains_key(prop) {
                    let one = match dep {
                        Value::Array(_) => Some(has_all(obj, dep)),
                        sub => self.schema(sub, v, base),
                    };
                    verdict = and(verdict, || one);
                    if verdict == Some(false) {
                        return verdict;
                    }
                }
            }
        }
        let properties = get(m, "properties").and_then(Value::as_object);
        let patterns = get(m, "patternProperties").and_then(Value::as_object);
        let additional = get(m, "additionalProperties");
        for (name, value) in obj {
            let mut evaluated = false;
            if let Some(sub) = properties.and_then(|p| p.get(name)) {
                evaluated = true;
                let one = self.child(sub, value);
                verdict = and(verdict, || one);
            }
            for (pattern, sub) in patterns.into_iter().flatten() {
                if self.p.regexes.get(pattern)?.is_match(name) {
                    evaluated = true;
                    let one = self.child(sub, value);
                    verdict = and(verdict, || one);
                }
            }
            if !evaluated {
                match additional {
                    Some(Value::Bool(false)) => return Some(false),
                    Some(Value::Bool(true)) | None => {}
                    Some(sub) => {
                        let one = self.child(sub, value);
                        verdict = and(verdict, || one);
                    }
                }
            }
            if verdict == Some(false) {
                return verdict;
            }
        }
        if let Some(names) = get(m, "propertyNames") {
            for name in obj.keys() {
                // boon validates each name on its own, as a new instance.
                let saved = std::mem::take(&mut self.chain);
                let one = self.schema(names, &Value::String(name.clone()), 0);
                self.chain = saved;
                verdict = and(verdict, || one);
                if verdict == Some(false) {
                    return verdict;
                }
            }
        }
        if v2020 {
            if let Some(Value::Object(deps)) = get(m, "dependentSchemas") {
                for (prop, sub) in deps {
                    if obj.contains_key(prop) {
                        let one = self.schema(sub, v, base);
                        verdict = and(verdict, || one);
                    }
                }
            }
            if let Some(Value::Object(deps)) = get(m, "dependentRequired") {
                for (prop, req) in deps {
                    if obj.contains_key(prop) && !has_all(obj, req) {
                        return Some(false);
                    }
                }
            }
        }
        verdict
    }

    fn array(&mut self, m: &'a Map<String, Value>, items: &[Value]) -> Option<bool> {
        let len = items.len();
        if usize_kw(m, "minItems").is_some_and(|min| len < min)
            || usize_kw(m, "maxItems").is_some_and(|max| len > max)
        {
            return Some(false);
        }
        if len > 1 && matches!(get(m, "uniqueItems"), Some(Value::Bool(true))) {
            if len > MAX_UNIQUE {
                return None;
            }
            for (i, a) in items.iter().enumerate() {
                for b in &items[i + 1..] {
                    if equals_within(a, b, 0)? {
                        return Some(false);
                    }
                }
            }
        }
        let mut verdict = Some(true);
        let mut each = |judge: &mut Self, s: &'a Value, values: &[Value]| {
            for x in values {
                let one = judge.child(s, x);
                verdict = and(verdict, || one);
                if verdict == Some(false) {
                    break;
                }
            }
        };
        if self.p.draft == Draft::V7 {
            match get(m, "items") {
                Some(Value::Array(tuple)) => {
                    for (s, x) in tuple.iter().zip(items) {
                        each(self, s, std::slice::from_ref(x));
                    }
                    let evaluated = tuple.len().min(len);
                    match get(m, "additionalItems") {
                        Some(Value::Bool(false)) if evaluated != len => return Some(false),
                        Some(Value::Bool(_)) | None => {}
                        Some(s) => each(self, s, &items[evaluated..]),
                    }
                }
                Some(s) => each(self, s, items),
                None => {}
            }
        } else {
            let prefix = match get(m, "prefixItems") {
                Some(Value::Array(prefix)) => prefix.as_slice(),
                _ => &[],
            };
            for (s, x) in prefix.iter().zip(items) {
                each(self, s, std::slice::from_ref(x));
            }
            if let Some(s) = get(m, "items") {
                each(self, s, &items[prefix.len().min(len)..]);
            }
        }
        if let Some(s) = get(m, "contains") {
            let mut matched = 0usize;
            for x in items {
                match self.child(s, x) {
                    Some(true) => matched += 1,
                    Some(false) => {}
                    None => return None,
                }
            }
            let (min, max) = if self.p.draft == Draft::V2020_12 {
                (usize_kw(m, "minContains"), usize_kw(m, "maxContains"))
            } else {
                (None, None)
            };
            let enough = match min {
                Some(min) => matched >= min,
                None => matched > 0,
            };
            if !enough || max.is_some_and(|max| matched > max) {
                return Some(false);
            }
        }
        verdict
    }

    fn string(&self, m: &Map<String, Value>, s: &str) -> Option<bool> {
        let min = usize_kw(m, "minLength");
        let max = usize_kw(m, "maxLength");
        if min.is_some() || max.is_some() {
            let len = s.chars().count();
            if min.is_some_and(|min| len < min) || max.is_some_and(|max| len > max) {
                return Some(false);
            }
        }
        if let Some(Value::String(p)) = get(m, "pattern") {
            return Some(self.p.regexes.get(p)?.is_match(s));
        }
        Some(true)
    }

    fn conditions(&mut self, m: &'a Map<String, Value>, v: &Value, base: usize) -> Option<bool> {
        let mut verdict = Some(true);
        if let Some(s) = get(m, "not") {
            let inner = self.schema(s, v, base)?;
            if inner {
                return Some(false);
            }
        }
        if let Some(Value::Array(all)) = get(m, "allOf") {
            for s in all {
                let one = self.schema(s, v, base);
                verdict = and(verdict, || one);
                if verdict == Some(false) {
                    return verdict;
                }
            }
        }
        if let Some(Value::Array(any)) = get(m, "anyOf") {
            let mut unknown = false;
            let mut matched = false;
            for s in any {
                match self.schema(s, v, base) {
                    Some(true) => {
                        matched = true;
                        break;
                    }
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            let one = if matched {
                Some(true)
            } else if unknown {
                None
            } else {
                Some(false)
            };
            verdict = and(verdict, || one);
        }
        if let Some(Value::Array(one_of)) = get(m, "oneOf") {
            let (mut matched, mut unknown) = (0, false);
            for s in one_of {
                match self.schema(s, v, base) {
                    Some(true) => matched += 1,
                    Some(false) => {}
                    None => unknown = true,
                }
                if matched > 1 {
                    break;
                }
            }
            let one = if matched > 1 {
                Some(false)
            } else if unknown {
                None
            } else {
                Some(matched == 1)
            };
            verdict = and(verdict, || one);
        }
        if let Some(cond) = get(m, "if") {
            let branch = if self.schema(cond, v, base)? {
                get(m, "then")
            } else {
                get(m, "else")
            };
            if let Some(s) = branch {
                let one = self.schema(s, v, base);
                verdict = and(verdict, || one);
            }
        }
        verdict
    }
}

/// boon's `type`: the names it knows (others are dropped); none left checks nothing.
fn type_matches(t: &Value, v: &Value) -> bool {
    let names = match t {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    let known = |n: &&str| {
        matches!(
            *n,
            "null" | "boolean" | "number" | "integer" | "string" | "array" | "object"
        )
    };
    if !names.iter().any(known) {
        return true;
    }
    let of = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    names.contains(&of) || (names.contains(&"integer") && is_integer(v))
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// boon's reading of a count keyword: a whole non-negative number, else ignored.
fn usize_kw(m: &Map<String, Value>, key: &str) -> Option<usize> {
    let Some(Value::Number(n)) = get(m, key) else {
        return None;
    };
    match n.as_u64() {
        Some(u) => usize::try_from(u).ok(),
        None => n
            .as_f64()
            .filter(|f| f.is_sign_positive() && f.fract() == 0.0)
            .map(|f| f as usize),
    }
}

/// Every string of `req` (an array; other items are skipped) is a key of `obj`.
fn has_all(obj: &Map<String, Value>, req: &Value) -> bool {
    match req {
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .all(|n| obj.contains_key(n)),
        _ => true,
    }
}

/// The numeric keywords, compared as boon does (as `f64`; a draft 4 style boolean
/// `exclusiveMaximum: true` makes `maximum` exclusive).
fn number(m: &Map<String, Value>, n: &Number) -> bool {
    let Some(x) = n.as_f64() else {
        return true;
    };
    let num = |key: &str| match get(m, key) {
        Some(Value::Number(b)) => b.as_f64(),
        _ => None,
    };
    let (mut maximum, mut exclusive_max) = (num("maximum"), None);
    match get(m, "exclusiveMaximum") {
        Some(Value::Bool(true)) => exclusive_max = maximum.take(),
        Some(Value::Bool(false)) => {}
        _ => exclusive_max = num("exclusiveMaximum"),
    }
    let (mut minimum, mut exclusive_min) = (num("minimum"), None);
    match get(m, "exclusiveMinimum") {
        Some(Value::Bool(true)) => exclusive_min = minimum.take(),
        Some(Value::Bool(false)) => {}
        _ => exclusive_min = num("exclusiveMinimum"),
    }
    !(minimum.is_some_and(|b| x < b)
        || maximum.is_some_and(|b| x > b)
        || exclusive_min.is_some_and(|b| x <= b)
        || exclusive_max.is_some_and(|b| x >= b)
        || num("multipleOf").is_some_and(|b| (x / b).fract() != 0.0))
}

/// Values nested deeper than this are not compared here (`None`).
const MAX_EQUALS_DEPTH: usize = 128;

/// JSON equality as boon sees it: numbers by value (as unsigned, signed, then
/// floating point), objects regardless of key order; `None` past
/// [`MAX_EQUALS_DEPTH`] levels.
fn equals_within(a: &Value, b: &Value, depth: usize) -> Option<bool> {
    if depth > MAX_EQUALS_DEPTH {
        return None;
    }
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else {
                match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x == y,
                    _ => false,
                }
            }
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (x, y) in x.iter().zip(y) {
                if !equals_within(x, y, depth + 1)? {
                    return Some(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (k, x) in x {
                let Some(y) = y.get(k) else {
                    return Some(false);
                };
                if !equals_within(x, y, depth + 1)? {
                    return Some(false);
                }
            }
            true
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use boon::{Compiler, Schemas};
    use serde_json::json;

    /// boon's verdict, or `None` when boon refuses the schema.
    fn boon_verdict(schema: &Value, instance: &Value) -> Option<bool> {
        let url = "file:///quick-test.json";
        let mut compiler = Compiler::new();
        compiler.add_resource(url, schema.clone()).ok()?;
        let mut schemas = Schemas::new();
        let index = compiler.compile(url, &mut schemas).ok()?;
        Some(schemas.validate(instance, index).is_ok())
    }

    fn quick(schema: &Value, draft: Draft, instance: &Value) -> Option<bool> {
        Prepared::new(schema, draft)?.judge(schema, instance)
    }

    #[test]
    fn patterns_translate_to_the_plain_subset_only() {
        for (ecma, lite) in [
            ("^[a-z./-]+$", r"^[a-z\./\-]+$"),
            ("<a>", "<a>"),
            (r"^\d{1,3}$", "^[0-9]{1,3}$"),
            (r"^(?:a|b)\w*?$", "^(?:a|b)[A-Za-z0-9_]*?$"),
            (r"https?:\/\/x", "https?://x"),
            ("[-a]", r"[\-a]"),
        ] {
            assert_eq!(translate(ecma).as_deref(), Some(lite), "{ecma}");
        }
        for ecma in [
            r"\s", r"\bword", "(?=a)", "(?<n>a)", r"(a)\1", "[]", "[^]", "a{", "a}", "]",
            "[a-z&&b]", r"[\d]", "(a){2}", "a{101}", "a{3,2}", "é", "(a", "a)", "*a", "a**", "^*",
            r"\p{L}", r"\u0041", "[b-a]", r"\<", "[a-b-c]", "[+--]",
        ] {
            assert_eq!(translate(ecma), None, "{ecma}");
        }
    }

    #[test]
    fn references_lead_through_subschemas_only() {
        let s = json!({
            "definitions": {"a/b": {"type": "string"}, "n": {"items": [true, {"type": "null"}]}},
            "properties": {"p": {"enum": [{"type": "object"}]}},
            "dependencies": {"d": ["x"], "e": {"required": ["y"]}}
        });
        let to = |r: &str| resolve(&s, r, Draft::V7);
        assert_eq!(to("#"), Some(&s));
        assert_eq!(to("#/definitions/a~1b"), Some(&json!({"type": "string"})));
        assert_eq!(
            to("#/definitions/n/items/1"),
            Some(&json!({"type": "null"}))
        );
        assert_eq!(to("#/dependencies/e"), Some(&json!({"required": ["y"]})));
        for bad in [
            "#/dependencies/d",
            "#/properties/p/enum/0",
            "#/definitions/n/items/01",
            "#/definitions/missing",
            "#/definitions/a~2b",
            "other.json#",
        ] {
            assert_eq!(to(bad), None, "{bad}");
        }
    }

    #[test]
    fn draft7_applies_const_but_nothing_else_beside_ref() {
        let s = json!({"$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"s": {"type": "string"}},
            "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1, "const": "abc"}}});
        for (instance, want) in [
            (json!({"a": "abc"}), true),
            (json!({"a": "ab"}), false),
            (json!({"a": 1}), false),
        ] {
            assert_eq!(quick(&s, Draft::V7, &instance), Some(want), "{instance}");
            assert_eq!(boon_verdict(&s, &instance), Some(want), "{instance}");
        }
    }

    #[test]
    fn cycles_deep_values_and_unsupported_keywords_are_left_to_boon() {
        let cycle = json!({"definitions": {"a": {"$ref": "#/definitions/b"},
            "b": {"$ref": "#/definitions/a"}}, "$ref": "#/definitions/a"});
        assert_eq!(quick(&cycle, Draft::V7, &json!(1)), None);
        let format = json!({"format": "email"});
        assert!(Prepared::new(&format, Draft::V7).is_none());
        assert_eq!(quick(&format, Draft::V2020_12, &json!("x")), Some(true));
        let uneval = json!({"unevaluatedProperties": false});
        assert!(Prepared::new(&uneval, Draft::V2020_12).is_none());
        let recursive = json!({"items": {"$ref": "#"}});
        let mut deep = json!(1);
        for _ in 0..(MAX_DEPTH + 10) {
            deep = json!([deep]);
        }
        assert_eq!(quick(&recursive, Draft::V2020_12, &deep), None);
        let unique = json!({"uniqueItems": true});
        assert_eq!(quick(&unique, Draft::V7, &json!([1, 1.0])), Some(false));
        assert_eq!(quick(&unique, Draft::V7, &json!(vec![0; 21])), None);
    }

    /// Random schemas of drafts 7 and 2020-12 over the keywords `quick` knows (and a
    /// few it does not), against random instances: whenever `quick` decides, boon
    /// decides the same.
    mod generated {
        use super::*;
        use proptest::prelude::*;

        fn instance() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-2i64..5).prop_map(Value::from),
                prop::sample::select(vec![0.5, 1.0, 2.5, -1.0]).prop_map(Value::from),
                prop::sample::select(vec!["", "a", "ab", "abc", "A1", "x-y", "123", "b"])
                    .prop_map(Value::from),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec(
                        (prop::sample::select(vec!["a", "b", "c", "d"]), inner),
                        0..4
                    )
                    .prop_map(|kv| Value::Object(
                        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )),
                ]
            })
        }

        const PATTERNS: &[&str] = &[
            "^a", "b$", "^[a-c]+$", r"\d", r"^\w+$", "a|b", "(ab)+", "^.{2,3}$", "[^a]", "^x-?y$",
            r"\s",
        ];
        const REFS: &[&str] = &[
            "#",
            "#/definitions/a",
            "#/$defs/a",
            "#/properties/a",
            "#/items",
            "#/allOf/0",
            "#/definitions/missing",
        ];
        const NAMES: &[&str] = &["a", "b", "c"];

        fn names() -> impl Strategy<Value = Value> {
            prop::collection::vec(prop::sample::select(NAMES), 0..3).prop_map(|v| json!(v))
        }

        fn count() -> impl Strategy<Value = Value> {
            prop_oneof![
                (0u64..4).prop_map(Value::from),
                Just(json!(1.0)),
                Just(json!(1.5)),
            ]
        }

        fn schema() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                any::<bool>().prop_map(Value::Bool),
                Just(json!({})),
                prop::sample::select(vec![
                    "string", "integer", "number", "object", "array", "null", "boolean"
                ])
                .prop_map(|t| json!({"type": t})),
            ];
            leaf.prop_recursive(3, 32, 5, |inner| {
                let kw = prop_oneof![
                    prop::sample::select(vec![
                        json!(["string", "null"]),
                        json!("integer"),
                        json!("object")
                    ])
                    .prop_map(|t| ("type", t)),
                    instance().prop_map(|v| ("const", v)),
                    prop::collection::vec(instance(), 1..3).prop_map(|v| ("enum", json!(v))),
                    (-1i64..3).prop_map(|n| ("minimum", json!(n))),
                    prop::sample::select(vec![json!(1), json!(0.5), json!(true)])
                        .prop_map(|n| ("exclusiveMaximum", n)),
                    prop::sample::select(vec![json!(2), json!(0.5)])
                        .prop_map(|n| ("multipleOf", n)),
                    count().prop_map(|n| ("minLength", n)),
                    count().prop_map(|n| ("maxItems", n)),
                    count().prop_map(|n| ("minProperties", n)),
                    count().prop_map(|n| ("minContains", n)),
                    count().prop_map(|n| ("maxContains", n)),
                    prop::sample::select(PATTERNS).prop_map(|p| ("pattern", json!(p))),
                    inner.clone().prop_map(|s| ("items", s)),
                    prop::collection::vec(inner.clone(), 1..3).prop_map(|s| ("items", json!(s))),
                    prop::collection::vec(inner.clone(), 1..3)
                        .prop_map(|s| ("prefixItems", json!(s))),
                    inner.clone().prop_map(|s| ("additionalItems", s)),
                    any::<bool>().prop_map(|b| ("uniqueItems", json!(b))),
                    inner.clone().prop_map(|s| ("contains", s)),
                    prop::collection::btree_map(prop::sample::select(NAMES), inner.clone(), 1..3)
                        .prop_map(|m| ("properties", json!(m))),
                    prop::collection::btree_map(
                        prop::sample::select(PATTERNS),
                        inner.clone(),
                        1..2
                    )
                    .prop_map(|m| ("patternProperties", json!(m))),
                    inner.clone().prop_map(|s| ("additionalProperties", s)),
                    names().prop_map(|n| ("required", n)),
                    (
                        prop::sample::select(NAMES),
                        prop_oneof![names(), inner.clone()]
                    )
                        .prop_map(|(k, d)| ("dependencies", json!({k: d}))),
                    (prop::sample::select(NAMES), names())
                        .prop_map(|(k, d)| ("dependentRequired", json!({k: d}))),
                    (prop::sample::select(NAMES), inner.clone())
                        .prop_map(|(k, d)| ("dependentSchemas", json!({k: d}))),
                    inner.clone().prop_map(|s| ("propertyNames", s)),
                    prop::collection::vec(inner.clone(), 1..3).prop_map(|s| ("allOf", json!(s))),
                    prop::collection::vec(inner.clone(), 1..3).prop_map(|s| ("anyOf", json!(s))),
                    prop::collection::vec(inner.clone(), 1..3).prop_map(|s| ("oneOf", json!(s))),
                    inner.clone().prop_map(|s| ("not", s)),
                    inner.clone().prop_map(|s| ("if", s)),
                    inner.clone().prop_map(|s| ("then", s)),
                    inner.clone().prop_map(|s| ("else", s)),
                    prop::sample::select(REFS).prop_map(|r| ("$ref", json!(r))),
                    inner.clone().prop_map(|s| ("definitions", json!({"a": s}))),
                    inner.clone().prop_map(|s| ("$defs", json!({"a": s}))),
                    Just(("format", json!("ipv4"))),
                    Just(("x-extra", json!({"$ref": "#/nowhere"}))),
                ];
                prop::collection::vec(kw, 1..5).prop_map(|kws| {
                    Value::Object(kws.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                })
            })
        }

        /// boon's verdict on `{"pattern": p}` for each text, `None` if it refuses it.
        fn boon_matches(pattern: &str, texts: &[String]) -> Option<Vec<bool>> {
            let schema = json!({"pattern": pattern});
            texts
                .iter()
                .map(|t| boon_verdict(&schema, &json!(t)))
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]
            /// A pattern `translate` takes is one boon takes (its metaschema's `regex`
            /// format and its compiler), and matches the same texts.
            #[test]
            fn translated_patterns_match_as_boons(
                pattern in "[-abc019 .^$()|?*+{},:/<>&~\\\\\\[\\]dwsD]{0,10}",
                texts in prop::collection::vec("[-abc019 .:/_\\n]{0,6}", 1..6),
            ) {
                let Some(lite) = translate(&pattern) else {
                    return Ok(());
                };
                let re = regex_lite::Regex::new(&lite);
                prop_assert!(re.is_ok(), "{} -> {}", pattern, lite);
                let re = re.unwrap();
                let want = boon_matches(&pattern, &texts);
                prop_assert!(want.is_some(), "boon refuses {}", pattern);
                let got: Vec<bool> = texts.iter().map(|t| re.is_match(t)).collect();
                prop_assert_eq!(got, want.unwrap(), "{} -> {}", pattern, lite);
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn decides_as_boon_does(
                schema in schema(),
                draft7 in any::<bool>(),
                instances in prop::collection::vec(instance(), 1..4),
            ) {
                let (draft, url) = if draft7 {
                    (Draft::V7, "http://json-schema.org/draft-07/schema#")
                } else {
                    (Draft::V2020_12, "https://json-schema.org/draft/2020-12/schema")
                };
                let mut schema = schema;
                if let Value::Object(m) = &mut schema {
                    m.insert("$schema".into(), json!(url));
                }
                let Some(prepared) = Prepared::new(&schema, draft) else {
                    return Ok(());
                };
                for instance in &instances {
                    if let Some(verdict) = prepared.judge(&schema, instance)
                        && let Some(want) = boon_verdict(&schema, instance)
                    {
                        prop_assert_eq!(verdict, want, "{} on {}", schema, instance);
                    }
                }
            }
        }
    }
}
