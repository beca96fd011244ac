//! Proven schemas kept per process, by their text.
//!
//! Helm compiles `values.schema.json` on every install; for a small schema that is
//! ~100k instructions, a third of a small chart's render. Only schemas that
//! `metaschema` showed valid and independent of their URL are kept here: compiling
//! them reads no file, so one text always gives the same validator. Like Sprig's
//! compiled regexes, they are remembered per process (bounded) and shared by renders.

use super::quick::Prepared;
use boon::{SchemaIndex, Schemas};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

/// A schema shown valid against its metaschema, as parsed (with draft 7 `$defs`
/// moved, see `defs`), what `quick` needs to judge values against it, and boon's
/// compiled form once some values needed it.
pub(super) struct Proven {
    pub(super) schema: serde_json::Value,
    pub(super) quick: Option<Prepared>,
    /// At least the number of schemas boon compiles from it (see [`Compiled`]).
    pub(super) nodes: usize,
    /// `None` inside: boon refused it.
    pub(super) boon: OnceLock<Option<Compiled>>,
}

/// A compiled schema and the index of its root.
pub(super) struct Compiled {
    pub(super) schemas: Schemas,
    pub(super) index: SchemaIndex,
    /// At least the number of schemas compiled (`usize::MAX`: unknown).
    pub(super) nodes: usize,
}

/// Stack one step of boon's validation may take: a debug build validates 1000 levels
/// of a three-schema recursion in 8 MiB (~2.7 KiB a step), release in far less.
const STEP_BYTES: usize = 8 << 10;
/// Stack for the caller's frames, serde_json's drop and boon's own set-up.
pub(super) const BASE_BYTES: usize = 128 << 10;

impl Compiled {
    /// Stack that validating an instance nested `depth` levels can take. boon
    /// recurses one value level at a time, and within one value it never enters the
    /// same schema twice (it reports a reference cycle instead), so a chain of calls
    /// has at most `nodes` schemas per level; a property name is one level more.
    pub(super) fn stack_needed(&self, depth: usize) -> usize {
        depth
            .saturating_add(2)
            .saturating_mul(self.nodes)
            .saturating_mul(STEP_BYTES)
            .saturating_add(BASE_BYTES)
    }
}

/// At most this many schemas, and this much schema text in all, are kept; the oldest
/// go first. A compiled schema takes several times its text in memory.
const MAX_SCHEMAS: usize = 64;
const MAX_TEXT_BYTES: usize = 1 << 20;

#[derive(Default)]
struct Cache {
    by_text: HashMap<String, Arc<Proven>>,
    order: VecDeque<String>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache::default()))
}

/// Forgets every kept schema (cold-render benchmarks).
pub(super) fn clear() {
    *cache().lock().unwrap_or_else(|p| p.into_inner()) = Cache::default();
}

/// The schema proven from `text` earlier in this process, if kept.
pub(super) fn get(text: &str) -> Option<Arc<Proven>> {
    let cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    cache.by_text.get(text).cloned()
}

/// Keeps `proven` for `text`, evicting the oldest entries to stay in bounds.
pub(super) fn insert(text: &str, proven: Arc<Proven>) {
    if text.len() > MAX_TEXT_BYTES {
        return;
    }
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if cache.by_text.contains_key(text) {
        return;
    }
    while cache.by_text.len() >= MAX_SCHEMAS || cache.bytes + text.len() > MAX_TEXT_BYTES {
        let Some(old) = cache.order.pop_front() else {
            break;
        };
        cache.bytes -= old.len();
        cache.by_text.remove(&old);
    }
    cache.bytes += text.len();
    cache.order.push_back(text.to_string());
    cache.by_text.insert(text.to_string(), proven);
}

#[cfg(test)]
mod tests {
    use super::*;
    use boon::Compiler;

    fn compiled(text: &str) -> Compiled {
        let url = "https://json-schema.org/capstan/test.json";
        let mut compiler = Compiler::new();
        compiler
            .add_resource(url, serde_json::from_str(text).unwrap())
            .unwrap();
        let mut schemas = Schemas::new();
        let index = compiler.compile(url, &mut schemas).unwrap();
        Compiled {
            schemas,
            index,
            nodes: 1,
        }
    }

    fn proven(text: &str) -> Arc<Proven> {
        Arc::new(Proven {
            schema: serde_json::from_str(text).unwrap(),
            quick: None,
            nodes: 1,
            boon: OnceLock::from(Some(compiled(text))),
        })
    }

    #[test]
    fn kept_by_text_and_bounded() {
        let texts: Vec<String> = (0..MAX_SCHEMAS + 3)
            .map(|i| format!(r#"{{"type": "object", "title": "cache test {i}"}}"#))
            .collect();
        for t in &texts {
            insert(t, proven(t));
        }
        assert!(get(&texts[0]).is_none(), "the oldest is evicted");
        let last = get(texts.last().unwrap()).expect("the newest is kept");
        let last = last.boon.get().unwrap().as_ref().unwrap();
        let instance = serde_json::json!({"a": 1});
        assert!(last.schemas.validate(&instance, last.index).is_ok());
        let cache = cache().lock().unwrap();
        assert!(cache.by_text.len() <= MAX_SCHEMAS);
        assert_eq!(cache.by_text.len(), cache.order.len());
    }

    #[test]
    fn stack_bound_grows_with_depth_and_schemas_and_saturates() {
        let mut c = compiled(r#"{"type": "object"}"#);
        c.nodes = 3;
        assert_eq!(c.stack_needed(0), BASE_BYTES + 2 * 3 * STEP_BYTES);
        assert!(c.stack_needed(10) > c.stack_needed(1));
        c.nodes = usize::MAX;
        assert_eq!(c.stack_needed(0), usize::MAX);
    }

    #[test]
    fn oversized_texts_are_not_kept() {
        let text = format!(r#"{{"title": "{}"}}"#, "x".repeat(MAX_TEXT_BYTES));
        insert(&text, proven(r#"{"title": "small"}"#));
        assert!(get(&text).is_none());
    }
}
