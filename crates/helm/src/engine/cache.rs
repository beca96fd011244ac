//! A process-wide cache of parsed template sets.
//!
//! Helm parses every template of a chart (and its subcharts) on every render. The
//! parsed trees only depend on the template names and texts, so capstan keeps recent
//! sets and reuses them when the same chart is rendered again (diff then apply, the
//! same chart for several releases, benchmarks). Entries are matched on the exact
//! names and bytes, never on a hash alone; the cache holds a bounded number of sets.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use gotmpl::Templates;

/// How many parsed sets to keep (a stack of 40 charts fits).
const CAPACITY: usize = 64;

/// What a parsed set depends on: template (name, text) pairs in parse order, and the
/// function options it was built with.
#[derive(PartialEq, Eq)]
pub struct Key {
    pub templates: Vec<(String, Arc<[u8]>)>,
    pub lint_mode: bool,
}

struct Entry {
    hash: u64,
    key: Key,
    set: Templates,
}

fn state() -> &'static (
    std::collections::hash_map::RandomState,
    Mutex<VecDeque<Entry>>,
) {
    static STATE: OnceLock<(
        std::collections::hash_map::RandomState,
        Mutex<VecDeque<Entry>>,
    )> = OnceLock::new();
    STATE.get_or_init(|| (Default::default(), Mutex::new(VecDeque::new())))
}

fn hash_key(key: &Key) -> u64 {
    let mut h = state().0.build_hasher();
    key.lint_mode.hash(&mut h);
    for (name, text) in &key.templates {
        name.hash(&mut h);
        text.hash(&mut h);
    }
    h.finish()
}

/// The parsed set for `key`, building it with `build` on a miss. Build errors are
/// returned and not cached.
pub fn get_or_parse<E>(
    key: Key,
    build: impl FnOnce(&Key) -> Result<Templates, E>,
) -> Result<Templates, E> {
    let hash = hash_key(&key);
    {
        let cache = state().1.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = cache.iter().find(|e| e.hash == hash && e.key == key) {
            return Ok(e.set.clone());
        }
    }
    let set = build(&key)?;
    let mut cache = state().1.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CAPACITY {
        cache.pop_front();
    }
    cache.push_back(Entry {
        hash,
        key,
        set: set.clone(),
    });
    Ok(set)
}
