//! A set of named templates sharing definitions and functions (Go's `*template.Template`
//! with its associated templates).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex};

use crate::ast::Tree;
use crate::builtins;
use crate::exec::State;
use crate::func::{Fnv, FuncMap};
use crate::gostring::GoStringBuf;
use crate::parse::{ParseConfig, ParsedFile, parse_file};
use crate::value::Value;

/// What a missing map key evaluates to (Go's `missingkey=` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` (or `invalid`): no value; prints `<no value>`, and further
    /// field access on it yields no value too.
    #[default]
    Default,
    /// `missingkey=zero`: the map's zero element, a nil `interface{}`; it prints
    /// `<no value>`, and field access on it fails ("nil pointer evaluating
    /// interface {}.x"). Helm uses this in non-strict mode.
    Zero,
    /// `missingkey=error`: execution stops ("map has no entry for key").
    Error,
}

/// Default of [`Limits::max_value_bytes`], also what a [`crate::Runtime`] that does
/// not say otherwise reports (64 MiB, as `max_output_bytes`).
pub const DEFAULT_MAX_VALUE_BYTES: usize = 64 << 20;

/// Bounds that keep untrusted templates from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting of `template`/`include`/`tpl` calls (Go: 100000).
    pub max_exec_depth: usize,
    /// Maximum bytes one execution may write, nested outputs included.
    pub max_output_bytes: usize,
    /// Maximum bytes of one string or byte-slice value a function or builtin may
    /// return (`print $s $s` in a loop doubles a variable without writing anything),
    /// and the budget functions that can build a large result in one call (`repeat`,
    /// `printf` widths, `join`, the printers) check before allocating. Default 64 MiB.
    pub max_value_bytes: usize,
    /// Maximum nesting of parentheses and control structures when parsing.
    pub max_parse_depth: usize,
    /// Largest integer `range N` may iterate over.
    pub max_range_int: i64,
    /// Maximum nodes and range iterations one execution may evaluate, so loops that
    /// write nothing (`range` inside `range`) still end.
    pub max_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_exec_depth: 10_000,
            max_output_bytes: 64 << 20,
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            max_parse_depth: 10_000,
            max_range_int: 100_000_000,
            max_steps: 100_000_000,
        }
    }
}

/// A template error; `Display` prints exactly what Go prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `template: NAME:LINE: MESSAGE`
    #[error("{0}")]
    Parse(String),
    /// `template: FILE:LINE:COL: executing "NAME" at <NODE>: MESSAGE`, or
    /// `template: no template "x" associated with template "y"`.
    #[error("{0}")]
    Exec(String),
    /// A bad `option(...)` string.
    #[error("{0}")]
    Option(String),
}

/// The templates one text defines (its top level and its `define`s), parsed.
#[derive(Clone)]
pub struct Parsed {
    trees: Vec<Arc<Tree>>,
    /// [`crate::parse::ParsedFile::top_alone`].
    top_alone: bool,
}

impl Parsed {
    /// The parse of the same text as a file named `name`, without parsing it again
    /// (charts often vendor the same library several times, e.g. helm-toolkit under
    /// every OpenStack chart of an umbrella). `None` when the parse may depend on the
    /// name: a `define` named like the old or the new file would have met the file's
    /// top-level template differently.
    pub fn renamed(&self, name: &str) -> Option<Parsed> {
        let (top, defines) = self.trees.split_last()?;
        if !self.top_alone || defines.iter().any(|t| t.name == name) {
            return None;
        }
        if top.name == name {
            return Some(self.clone());
        }
        let file: Arc<str> = Arc::from(name);
        let trees = defines
            .iter()
            .map(|t| Arc::new(t.renamed(&file, false)))
            .chain(std::iter::once(Arc::new(top.renamed(&file, true))))
            .collect();
        Some(Parsed {
            trees,
            top_alone: true,
        })
    }
}

/// A set of templates: parse many files into it, then execute any by name.
/// Cheap to share across threads (`&Templates` executes concurrently).
#[derive(Clone)]
pub struct Templates {
    /// Shared copy-on-write, so cloning a parsed set (Helm's cache) copies no table.
    trees: Arc<HashMap<String, Arc<Tree>, BuildHasherDefault<Fnv>>>,
    funcs: FuncMap,
    /// Builtins (as `Builtin::bit`s) that a user function of the same name replaces.
    overridden: u32,
    pub(crate) missing_key: MissingKey,
    pub(crate) limits: Limits,
    left_delim: String,
    right_delim: String,
    root_name: String,
    /// Parses of texts run by `tpl`, shared with clones (a parse depends only on the
    /// text and on the functions, delimiters and limits, whose setters start a new
    /// cache).
    texts: Arc<Mutex<TextCache>>,
}

/// How many bytes of `tpl` text [`TextCache`] holds before it starts over.
const TEXT_CACHE_BYTES: usize = 16 << 20;

#[derive(Default)]
struct TextCache {
    trees: HashMap<(String, String), Vec<Arc<Tree>>>,
    bytes: usize,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// An empty set with only the builtin functions.
    pub fn new() -> Self {
        Templates {
            trees: Arc::default(),
            funcs: FuncMap::new(),
            overridden: 0,
            missing_key: MissingKey::Default,
            limits: Limits::default(),
            left_delim: String::new(),
            right_delim: String::new(),
            root_name: String::new(),
            texts: Arc::default(),
        }
    }

    /// Replaces the function map (functions must be known before parsing).
    pub fn funcs(&mut self, funcs: FuncMap) -> &mut Self {
        self.funcs = funcs;
        self.update_overrides();
        self
    }

    fn update_overrides(&mut self) {
        self.texts = Arc::default();
        self.overridden = builtins::ALL
            .iter()
            .filter(|(name, _)| self.funcs.contains(name))
            .fold(0, |acc, (_, b)| acc | b.bit());
    }

    /// Whether a user function replaces builtin `b`.
    pub(crate) fn overrides(&self, b: builtins::Builtin) -> bool {
        self.overridden & b.bit() != 0
    }

    /// Adds functions; later ones replace earlier ones of the same name.
    pub fn add_funcs(&mut self, funcs: &FuncMap) -> &mut Self {
        self.funcs.extend(funcs);
        self.update_overrides();
        self
    }

    pub fn func_map(&self) -> &FuncMap {
        &self.funcs
    }

    pub(crate) fn funcs_ref(&self) -> &FuncMap {
        &self.funcs
    }

    pub fn option_missing_key(&mut self, mk: MissingKey) -> &mut Self {
        self.missing_key = mk;
        self
    }

    /// Go's `Option("missingkey=zero")` and friends.
    pub fn option(&mut self, opt: &str) -> Result<&mut Self, Error> {
        let mk = match opt {
            "missingkey=default" | "missingkey=invalid" => MissingKey::Default,
            "missingkey=zero" => MissingKey::Zero,
            "missingkey=error" => MissingKey::Error,
            _ => {
                return Err(Error::Option(format!("unrecognized option: {opt}")));
            }
        };
        self.missing_key = mk;
        Ok(self)
    }

    /// Action delimiters for later `parse` calls (empty means `{{` / `}}`).
    pub fn delims(&mut self, left: &str, right: &str) -> &mut Self {
        self.left_delim = left.to_string();
        self.right_delim = right.to_string();
        self.texts = Arc::default();
        self
    }

    pub fn set_limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self.texts = Arc::default();
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The set's own name, used in "no template X associated with template NAME"
    /// (Helm names its set `gotpl`).
    pub fn set_root_name(&mut self, name: &str) -> &mut Self {
        self.root_name = name.to_string();
        self
    }

    pub fn root_name(&self) -> &str {
        &self.root_name
    }

    /// Parses `text` as template `name` (e.g. `mychart/templates/deploy.yaml`) and adds
    /// it and its `define`/`block` definitions to the set. As Go's `AddParseTree`, a
    /// non-empty definition replaces an earlier one of the same name; an empty one does
    /// not. On error the set is unchanged.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let parsed = self.parse_only(name, text)?;
        self.add_parsed(&parsed);
        Ok(())
    }

    /// Parses `text` as template `name` without adding it: the result can be added to
    /// this set or any set with the same function names, delimiters and limits (a
    /// parse only depends on those), so callers may cache it per text.
    pub fn parse_only(&self, name: &str, text: &str) -> Result<Parsed, Error> {
        let file = self.parse_text(name, text).map_err(Error::Parse)?;
        Ok(Parsed {
            trees: file.trees,
            top_alone: file.top_alone,
        })
    }

    /// [`Templates::parse_only`] of a file's bytes, which Go reads as they are: when
    /// they are not UTF-8 the template is parsed from their lossy decoding and its
    /// text nodes write the original bytes.
    pub fn parse_only_go(&self, name: &str, source: &[u8]) -> Result<Parsed, Error> {
        if let Ok(text) = std::str::from_utf8(source) {
            return self.parse_only(name, text);
        }
        let text = String::from_utf8_lossy(source);
        let raw = Arc::new(crate::ast::RawSource::new(source));
        let parsed = self.parse_only(name, &text)?;
        Ok(Parsed {
            trees: parsed
                .trees
                .into_iter()
                .map(|t| match Arc::try_unwrap(t) {
                    Ok(mut tree) => {
                        tree.raw_source = Some(raw.clone());
                        Arc::new(tree)
                    }
                    // Freshly parsed trees have no other holder.
                    Err(shared) => shared,
                })
                .collect(),
            top_alone: parsed.top_alone,
        })
    }

    /// Adds what [`Templates::parse_only`] returned, with [`Templates::parse`]'s rules.
    pub fn add_parsed(&mut self, parsed: &Parsed) {
        let trees = Arc::make_mut(&mut self.trees);
        for t in &parsed.trees {
            if t.root.is_empty_tree() && trees.contains_key(&t.name) {
                continue;
            }
            trees.insert(t.name.clone(), t.clone());
        }
    }

    /// [`Templates::parse_trees`], remembered per (name, text): `tpl` parses the same
    /// value strings again on every call. Errors are not kept.
    pub(crate) fn parse_trees_cached(
        &self,
        name: &str,
        text: &str,
    ) -> Result<Vec<Arc<Tree>>, String> {
        let key = (name.to_string(), text.to_string());
        if let Some(trees) = self
            .texts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .trees
            .get(&key)
        {
            return Ok(trees.clone());
        }
        let trees = self.parse_trees(name, text)?;
        let mut cache = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        let size = name.len() + text.len();
        if cache.bytes + size > TEXT_CACHE_BYTES {
            *cache = TextCache::default();
        }
        if size <= TEXT_CACHE_BYTES {
            cache.bytes += size;
            cache.trees.insert(key, trees.clone());
        }
        Ok(trees)
    }

    pub(crate) fn parse_trees(&self, name: &str, text: &str) -> Result<Vec<Arc<Tree>>, String> {
        self.parse_text(name, text).map(|f| f.trees)
    }

    fn parse_text(&self, name: &str, text: &str) -> Result<ParsedFile, String> {
        let funcs = &self.funcs;
        let has = |n: &str| funcs.contains(n) || builtins::is_builtin(n);
        let cfg = ParseConfig {
            left_delim: &self.left_delim,
            right_delim: &self.right_delim,
            has_function: &has,
            max_depth: self.limits.max_parse_depth,
        };
        parse_file(name, text, &cfg)
    }

    pub(crate) fn tree(&self, name: &str) -> Option<Arc<Tree>> {
        self.trees.get(name).cloned()
    }

    /// Whether a template of this name is defined.
    pub fn lookup(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// All template names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.trees.keys().cloned().collect();
        v.sort();
        v
    }

    /// Executes template `name` with `data` as dot and returns its output (bytes that
    /// are not UTF-8 as U+FFFD; [`Templates::execute_go`] keeps them).
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        self.execute_go(name, data).map(GoStringBuf::into_text)
    }

    /// Executes template `name` with `data` as dot and returns its output as Go has
    /// it: bytes, which are not UTF-8 where a binary string was written raw.
    pub fn execute_go(&self, name: &str, data: &Value) -> Result<GoStringBuf, Error> {
        let Some(tree) = self.tree(name) else {
            return Err(Error::Exec(format!(
                "template: no template {} associated with template {}",
                crate::gofmt::quote(name),
                crate::gofmt::quote(&self.root_name)
            )));
        };
        State::new(self, tree).run(data).map_err(Error::Exec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MapInner;

    /// A set holding `files` (name, text), each parsed under its own name or, with
    /// `rename`, the first file's parse renamed.
    fn set_of(files: &[(&str, &str)], rename: bool) -> Templates {
        let mut set = Templates::new();
        let mut first: Option<Parsed> = None;
        for (name, text) in files {
            let parsed = match (&first, rename) {
                (Some(p), true) => p.renamed(name).expect("renamable"),
                _ => set.parse_only(name, text).expect("parses"),
            };
            first.get_or_insert(parsed.clone());
            set.add_parsed(&parsed);
        }
        set
    }

    #[test]
    fn renamed_parse_equals_a_parse_under_the_new_name() {
        let text = "{{define \"lib.x\"}}{{.a.b}}{{end}}top {{template \"lib.x\" .}}";
        let files = [("a/_lib.tpl", text), ("b/_lib.tpl", text)];
        let data = Value::map(MapInner::from_iter([("a".into(), Value::Int(1))]));
        for rename in [false, true] {
            let set = set_of(&files, rename);
            assert_eq!(set.names(), vec!["a/_lib.tpl", "b/_lib.tpl", "lib.x"]);
            // The later file's definition wins, and errors locate it there.
            let err = set.execute("b/_lib.tpl", &data).unwrap_err().to_string();
            assert!(err.starts_with("template: b/_lib.tpl:1:"), "{err}");
            let err = set.execute("a/_lib.tpl", &data).unwrap_err().to_string();
            assert!(err.starts_with("template: b/_lib.tpl:1:"), "{err}");
        }
    }

    #[test]
    fn a_definition_named_like_a_file_prevents_renaming() {
        let set = Templates::new();
        // Under its own name the text's define replaces nothing; under "x" it would
        // meet the (empty) top level.
        let p = set.parse_only("a", "{{define \"x\"}}X{{end}}").unwrap();
        assert!(p.renamed("x").is_none());
        assert!(p.renamed("b").is_some());
        // A define named like the file itself.
        let p = set.parse_only("a", "{{define \"a\"}}A{{end}}").unwrap();
        assert!(p.renamed("b").is_none());
        // The same name is the same parse.
        let p = set.parse_only("a", "text").unwrap();
        assert!(p.renamed("a").is_some());
    }
}
