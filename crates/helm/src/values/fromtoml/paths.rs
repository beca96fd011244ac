//! Key paths of a document interned as small ids.
//!
//! BurntSushi keeps what it knows about a key (its TOML type, whether it is an
//! implicit table) in maps keyed by the key's dotted text, which it rebuilds from the
//! whole path at every step, so nesting costs time quadratic in the depth. Here a
//! path is an id made of (parent id, last part): extending the path in scope is one
//! lookup of the part, and the facts live beside the id. The dotted text is built
//! only for error messages. Dotted texts name paths one to one (parts that are not
//! bare are quoted), except that BurntSushi stores the type of the root under the
//! text `""`, which is also the path of the empty key; callers pass that path.

use std::collections::HashMap;

use super::parse::key_string;

/// A key path; [`ROOT`] is the empty one.
pub(super) type PathId = usize;

pub(super) const ROOT: PathId = 0;

struct Node {
    parent: PathId,
    /// Number of parts.
    depth: usize,
    /// The last part.
    part: String,
    /// Keys (SipHash: they are the document's text) to the ids of longer paths.
    children: HashMap<String, PathId>,
    /// BurntSushi's recorded type of the key is array.
    array: bool,
    /// An implicit table a later definition may claim once.
    implicit: bool,
}

pub(super) struct Paths {
    nodes: Vec<Node>,
    /// The last child looked up: arrays nested in arrays look up the same key once
    /// per level.
    last: Option<PathId>,
}

impl Paths {
    pub(super) fn new() -> Self {
        Paths {
            nodes: vec![Node {
                parent: ROOT,
                depth: 0,
                part: String::new(),
                children: HashMap::new(),
                array: false,
                implicit: false,
            }],
            last: None,
        }
    }

    /// The path `parent` + `part`, made on first use.
    pub(super) fn child(&mut self, parent: PathId, part: &str) -> PathId {
        if let Some(id) = self.last
            && self.nodes[id].parent == parent
            && self.nodes[id].part == part
        {
            return id;
        }
        let id = match self.find(parent, part) {
            Some(id) => id,
            None => {
                let id = self.nodes.len();
                let depth = self.nodes[parent].depth + 1;
                self.nodes[parent].children.insert(part.to_string(), id);
                self.nodes.push(Node {
                    parent,
                    depth,
                    part: part.to_string(),
                    children: HashMap::new(),
                    array: false,
                    implicit: false,
                });
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// The path `parent` + `part` if it was made.
    pub(super) fn find(&self, parent: PathId, part: &str) -> Option<PathId> {
        self.nodes[parent].children.get(part).copied()
    }

    pub(super) fn depth(&self, id: PathId) -> usize {
        self.nodes[id].depth
    }

    /// The prefix of `id` with `depth` parts.
    pub(super) fn ancestor(&self, mut id: PathId, depth: usize) -> PathId {
        while self.nodes[id].depth > depth {
            id = self.nodes[id].parent;
        }
        id
    }

    /// The parts of `id` and then `extra`, as BurntSushi prints a key.
    pub(super) fn text(&self, id: PathId, extra: Option<&str>) -> String {
        let mut parts = Vec::with_capacity(self.nodes[id].depth + 1);
        let mut at = id;
        while at != ROOT {
            parts.push(self.nodes[at].part.as_str());
            at = self.nodes[at].parent;
        }
        parts.reverse();
        parts.extend(extra);
        key_string(&parts)
    }

    /// The last part of `id`.
    #[cfg(test)]
    pub(super) fn part(&self, id: PathId) -> &str {
        &self.nodes[id].part
    }

    pub(super) fn set_array(&mut self, id: PathId, array: bool) {
        self.nodes[id].array = array;
    }

    pub(super) fn is_array(&self, id: PathId) -> bool {
        self.nodes[id].array
    }

    pub(super) fn set_implicit(&mut self, id: PathId) {
        self.nodes[id].implicit = true;
    }

    /// Whether `id` was implicit, which it no longer is.
    pub(super) fn take_implicit(&mut self, id: PathId) -> bool {
        std::mem::take(&mut self.nodes[id].implicit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_interned_by_parent_and_part() {
        let mut p = Paths::new();
        let a = p.child(ROOT, "a");
        let ab = p.child(a, "b");
        let b = p.child(ROOT, "b");
        assert_ne!(ab, b);
        assert_eq!(p.child(ROOT, "a"), a);
        assert_eq!(p.child(a, "b"), ab);
        assert_eq!(p.find(a, "b"), Some(ab));
        assert_eq!(p.find(b, "a"), None);
        assert_eq!((p.depth(ROOT), p.depth(ab)), (0, 2));
        assert_eq!(p.ancestor(ab, 1), a);
        assert_eq!(p.ancestor(ab, 0), ROOT);
    }

    #[test]
    fn text_quotes_parts_as_burntsushi_does() {
        let mut p = Paths::new();
        let a = p.child(ROOT, "a");
        let dotted = p.child(a, "x.y");
        let empty = p.child(ROOT, "");
        assert_eq!(p.text(dotted, None), "a.\"x.y\"");
        assert_eq!(p.text(dotted, Some("c d")), "a.\"x.y\".\"c d\"");
        assert_eq!(p.text(empty, None), "\"\"");
        assert_eq!(p.text(ROOT, None), "");
        assert_eq!(p.text(ROOT, Some("k")), "k");
    }

    #[test]
    fn facts_belong_to_one_path() {
        let mut p = Paths::new();
        let a = p.child(ROOT, "a");
        let b = p.child(a, "b");
        p.set_implicit(b);
        p.set_array(a, true);
        assert!(p.is_array(a) && !p.is_array(b));
        assert!(p.take_implicit(b));
        assert!(!p.take_implicit(b) && !p.take_implicit(a));
    }
}
