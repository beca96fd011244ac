//! The dynamic value every template, function and Helm values tree works with.
//!
//! Go templates see Helm values as `map[string]interface{}` and `[]interface{}`:
//! maps and slices are *references*, so Sprig's `set` on a dict is visible to every
//! holder of that dict. `Map` and `List` therefore share their contents behind an
//! `Arc<RwLock<..>>`; cloning a `Value` clones the reference, `deep_copy` the contents.
//! The lock (not `RefCell`) keeps `Value: Send + Sync`, so values built on one thread
//! (stack loading) can be rendered on another (the executor).
//!
//! Numbers keep Go's types apart: YAML values in Helm are `float64` (printed `1e+06`);
//! literals, `len` and `.Release.Revision` are `int`; Sprig arithmetic and `--set`
//! integers are `int64`. Reflection and `deepEqual` see the difference, `eq` and
//! printing do not (docs/architecture.md, "Go `int` vs `int64`").

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::stack::{ContainerPath, grow};

/// A Go map with string keys. Go prints and ranges maps in sorted key order,
/// so a `BTreeMap` gives the same order for free.
pub type MapInner = BTreeMap<String, Value>;

/// Shared, mutable map (Go `map[string]interface{}` semantics unless [`MapData`]'s
/// value type says otherwise).
///
/// The second field is the Go named map type this *reference* has (Helm's
/// `common.Values`), `None` for the plain map type. It lives in the handle, not in
/// the shared [`MapData`], because in Go the type belongs to the interface value:
/// the same map is `common.Values` as `.Values` and `map[string]interface {}` once
/// passed through a `map[string]interface{}` parameter (`merge .Values`) or
/// returned by `.Values.AsMap`, while both views keep writing to one map.
#[derive(Clone, Default)]
pub struct Map(pub Arc<MapData>, Option<&'static MapType>);

/// A Go named map type whose underlying type is `map[string]interface {}` (Helm's
/// `type Values map[string]interface{}`): reflection (`typeOf`, `%T`, `%#v`)
/// prints its name, `deepEqual` tells it from a plain map, type assertions to
/// `map[string]interface {}` (Sprig's `dig`) refuse it, and templates call its
/// methods, which Go's field lookup tries before map keys (`.Values.YAML` calls
/// the method even when the map has a `YAML` key).
pub struct MapType {
    /// Go's type name (`common.Values`).
    pub name: &'static str,
    /// The type's methods (value receivers, so callable on any such map).
    methods: &'static [MapMethod],
    /// Bit `(c - b'A') % 64` is set when a method's name starts with `c`: every
    /// field lookup on such a map (`.Values.x`, `.Values` itself on `.`) asks for
    /// a method first, and this answers most of them in a few instructions
    /// (lower-case initials land on bits no upper-case letter sets; any other
    /// byte that aliases a set bit only costs the name comparison).
    initials: u64,
}

/// One method of a [`MapType`].
pub struct MapMethod {
    pub name: &'static str,
    /// Go's parameters, checked by the executor as reflection does before the call.
    pub params: &'static [crate::func::Param],
    /// The method on the receiver map with checked arguments; an `Err` is the
    /// method's own error (`error calling NAME: ...`).
    pub call: fn(&mut dyn crate::func::Runtime, &Map, &[Value]) -> Result<Value, String>,
}

impl MapType {
    /// A named map type with these methods. Method names must start with an ASCII
    /// upper-case letter, as Go's exported methods (the only ones templates can
    /// call) start with an upper-case letter.
    pub const fn new(name: &'static str, methods: &'static [MapMethod]) -> Self {
        let mut initials = 0u64;
        let mut i = 0;
        while i < methods.len() {
            let first = methods[i].name.as_bytes();
            assert!(
                !first.is_empty() && first[0].is_ascii_uppercase(),
                "method names start with an ASCII upper-case letter"
            );
            initials |= 1 << (first[0] - b'A');
            i += 1;
        }
        MapType {
            name,
            methods,
            initials,
        }
    }

    /// The method called `name`, if the type has one.
    #[inline]
    pub fn method(&self, name: &str) -> Option<&'static MapMethod> {
        let first = *name.as_bytes().first()?;
        if (self.initials >> (first.wrapping_sub(b'A') & 63)) & 1 == 0 {
            return None;
        }
        self.find_method(name)
    }

    // Kept out of line: callers inline only the mask test above.
    #[inline(never)]
    fn find_method(&self, name: &str) -> Option<&'static MapMethod> {
        self.methods.iter().find(|m| m.name == name)
    }
}

impl fmt::Debug for MapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A map's entries, its Go value type and whether it is Go's nil map. Templates and
/// values build `map[string]interface{}`; Helm's `.Chart.Annotations` and Sprig's
/// `split` are `map[string]string`, which reflection names, a missing key reads as
/// `""` and Sprig's `map[string]interface{}` parameters refuse. A nil map (an absent
/// `annotations`) reads as empty but encodes as JSON `null`. Derefs to the lock.
#[derive(Default)]
pub struct MapData {
    entries: RwLock<MapInner>,
    elem: Elem,
    nil: bool,
}

impl std::ops::Deref for MapData {
    type Target = RwLock<MapInner>;
    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

impl std::ops::DerefMut for MapData {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.entries
    }
}

/// Shared, mutable list (Go slice semantics, `[]interface{}` unless [`Elem`] says
/// otherwise).
#[derive(Clone, Default)]
pub struct List(pub Arc<ListData>);

/// The Go element type of a slice. Templates and values build `[]interface{}`; a
/// few functions return typed slices (`until` `[]int`, `keys` `[]string`), which
/// reflection names and `deepEqual` tells apart from `[]interface{}` holding the
/// same items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Elem {
    /// `[]interface {}`
    #[default]
    Any,
    /// `[]int`
    Int,
    /// `[]string`
    String,
    /// `[]map[string]interface {}` (BurntSushi/toml's arrays of tables)
    Map,
    /// `[][]interface {}` (Sprig's `chunk`)
    List,
    /// `[][]uint8` / `map[string][]uint8` (Helm's `engine.files`)
    Bytes,
}

impl Elem {
    /// Go's name for the element type, as `typeOf` prints it inside `[]`/`map[string]`.
    pub fn go_name(self) -> &'static str {
        match self {
            Elem::Any => "interface {}",
            Elem::Int => "int",
            Elem::String => "string",
            Elem::Map => "map[string]interface {}",
            Elem::List => "[]interface {}",
            Elem::Bytes => "[]uint8",
        }
    }
    /// Go's zero value of the element type (`index` of a missing map key).
    pub fn zero_value(self) -> Value {
        match self {
            Elem::Any | Elem::Map | Elem::List => Value::Nil,
            Elem::Bytes => Value::Bytes(Arc::from(&[][..])),
            Elem::Int => Value::Int(0),
            Elem::String => Value::str(""),
        }
    }
}

/// A list's items and element type. Derefs to the lock, so `list.0.read()` reads
/// the items; the element type is fixed when the list is made.
#[derive(Default)]
pub struct ListData {
    items: RwLock<Vec<Value>>,
    elem: Elem,
    /// Go's nil slice (`regexFindAll` finding nothing): empty, but JSON/YAML `null`,
    /// `%#v` `[]string(nil)`, and not `deepEqual` to an empty slice.
    nil: bool,
}

impl std::ops::Deref for ListData {
    type Target = RwLock<Vec<Value>>;
    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl std::ops::DerefMut for ListData {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.items
    }
}

/// A host object with fields and methods, such as Helm's `.Files` or
/// `.Capabilities.APIVersions`. Go templates reach these through reflection;
/// here the object answers by name.
pub trait Object: std::any::Any + Send + Sync {
    /// The Go type name used in error messages and `typeOf` (e.g. `chartutil.Files`).
    fn type_name(&self) -> &str;
    /// A field (or zero-argument method) by name; `None` if there is no such field,
    /// which templates report as "can't evaluate field X in type T".
    fn field(&self, name: &str) -> Option<Value>;
    /// Call a method with arguments. `None` if there is no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }
    /// The Go parameters of method `name`, when it is a method (`Some(&[])` for one
    /// without arguments, such as `Year`): the executor then checks the arguments as
    /// Go's reflection does (count, literal conversion, types) before calling it.
    /// `None` for struct fields, and for methods of objects that check their own.
    fn method_params(&self, name: &str) -> Option<&'static [crate::func::Param]> {
        let _ = name;
        None
    }
    /// Whether `name` is a method that takes arguments (so `.Files.Get "x"` calls it).
    fn has_method(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// How `%v`/`print` shows the object.
    fn display(&self) -> String {
        format!("{{{}}}", self.type_name())
    }
    /// How an action (`{{ .X }}`) prints the object. Go's template printer takes the
    /// address of an addressable struct field, so a `String` method with a pointer
    /// receiver applies there but not once the value is passed to a function
    /// (`print`, `quote`, `toString`), which sees a copy.
    fn action_display(&self) -> String {
        self.display()
    }
    /// `%#v` of a type with a `GoString` method (`time.Time`: `time.Date(...)`).
    fn go_syntax(&self) -> Option<String> {
        None
    }
    /// Whether the Go type has a value-receiver `String` method (a `fmt.Stringer`
    /// wherever it is passed), so `%q`, `%x` and precisions format `display`.
    fn go_stringer(&self) -> bool {
        false
    }
    /// Truthiness in `if`/`with`/`and`/`or` (structs are always true in Go).
    fn truthy(&self) -> bool {
        true
    }
    /// Go's kind of the type, as `kindOf` prints it.
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    /// The number of a named integer type (`time.Duration`): `%d` prints it and
    /// `empty` tests it, while `%v`/`%s` use `display` (its `String` method).
    fn go_int(&self) -> Option<i64> {
        None
    }
    /// Go's `==` (`deep` false: `eq`) or `reflect.DeepEqual` (`deep` true) with
    /// another object, for types whose Go value is not the object's identity (a
    /// `*time.Location` made again for each `.Location`). `None`: compare by identity.
    fn go_equal(&self, other: &dyn Object, deep: bool) -> Option<bool> {
        let _ = (other, deep);
        None
    }
    /// What copystructure's `Copy` (`deepCopy`) makes of the object: it copies
    /// exported fields only, so a pointer to a struct without any (`*semver.Version`,
    /// `*time.Location`) becomes a pointer to a new zero struct. `None`: the same.
    fn deep_copied(&self) -> Option<Value> {
        None
    }
    /// A value of this same named integer type holding `n` (`range` over a
    /// `time.Month` yields `time.Month`s, as reflect's `Seq` does).
    fn with_go_int(&self, n: i64) -> Option<Value> {
        let _ = n;
        None
    }
    /// How goyaml.v3 (`toYamlPretty`) writes a type it special-cases
    /// (`time.Duration` as its text); `None` for the usual struct handling.
    fn yaml_v3(&self) -> Option<Value> {
        None
    }
    /// A plain-data view for `toYaml`/`toJson`, if the object has one.
    fn to_value(&self) -> Option<Value> {
        None
    }
    /// A Go struct's fields as encoding/json writes them: json names in declaration
    /// order, `omitempty` fields already left out. `None` (the default) has JSON
    /// encoders use `to_value`, whose map keys come out sorted.
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// A Go struct's fields by their Go names in declaration order, all of them
    /// (goyaml.v3, which ignores json tags, lowercases the names). `None` for
    /// objects that are not structs.
    fn go_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// The underlying map or slice when the Go type is a named map or slice type
    /// (Helm's `engine.files` is a `map[string][]byte`, `VersionSet` a `[]string`):
    /// `range`, `len` and `index` then work on it as Go's reflection does. Struct
    /// types keep the default `None`, so ranging over them stays an error.
    fn collection(&self) -> Option<Value> {
        None
    }
}

/// A Go string whose bytes are not valid UTF-8: `.Files.Get` of a binary file
/// (a gzipped init script, a keystore), `b64dec` of binary data. Go strings are byte
/// strings and Rust's are UTF-8, so such a string keeps its bytes for what reads bytes
/// (`b64enc`, the checksums, `len`, `index`, `eq`, output) and a text with every
/// invalid sequence as U+FFFD for what works on text, which is what Go's `strings`
/// functions, `range` and encoding/json make of them.
/// Bytes as text the way Go decodes them: an invalid sequence is read one byte at a
/// time (`utf8.DecodeRune` gives `RuneError` of width 1), so each of its bytes is one
/// U+FFFD, where `String::from_utf8_lossy` gives one per maximal invalid subpart.
pub fn go_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut text = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    std::borrow::Cow::Owned(text)
}

/// Where [`go_text`] of `bytes` holds a U+FFFD standing for an invalid byte: its
/// offset in the text, and the byte.
pub fn invalid_in_go_text(bytes: &[u8]) -> Vec<(usize, u8)> {
    let mut invalid = Vec::new();
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        at += chunk.valid().len();
        for &b in chunk.invalid() {
            invalid.push((at, b));
            at += char::REPLACEMENT_CHARACTER.len_utf8();
        }
    }
    invalid
}

/// Go's `for i, r := range s` over bytes: each character's offset, the character and
/// its width, where every byte of an invalid sequence is one U+FFFD of width 1.
pub fn go_runes(bytes: &[u8]) -> Vec<(usize, char, usize)> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            out.push((at, c, c.len_utf8()));
            at += c.len_utf8();
        }
        for _ in chunk.invalid() {
            out.push((at, char::REPLACEMENT_CHARACTER, 1));
            at += 1;
        }
    }
    out
}

pub struct RawString {
    bytes: Box<[u8]>,
    text: Box<str>,
}

impl RawString {
    pub fn new(bytes: &[u8]) -> RawString {
        RawString {
            bytes: bytes.into(),
            text: go_text(bytes).into(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text with invalid sequences replaced by U+FFFD.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A template value.
#[derive(Clone, Default)]
pub enum Value {
    /// Go `nil` (also a missing map key): prints as `<no value>` in templates.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int` (64-bit, as on every platform Helm ships for).
    Int(i64),
    /// Go `int64`: a distinct type for reflection (`typeOf`, `%T`, `deepEqual`) and
    /// for typed parameters, the same number for arithmetic and printing.
    Int64(i64),
    /// Go `uint8` (`byte`): an item of a `[]byte` (`index`, `range`, `first` of
    /// `.Files.GetBytes`) or `index` of a string.
    Uint8(u8),
    /// Go `uint64` (semver's `Major`, `Minor`, `Patch`).
    Uint64(u64),
    /// Go `float64`.
    Float(f64),
    String(Arc<str>),
    /// Go `[]byte` (`.Files.GetBytes`, `b64dec` before `toString`).
    Bytes(Arc<[u8]>),
    /// A Go `string` whose bytes are not valid UTF-8 (see [`RawString`]).
    RawString(Arc<RawString>),
    List(List),
    Map(Map),
    Object(Arc<dyn Object>),
}

// Templates can build values nested arbitrarily deep (`$d = dict "a" $d` in a
// loop); the default recursive drop would overflow the stack freeing them. The last
// holder of a map or list therefore frees its contents recursively only up to
// `DROP_RECURSION` levels (values as Helm charts build them, freed without any work
// list), and below that with an explicit work list.

/// Levels of containers freed by plain recursion before the work list takes over:
/// a few hundred bytes of stack each, far below any thread's stack.
const DROP_RECURSION: u32 = 64;

thread_local! {
    /// How many container drops are running on this thread's stack.
    static DROP_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Frees `contents` (the entries of a container whose last holder is dropping) by
/// recursion while the nesting allows, else through [`drop_iteratively`] when they
/// hold containers.
#[inline]
fn drop_contents<T>(
    contents: T,
    has_containers: impl FnOnce(&T) -> bool,
    into_work: impl FnOnce(T) -> Vec<Value>,
) {
    let depth = DROP_DEPTH.with(std::cell::Cell::get);
    if depth < DROP_RECURSION {
        DROP_DEPTH.with(|d| d.set(depth + 1));
        drop(contents);
        DROP_DEPTH.with(|d| d.set(depth));
    } else if has_containers(&contents) {
        drop_iteratively(into_work(contents));
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if let Some(lock) = Arc::get_mut(&mut self.0) {
            drop_contents(
                std::mem::take(lock.get_mut()),
                |m| m.values().any(Value::is_container),
                |m| m.into_values().collect(),
            );
        }
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if let Some(lock) = Arc::get_mut(&mut self.0) {
            drop_contents(
                std::mem::take(lock.get_mut()),
                |items| items.iter().any(Value::is_container),
                |items| items,
            );
        }
    }
}

/// Frees values without recursion: uniquely held containers are emptied onto the
/// work list before they drop.
fn drop_iteratively(mut work: Vec<Value>) {
    while let Some(mut v) = work.pop() {
        match &mut v {
            Value::Map(m) => {
                if let Some(lock) = Arc::get_mut(&mut m.0) {
                    work.extend(std::mem::take(lock.get_mut()).into_values());
                }
            }
            Value::List(l) => {
                if let Some(lock) = Arc::get_mut(&mut l.0) {
                    work.append(lock.get_mut());
                }
            }
            _ => {}
        }
    }
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn from_inner(inner: MapInner) -> Self {
        Self::typed(inner, Elem::Any)
    }
    /// A typed Go map (`map[string]string`); the values must be of that type.
    pub fn typed(inner: MapInner, elem: Elem) -> Self {
        Map(
            Arc::new(MapData {
                entries: RwLock::new(inner),
                elem,
                nil: false,
            }),
            None,
        )
    }
    /// Go's nil map of the given value type: empty, and never written to (Sprig's
    /// writers take `map[string]interface{}`, which typed maps are not).
    pub fn nil_of(elem: Elem) -> Self {
        Map(
            Arc::new(MapData {
                entries: RwLock::new(MapInner::new()),
                elem,
                nil: true,
            }),
            None,
        )
    }
    pub fn elem(&self) -> Elem {
        self.0.elem
    }
    /// The Go named map type of this reference, `None` for a plain map.
    pub fn named(&self) -> Option<&'static MapType> {
        self.1
    }
    /// The same map seen as the named type `t` (Go's conversion `common.Values(m)`).
    pub fn with_type(&self, t: &'static MapType) -> Map {
        Map(self.0.clone(), Some(t))
    }
    /// The same map seen as its plain type: what a `map[string]interface{}`
    /// parameter receives when given a named map (Go's assignability).
    pub fn plain(&self) -> Map {
        Map(self.0.clone(), None)
    }
    /// Whether two references have the same Go type (named or not).
    pub fn same_type(&self, other: &Map) -> bool {
        self.elem() == other.elem()
            && match (self.1, other.1) {
                (None, None) => true,
                (Some(a), Some(b)) => a.name == b.name,
                _ => false,
            }
    }
    /// Whether this is Go's nil map (JSON `null`).
    pub fn is_nil_map(&self) -> bool {
        self.0.nil
    }
    /// What a missing key reads as: the zero value of the map's value type.
    pub fn zero_value(&self) -> Value {
        self.0.elem.zero_value()
    }
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.read().get(key).cloned()
    }
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.0.write().insert(key.into(), value)
    }
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.write().remove(key)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.read().contains_key(key)
    }
    pub fn len(&self) -> usize {
        self.0.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.read().is_empty()
    }
    /// Sorted keys, copied out so no lock is held while the caller works.
    pub fn keys(&self) -> Vec<String> {
        self.0.read().keys().cloned().collect()
    }
    /// Sorted entries, copied out (values are cheap reference clones).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.0
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// Same underlying map (Go pointer equality).
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl List {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn from_vec(items: Vec<Value>) -> Self {
        Self::typed(items, Elem::Any)
    }
    /// A typed Go slice (`[]int`, `[]string`); the items must be of that type.
    pub fn typed(items: Vec<Value>, elem: Elem) -> Self {
        List(Arc::new(ListData {
            items: RwLock::new(items),
            elem,
            nil: false,
        }))
    }
    /// Go's nil slice of the given element type.
    pub fn nil_of(elem: Elem) -> Self {
        List(Arc::new(ListData {
            items: RwLock::new(Vec::new()),
            elem,
            nil: true,
        }))
    }
    /// Whether this is Go's nil slice (JSON `null`).
    pub fn is_nil_slice(&self) -> bool {
        self.0.nil
    }
    pub fn elem(&self) -> Elem {
        self.0.elem
    }
    pub fn get(&self, index: usize) -> Option<Value> {
        self.0.read().get(index).cloned()
    }
    pub fn len(&self) -> usize {
        self.0.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.read().is_empty()
    }
    pub fn push(&self, value: Value) {
        self.0.write().push(value)
    }
    /// The items, copied out (values are cheap reference clones).
    pub fn to_vec(&self) -> Vec<Value> {
        self.0.read().clone()
    }
    pub fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::String(Arc::from(s.as_ref()))
    }
    pub fn map(inner: MapInner) -> Value {
        Value::Map(Map::from_inner(inner))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::from_vec(items))
    }
    pub fn empty_map() -> Value {
        Value::Map(Map::new())
    }

    /// The value as Go's reflection sees its kind: a host object of a named slice or
    /// map type (`VersionSet`, Helm's `files`) is its underlying list or map, so
    /// Sprig's slice and emptiness checks treat it as one; anything else is itself.
    pub fn reflected(&self) -> Cow<'_, Value> {
        match self {
            Value::Object(o) => o.collection().map_or(Cow::Borrowed(self), Cow::Owned),
            _ => Cow::Borrowed(self),
        }
    }

    /// Whether this is a map or a list (values that can nest).
    pub fn is_container(&self) -> bool {
        matches!(self, Value::Map(_) | Value::List(_))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            Value::RawString(r) => Some(r.text()),
            _ => None,
        }
    }

    /// A Go string from its bytes: `String` when they are UTF-8, else `RawString`.
    pub fn from_go_bytes(bytes: &[u8]) -> Value {
        match std::str::from_utf8(bytes) {
            Ok(s) => Value::str(s),
            Err(_) => Value::RawString(Arc::new(RawString::new(bytes))),
        }
    }

    /// Go's `strings.ReplaceAll` on a Go string (bytes are kept as they are) for a
    /// non-empty `from`; `None` for a value that is not a string.
    pub fn go_replace_all(&self, from: &str, to: &str) -> Option<Value> {
        match self {
            Value::String(s) if !s.contains(from) => Some(self.clone()),
            Value::String(s) => Some(Value::from(s.replace(from, to))),
            Value::RawString(r) => {
                let bytes = r.bytes();
                let pat = from.as_bytes();
                let mut out = Vec::with_capacity(bytes.len());
                let mut at = 0;
                while at < bytes.len() {
                    if !pat.is_empty() && bytes[at..].starts_with(pat) {
                        out.extend_from_slice(to.as_bytes());
                        at += pat.len();
                    } else {
                        out.push(bytes[at]);
                        at += 1;
                    }
                }
                Some(Value::from_go_bytes(&out))
            }
            _ => None,
        }
    }

    /// The bytes of a Go string (either representation).
    pub fn go_string_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::RawString(r) => Some(r.bytes()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The value of any Go integer kind, signed or unsigned (`eq`, `lt` compare
    /// them by value); `None` for other kinds.
    pub fn go_integer(&self) -> Option<i128> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(i128::from(*i)),
            Value::Uint8(u) => Some(i128::from(*u)),
            Value::Uint64(u) => Some(i128::from(*u)),
            // A named integer type (`time.Duration`) compares as its kind.
            Value::Object(o) => o.go_int().map(i128::from),
            _ => None,
        }
    }

    /// Go's truth for `if`, `with`, `and`, `or`, `not`: the zero value of its type is false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint8(u) => *u != 0,
            Value::Uint64(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::RawString(_) => true,
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` reports it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint8(_) => "uint8",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::RawString(_) => "string",
            Value::Bytes(_) => "slice",
            Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go's type name, as Sprig's `typeOf` and template errors report it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Int64(_) => "int64".to_string(),
            Value::Uint8(_) => "uint8".to_string(),
            Value::Uint64(_) => "uint64".to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) | Value::RawString(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => format!("[]{}", l.elem().go_name()),
            Value::Map(m) => match m.named() {
                Some(t) => t.name.to_string(),
                None => format!("map[string]{}", m.elem().go_name()),
            },
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// A deep copy: new maps and lists all the way down (Sprig's `deepCopy`). A map or
    /// list that contains itself keeps that inner reference to the original (Go's
    /// copystructure would recurse until its stack ran out).
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_within(&mut ContainerPath::new())
    }

    fn deep_copy_within(&self, path: &mut ContainerPath) -> Value {
        let Some(id) = ContainerPath::id(self) else {
            return match self {
                Value::Object(o) => o.deep_copied().unwrap_or_else(|| self.clone()),
                _ => self.clone(),
            };
        };
        if !path.enter(id) {
            return self.clone();
        }
        let copy = match self {
            Value::Map(m) => {
                // Cloning the tree copies its nodes as they are (no key comparisons,
                // unlike collecting into a new map); nested containers are then
                // replaced by their own copies.
                // copystructure keeps the Go type, named (`common.Values`) or not.
                let copy = if m.is_nil_map() {
                    Map::nil_of(m.elem())
                } else {
                    let mut inner = m.0.read().clone();
                    for v in inner.values_mut() {
                        if v.is_container() || matches!(v, Value::Object(_)) {
                            *v = grow(|| v.deep_copy_within(path));
                        }
                    }
                    Map::typed(inner, m.elem())
                };
                Value::Map(match m.named() {
                    Some(t) => copy.with_type(t),
                    None => copy,
                })
            }
            Value::List(l) if l.is_nil_slice() => Value::List(List::nil_of(l.elem())),
            Value::List(l) => {
                let mut items = l.0.read().clone();
                for v in items.iter_mut() {
                    if v.is_container() || matches!(v, Value::Object(_)) {
                        *v = grow(|| v.deep_copy_within(path));
                    }
                }
                Value::List(List::typed(items, l.elem()))
            }
            other => other.clone(),
        };
        path.leave();
        copy
    }

    /// Convert from JSON (numbers: integers stay `Int` only if `ints_as_int`, else `Float`,
    /// matching `encoding/json` into `interface{}` which always yields float64).
    pub fn from_json(json: &serde_json::Value, ints_as_int: bool) -> Value {
        match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if ints_as_int && let Some(i) = n.as_i64() {
                    return Value::Int(i);
                }
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(items) => grow(|| {
                Value::list(
                    items
                        .iter()
                        .map(|v| Value::from_json(v, ints_as_int))
                        .collect(),
                )
            }),
            serde_json::Value::Object(obj) => grow(|| {
                Value::map(
                    obj.iter()
                        .map(|(k, v)| (k.clone(), Value::from_json(v, ints_as_int)))
                        .collect(),
                )
            }),
        }
    }

    /// Convert to JSON for serialisation (objects use their `to_value` view, or null).
    /// Non-finite floats become null, as JSON cannot hold them, and so does a map or
    /// list met again inside itself.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_within(&mut ContainerPath::new())
    }

    fn to_json_within(&self, path: &mut ContainerPath) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Uint8(u) => serde_json::Value::from(*u),
            Value::Uint64(u) => serde_json::Value::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::RawString(r) => serde_json::Value::String(r.text().to_string()),
            Value::Bytes(b) => {
                serde_json::Value::Array(b.iter().map(|x| serde_json::Value::from(*x)).collect())
            }
            Value::List(_) | Value::Map(_) => {
                if !ContainerPath::id(self).is_some_and(|id| path.enter(id)) {
                    return serde_json::Value::Null;
                }
                let json = grow(|| match self {
                    Value::List(l) => serde_json::Value::Array(
                        l.0.read().iter().map(|v| v.to_json_within(path)).collect(),
                    ),
                    Value::Map(m) => serde_json::Value::Object(
                        m.0.read()
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_json_within(path)))
                            .collect(),
                    ),
                    _ => serde_json::Value::Null,
                });
                path.leave();
                json
            }
            Value::Object(o) => o
                .to_value()
                .map(|v| v.to_json_within(path))
                .unwrap_or(serde_json::Value::Null),
        }
    }

    /// Go's `reflect.DeepEqual` over template values: same Go types, same contents.
    /// Iterative, so any depth compares; a pair of containers met again while being
    /// compared counts as equal, which is how Go ends on values that contain
    /// themselves.
    pub fn deep_equal(&self, other: &Value) -> bool {
        if !(self.is_container() && other.is_container()) {
            return scalar_eq(self, other);
        }
        let mut work = vec![(self.clone(), other.clone())];
        let mut visited: HashSet<(usize, usize)> = HashSet::new();
        while let Some((a, b)) = work.pop() {
            match (&a, &b) {
                (Value::List(x), Value::List(y)) => {
                    if x.ptr_eq(y) {
                        continue;
                    }
                    if x.elem() != y.elem() || x.is_nil_slice() != y.is_nil_slice() {
                        return false;
                    }
                    let ids = (ContainerPath::id(&a), ContainerPath::id(&b));
                    if let (Some(i), Some(j)) = ids
                        && !visited.insert((i, j))
                    {
                        continue;
                    }
                    let (xs, ys) = (x.to_vec(), y.to_vec());
                    if xs.len() != ys.len() {
                        return false;
                    }
                    work.extend(xs.into_iter().zip(ys));
                }
                (Value::Map(x), Value::Map(y)) => {
                    // Go compares types first: the same map as `common.Values` and
                    // as `map[string]interface {}` is not deeply equal.
                    if !x.same_type(y) {
                        return false;
                    }
                    if x.ptr_eq(y) {
                        continue;
                    }
                    if x.is_nil_map() != y.is_nil_map() {
                        return false;
                    }
                    let ids = (ContainerPath::id(&a), ContainerPath::id(&b));
                    if let (Some(i), Some(j)) = ids
                        && !visited.insert((i, j))
                    {
                        continue;
                    }
                    let (xs, ys) = (x.entries(), y.entries());
                    if xs.len() != ys.len() {
                        return false;
                    }
                    for ((kx, vx), (ky, vy)) in xs.into_iter().zip(ys) {
                        if kx != ky {
                            return false;
                        }
                        work.push((vx, vy));
                    }
                }
                _ => {
                    if !scalar_eq(&a, &b) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// Equality of two values that are not both maps or both lists.
fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
        (Value::Uint8(a), Value::Uint8(b)) => a == b,
        (Value::Uint64(a), Value::Uint64(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::RawString(a), Value::RawString(b)) => a.bytes() == b.bytes(),
        (Value::Bytes(a), Value::Bytes(b)) => a == b,
        (Value::Object(a), Value::Object(b)) => a
            .go_equal(b.as_ref(), true)
            .unwrap_or_else(|| Arc::ptr_eq(a, b)),
        _ => false,
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Uint8(u) => write!(f, "Uint8({u})"),
            Value::Uint64(u) => write!(f, "Uint64({u})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::RawString(r) => write!(f, "RawString({:?})", r.bytes()),
            Value::List(l) => {
                if l.elem() != Elem::Any {
                    write!(f, "{}", self.type_name())?;
                }
                grow(|| f.debug_list().entries(l.0.read().iter()).finish())
            }
            Value::Map(m) => grow(|| f.debug_map().entries(m.0.read().iter()).finish()),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.read().iter()).finish()
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.read().iter()).finish()
    }
}

/// Structural equality (not Go's `eq`, which has its own rules in `exec`): used by tests
/// and by value-level comparisons such as `has` and `uniq`; see [`Value::deep_equal`].
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.deep_equal(other)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Arc::from(s))
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::list(items)
    }
}
impl From<MapInner> for Value {
    fn from(inner: MapInner) -> Self {
        Value::map(inner)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_text_replaces_each_invalid_byte() {
        // e2 82 is a truncated three-byte sequence: two U+FFFD in Go, one in
        // `from_utf8_lossy`.
        assert_eq!(
            super::go_text(b"a\xe2\x82b\xff"),
            "a\u{fffd}\u{fffd}b\u{fffd}"
        );
        assert_eq!(super::go_text("é".as_bytes()), "é");
        assert!(matches!(Value::from_go_bytes(b"ok"), Value::String(_)));
        assert_eq!(Value::from_go_bytes(b"\xff").type_name(), "string");
    }

    use super::*;

    /// Every template value is copied around constantly; the int kinds and the
    /// slice element type must not make it bigger than its largest payload (the
    /// `Arc<dyn Object>` fat pointer) and the tag.
    #[test]
    fn value_size_is_unchanged() {
        assert_eq!(std::mem::size_of::<List>(), std::mem::size_of::<usize>());
        // The named-type tag rides in the map handle, within the fat pointer's room.
        assert_eq!(std::mem::size_of::<Map>(), 2 * std::mem::size_of::<usize>());
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    /// Shallow values free by recursion, deep ones past `DROP_RECURSION` levels by
    /// the work list: a million levels of maps and lists drop on a small stack.
    #[test]
    fn deep_values_drop_on_a_small_stack() {
        let t = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(|| {
                let mut v = Value::Nil;
                for i in 0..1_000_000 {
                    v = if i % 2 == 0 {
                        let mut m = MapInner::new();
                        m.insert("a".into(), v);
                        m.insert("b".into(), Value::Int(i));
                        Value::map(m)
                    } else {
                        Value::list(vec![Value::Bool(true), v])
                    };
                }
                drop(v);
                DROP_DEPTH.with(std::cell::Cell::get)
            })
            .expect("spawn");
        assert_eq!(t.join().expect("no overflow"), 0);
    }

    static NAMED: MapType = MapType::new("pkg.Named", &[]);

    /// The type belongs to the reference: views of one map share its entries,
    /// reflection and `deepEqual` tell them apart, copies keep the type.
    #[test]
    fn named_map_type_is_per_reference() {
        let m = Map::new();
        m.insert("a", Value::Int(1));
        let named = Value::Map(m.with_type(&NAMED));
        let plain = Value::Map(m.clone());
        assert_eq!(named.type_name(), "pkg.Named");
        assert_eq!(named.kind_name(), "map");
        assert_eq!(plain.type_name(), "map[string]interface {}");
        assert_ne!(named, plain);
        assert_eq!(named, Value::Map(m.with_type(&NAMED)));
        let copy = named.deep_copy();
        assert_eq!(copy.type_name(), "pkg.Named");
        assert_eq!(copy, named);
        if let Value::Map(n) = &named {
            n.plain().insert("b", Value::Int(2));
            assert!(n.plain().ptr_eq(&m) && n.named().is_some() && n.plain().named().is_none());
        }
        assert_eq!(m.len(), 2);
        assert_ne!(copy, named);
        // Inside other values the named type stays (Go stores the interface value).
        let outer = Value::list(vec![named.clone()]);
        assert_ne!(outer, Value::list(vec![plain]));
    }

    /// A named slice type (`VersionSet`) behind an object.
    struct Named;
    impl Object for Named {
        fn type_name(&self) -> &str {
            "t.Named"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn collection(&self) -> Option<Value> {
            Some(Value::list(vec![Value::Int(1)]))
        }
    }
    struct Plain;
    impl Object for Plain {
        fn type_name(&self) -> &str {
            "t.Plain"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
    }

    #[test]
    fn reflected_unwraps_named_collections_only() {
        let named = Value::Object(Arc::new(Named));
        assert!(matches!(&*named.reflected(), Value::List(l) if l.len() == 1));
        let plain = Value::Object(Arc::new(Plain));
        assert!(matches!(&*plain.reflected(), Value::Object(_)));
        assert!(matches!(
            Value::Int(2).reflected(),
            Cow::Borrowed(Value::Int(2))
        ));
    }

    /// Go's reflect.DeepEqual: same type, same contents.
    #[test]
    fn equality_compares_go_types() {
        assert_ne!(Value::Int(1), Value::Int64(1));
        assert_eq!(Value::Int64(1), Value::Int64(1));
        let typed = Value::List(List::typed(vec![Value::Int(0)], Elem::Int));
        assert_ne!(typed, Value::list(vec![Value::Int(0)]));
        assert_eq!(typed.deep_copy(), typed);
        assert_eq!(typed.type_name(), "[]int");
        assert_eq!(Value::Int(1).type_name(), "int");
        assert_eq!(Value::Int64(1).kind_name(), "int64");
        assert!(Value::Int64(2).truthy() && !Value::Int64(0).truthy());
        assert_eq!(Value::Int64(3).to_json(), serde_json::json!(3));
    }
}
