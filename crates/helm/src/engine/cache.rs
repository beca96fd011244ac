//! Process-wide caches of parsed templates.
//!
//! Helm parses every template of a chart (and its subcharts) on every render. The
//! parsed trees only depend on the template names and texts, so capstan keeps them
//! and reuses them when a chart is rendered again (diff then apply, the same chart for
//! several releases, benchmarks), at two levels:
//!
//! * whole sets, keyed by every (name, text) pair in parse order: a repeated render
//!   takes a cheap clone of a finished set;
//! * single files, keyed by text: a set seen for the first time still reuses the
//!   files it shares with others (helm-toolkit's templates in every OpenStack chart
//!   that depends on it), and a file whose text was parsed under another name (the
//!   same library vendored under several subcharts of one umbrella chart, within one
//!   render too) takes that parse renamed ([`gotmpl::Parsed::renamed`]).
//!
//! Entries are matched on the exact names and bytes, never on a hash alone. The hash
//! only reads a text's length and its first and last bytes, so a hit costs no pass
//! over the text when the caller hands in the same shared buffer (a chart loaded once
//! and rendered many times), and one `memcmp` otherwise. Both caches are bounded.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use gotmpl::{Parsed, Templates};

/// How many parsed sets to keep (a stack of 40 charts fits).
const SET_CAPACITY: usize = 64;
/// How many bytes of template text the per-file cache may hold.
const FILE_CAPACITY_BYTES: usize = 64 << 20;
/// How many bytes at each end of a text the hash reads.
const HASHED_EDGE: usize = 64;

/// One template file: its name in the set and its bytes.
#[derive(Clone)]
pub struct FileKey {
    pub name: String,
    pub text: Arc<[u8]>,
}

impl PartialEq for FileKey {
    fn eq(&self, other: &FileKey) -> bool {
        self.name == other.name && (Arc::ptr_eq(&self.text, &other.text) || self.text == other.text)
    }
}

impl Eq for FileKey {}

impl Hash for FileKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.name.hash(h);
        hash_text(&self.text, h);
    }
}

/// Hashes a text's length and edges (see the module documentation).
fn hash_text<H: Hasher>(t: &[u8], h: &mut H) {
    t.len().hash(h);
    h.write(&t[..t.len().min(HASHED_EDGE)]);
    h.write(&t[t.len().saturating_sub(HASHED_EDGE)..]);
}

/// A template file's bytes, whatever its name: the per-file cache's key.
#[derive(Clone)]
struct Text(Arc<[u8]>);

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for Text {}

impl Hash for Text {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_text(&self.0, h);
    }
}

/// What a parsed set depends on: template files in parse order, and the function
/// options it was built with.
#[derive(PartialEq, Eq, Hash)]
pub struct Key {
    pub templates: Vec<FileKey>,
    pub lint_mode: bool,
}

struct Entry {
    hash: u64,
    key: Key,
    set: Templates,
}

type Hashing = std::collections::hash_map::RandomState;

fn hashing() -> &'static Hashing {
    static STATE: OnceLock<Hashing> = OnceLock::new();
    STATE.get_or_init(Hashing::default)
}

fn sets() -> &'static Mutex<VecDeque<Entry>> {
    static SETS: OnceLock<Mutex<VecDeque<Entry>>> = OnceLock::new();
    SETS.get_or_init(|| Mutex::new(VecDeque::new()))
}

/// The parsed set for `key`, building it with `build` on a miss. Build errors are
/// returned and not cached.
pub fn get_or_parse<E>(
    key: Key,
    build: impl FnOnce(&Key) -> Result<Templates, E>,
) -> Result<Templates, E> {
    let hash = hashing().hash_one(&key);
    {
        let cache = sets().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = cache.iter().find(|e| e.hash == hash && e.key == key) {
            return Ok(e.set.clone());
        }
    }
    let set = build(&key)?;
    let mut cache = sets().lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= SET_CAPACITY {
        cache.pop_front();
    }
    cache.push_back(Entry {
        hash,
        key,
        set: set.clone(),
    });
    Ok(set)
}

/// Forgets every parsed set and file, so that the next render parses its templates
/// again, as the first render in a fresh process does (cold-render benchmarks).
pub fn clear() {
    sets().lock().unwrap_or_else(|p| p.into_inner()).clear();
    *files().lock().unwrap_or_else(|p| p.into_inner()) = Files::default();
}

#[derive(Default)]
struct Files {
    parsed: HashMap<Text, Parsed>,
    /// Insertion order, for evicting the oldest files first.
    order: VecDeque<Text>,
    bytes: usize,
}

fn files() -> &'static Mutex<Files> {
    static FILES: OnceLock<Mutex<Files>> = OnceLock::new();
    FILES.get_or_init(|| Mutex::new(Files::default()))
}

/// The parse of one file, running `parse` on a miss. A parse depends on the file's
/// text, on its name only in ways [`Parsed::renamed`] accounts for, and on the
/// function names, delimiters and limits of the set it is parsed for, which are the
/// same for every Helm render; errors are not cached.
pub fn get_or_parse_file<E>(
    key: &FileKey,
    parse: impl FnOnce() -> Result<Parsed, E>,
) -> Result<Parsed, E> {
    let text = Text(key.text.clone());
    {
        let cache = files().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.parsed.get(&text).and_then(|p| p.renamed(&key.name)) {
            return Ok(p);
        }
    }
    let parsed = parse()?;
    let size = key.text.len();
    let mut cache = files().lock().unwrap_or_else(|p| p.into_inner());
    // A text cached under a name it cannot be renamed from keeps its first parse.
    if size > FILE_CAPACITY_BYTES || cache.parsed.contains_key(&text) {
        return Ok(parsed);
    }
    while cache.bytes + size > FILE_CAPACITY_BYTES {
        let Some(old) = cache.order.pop_front() else {
            break;
        };
        cache.parsed.remove(&old);
        cache.bytes -= old.0.len();
    }
    cache.parsed.insert(text.clone(), parsed.clone());
    cache.order.push_back(text);
    cache.bytes += size;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, text: &str) -> FileKey {
        FileKey {
            name: name.into(),
            text: Arc::from(text.as_bytes()),
        }
    }

    #[test]
    fn file_keys_match_on_bytes_not_only_on_hash() {
        let h = |k: &FileKey| hashing().hash_one(k);
        let long = |mid: char| {
            let mut s = "a".repeat(200);
            s.replace_range(100..101, &mid.to_string());
            s
        };
        let (a, b) = (key("t", &long('x')), key("t", &long('y')));
        // Same length and edges: same hash, yet different files.
        assert_eq!(h(&a), h(&b));
        assert!(a != b);
        assert!(a == key("t", &long('x')));
        assert!(a != key("u", &long('x')));
    }

    #[test]
    fn file_cache_reuses_parses_and_does_not_cache_errors() {
        let set = Templates::new();
        let k = key(
            "cache-test/a.yaml",
            "{{ define \"cache-test-x\" }}1{{ end }}",
        );
        let mut calls = 0;
        for _ in 0..2 {
            get_or_parse_file(&k, || {
                calls += 1;
                set.parse_only(&k.name, "{{ define \"cache-test-x\" }}1{{ end }}")
            })
            .unwrap();
        }
        assert_eq!(calls, 1);
        // Nothing else in the tests clears, so only this clear can force a re-parse.
        clear();
        get_or_parse_file(&k, || {
            calls += 1;
            set.parse_only(&k.name, "{{ define \"cache-test-x\" }}1{{ end }}")
        })
        .unwrap();
        assert_eq!(calls, 2);
        let bad = key("cache-test/b.yaml", "{{");
        for _ in 0..2 {
            assert!(get_or_parse_file(&bad, || set.parse_only(&bad.name, "{{")).is_err());
        }
    }

    #[test]
    fn a_text_parsed_under_another_name_is_renamed_not_parsed() {
        let set = Templates::new();
        let text = "{{ define \"cache-test-lib\" }}{{ .x.y }}{{ end }}";
        let calls = std::cell::Cell::new(0);
        let parse = |name: &str| {
            let k = key(name, text);
            get_or_parse_file(&k, || {
                calls.set(calls.get() + 1);
                set.parse_only(name, text)
            })
            .unwrap()
        };
        parse("cache-test/a/_lib.tpl");
        let renamed = parse("cache-test/b/_lib.tpl");
        assert_eq!(calls.get(), 1);
        let mut b = Templates::new();
        b.add_parsed(&renamed);
        assert_eq!(b.names(), vec!["cache-test-lib", "cache-test/b/_lib.tpl"]);
        let err = b
            .execute(
                "cache-test-lib",
                &gotmpl::Value::map(gotmpl::MapInner::from_iter([(
                    "x".into(),
                    gotmpl::Value::Int(1),
                )])),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("template: cache-test/b/_lib.tpl:1:"),
            "{err}"
        );
        // Under a name that one of its definitions takes, the text is parsed again.
        parse("cache-test-lib");
        assert_eq!(calls.get(), 2);
    }
}
