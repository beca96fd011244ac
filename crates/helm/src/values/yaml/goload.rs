//! The node arena of a text's first document, built from go-yaml v2's own events (the
//! replay in [`gocheck`](super::gocheck)): exactly what sigs.k8s.io/yaml's Unmarshal
//! reads, scalar values and tags included, also where the event parser (granit) would
//! refuse the text or read it otherwise.

use std::borrow::Cow;
use std::collections::HashMap;

use super::super::ValuesError;
use super::super::resolve::TAG_PREFIX;
use super::gocheck::{Content, Event, NodeStart, Parser};
use super::{Document, Kind, Node};

/// The first document's arena, `Ok(None)` when go-yaml fails on the text (a syntax or
/// reader error, an alias to an unknown anchor: the caller words those), or the error
/// go-yaml's decoder reports for an alias inside the node it names.
pub(super) fn build(text: &str, origin: &str) -> Result<Option<Document<'static>>, ValuesError> {
    let mut parser = Parser::new(text);
    let mut builder = Builder {
        nodes: Vec::new(),
        open: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
    };
    let read = (|| -> Result<bool, ValuesError> {
        let mut next = || parser.next().ok();
        if next() != Some(Event::StreamStart) {
            return Ok(false);
        }
        match next() {
            Some(Event::DocumentStart) => {}
            Some(Event::StreamEnd) => return Ok(true),
            _ => return Ok(false),
        }
        loop {
            match next() {
                None => return Ok(false),
                Some(Event::DocumentEnd | Event::StreamEnd) => return Ok(true),
                Some(Event::StreamStart | Event::DocumentStart) => return Ok(false),
                Some(Event::End) => builder.close(),
                Some(Event::Alias(name, mark)) => {
                    let Some(&target) = builder.anchors.get(&name) else {
                        return Ok(false);
                    };
                    if builder.open[target] {
                        // go-yaml's decoder fails here, by name and without a line.
                        let message = format!("anchor '{name}' value contains itself");
                        return Err(ValuesError::Yaml {
                            origin: origin.to_string(),
                            line: mark.line + 1,
                            column: mark.column + 1,
                            go_text: Some(format!("yaml: {message}")),
                            message,
                        });
                    }
                    builder.add(Kind::Alias(target), mark.line, mark.column, None);
                }
                Some(Event::Node(start)) => builder.node(start),
            }
        }
    })()?;
    // A reader error ends the events with whatever came before it.
    if !read || parser.reader_failed() {
        return Ok(None);
    }
    Ok(Some(Document {
        nodes: builder.nodes,
        root: builder.root,
    }))
}

struct Builder {
    nodes: Vec<Node<'static>>,
    /// Per node: a collection not yet closed (an alias to it would contain itself).
    open: Vec<bool>,
    /// The collections not yet closed, innermost last.
    stack: Vec<usize>,
    /// The node each anchor name stands for: the latest one defined, as in go-yaml.
    anchors: HashMap<String, usize>,
    root: Option<usize>,
}

impl Builder {
    fn node(&mut self, start: NodeStart) {
        let NodeStart {
            anchor,
            tag,
            content,
            mark,
        } = start;
        let (kind, opens) = match content {
            Content::Scalar { value, implicit } => (
                Kind::Scalar {
                    value: Cow::Owned(value),
                    plain: implicit,
                    tag: tag.map(split_tag),
                },
                false,
            ),
            // go-yaml v2 decodes collections by their kind whatever their tag.
            Content::Sequence => (Kind::Seq(Vec::new()), true),
            Content::Mapping => (Kind::Map(Vec::new()), true),
        };
        let idx = self.add(kind, mark.line, mark.column, anchor);
        if opens {
            self.open[idx] = true;
            self.stack.push(idx);
        }
    }

    /// Adds a node under the innermost open collection (or as the root).
    fn add(
        &mut self,
        kind: Kind<'static>,
        line: usize,
        col: usize,
        anchor: Option<String>,
    ) -> usize {
        let idx = self.nodes.len();
        self.nodes.push(Node {
            kind,
            line: line + 1,
            col,
        });
        self.open.push(false);
        if let Some(name) = anchor {
            self.anchors.insert(name, idx);
        }
        match self.stack.last() {
            Some(&parent) => {
                if let Kind::Seq(items) | Kind::Map(items) = &mut self.nodes[parent].kind {
                    items.push(idx);
                }
            }
            None => {
                if self.root.is_none() {
                    self.root = Some(idx);
                }
            }
        }
        idx
    }

    fn close(&mut self) {
        if let Some(done) = self.stack.pop() {
            self.open[done] = false;
        }
    }
}

/// A full tag as the decoder keeps it: `(TAG_PREFIX, name)` for YAML's own tags
/// (however written: `!!str`, `!<tag:yaml.org,2002:str>`), else the whole tag.
fn split_tag(tag: String) -> Box<(String, String)> {
    match tag.strip_prefix(TAG_PREFIX) {
        Some(name) => Box::new((TAG_PREFIX.to_string(), name.to_string())),
        None => Box::new((tag, String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Rules, decode};
    use super::build;
    use gotmpl::value::Value;

    fn scalar(text: &str) -> (String, bool, Option<(String, String)>) {
        let doc = build(text, "t").unwrap().unwrap();
        let root = doc.root.unwrap();
        let Kind::Map(items) = &doc.nodes[root].kind else {
            panic!("not a map: {text:?}");
        };
        match &doc.nodes[items[1]].kind {
            Kind::Scalar { value, plain, tag } => {
                (value.to_string(), *plain, tag.as_deref().cloned())
            }
            other => panic!("{other:?}"),
        }
    }

    fn value(text: &str) -> String {
        scalar(text).0
    }

    #[test]
    fn plain_scalars_fold_lines() {
        assert_eq!(value("a: x\n  y\n"), "x y");
        assert_eq!(value("a: x\n\n  y\n"), "x\ny");
        assert_eq!(value("a: x  \n\n\n  y  z\n"), "x\n\ny  z");
        assert_eq!(value("a: x\u{2028}  y\n"), "x\u{2028}y");
        assert_eq!(value("a: x\u{85}  y\n"), "x y");
    }

    #[test]
    fn quoted_scalars_unescape_and_fold() {
        assert_eq!(value("a: 'it''s'\n"), "it's");
        assert_eq!(value("a: ' x \n\n  y '\n"), " x\ny ");
        assert_eq!(
            value("a: \"\\x41\\u00e9\\U0001F600\\t\\N\\_\\L\\P\"\n"),
            "Aé😀\t\u{85}\u{a0}\u{2028}\u{2029}"
        );
        assert_eq!(value("a: \"x\\\n   y\"\n"), "xy");
        assert_eq!(value("a: \"x\\\n\n   y\"\n"), "x\ny");
        assert_eq!(value("a: \"x \n  y\"\n"), "x y");
        assert_eq!(value("a: \"x\r\n\r\n  y\"\n"), "x\ny");
    }

    #[test]
    fn block_scalars_chomp_and_fold() {
        assert_eq!(value("a: |\n  x\n   y\n\n"), "x\n y\n");
        assert_eq!(value("a: |-\n  x\n\n"), "x");
        assert_eq!(value("a: |+\n  x\n\n"), "x\n\n");
        assert_eq!(
            value("a: >\n  x\n  y\n\n  z\n   w\n  v\n"),
            "x y\nz\n w\nv\n"
        );
        assert_eq!(value("a: |2\n   x\n  y\n"), " x\ny\n");
        assert_eq!(value("a: >-\n\n  x\n"), "\nx");
        assert_eq!(value("a: |\nb: 1\n"), "");
    }

    #[test]
    fn tags_resolve_handles() {
        let tag = |text: &str| scalar(text).2.map(|(h, s)| format!("{h}{s}"));
        assert_eq!(
            tag("a: !!str 1\n").as_deref(),
            Some("tag:yaml.org,2002:str")
        );
        assert_eq!(
            tag("a: !<tag:yaml.org,2002:int> 1\n").as_deref(),
            Some("tag:yaml.org,2002:int")
        );
        assert_eq!(tag("a: !x 1\n").as_deref(), Some("!x"));
        assert_eq!(tag("a: ! 1\n").as_deref(), Some("!"));
        assert_eq!(tag("a: !a%41 1\n").as_deref(), Some("!aA"));
        assert_eq!(
            tag("%TAG !e! tag:e.com,2000:\n---\na: !e!x%20y 1\n").as_deref(),
            Some("tag:e.com,2000:x y")
        );
        // `!` keeps a scalar implicit (`! <<` is a merge key), other tags do not.
        assert!(scalar("a: ! 1\n").1);
        assert!(!scalar("a: !!str 1\n").1);
        assert!(!scalar("a: '1'\n").1);
    }

    fn load(text: &str) -> Value {
        let doc = build(text, "t").unwrap().unwrap();
        decode(&doc, "t", Rules::default()).unwrap()
    }

    /// Shapes go-yaml reads and granit refuses (checked against Helm 4.2.3).
    #[test]
    fn reads_what_go_yaml_reads() {
        assert_eq!(load("[?x]\n"), load("[{x: ~}]\n"));
        assert_eq!(load("a: [-]\n"), load("a: ['-']\n"));
        assert_eq!(load("a: 1\n%YAML 1.1\n---\nb: 2\n"), load("a: 1\n"));
        assert_eq!(load("a: &x [1]\nb: *x\n"), load("a: [1]\nb: [1]\n"));
        assert_eq!(load("a: !!str 1\nb: ! 2\n"), load("a: '1'\nb: '2'\n"));
    }

    #[test]
    fn refuses_what_go_yaml_refuses() {
        assert!(build("a: *x\n", "t").unwrap().is_none());
        assert!(build("a: [\n", "t").unwrap().is_none());
        assert!(build("a: \"\u{7}\"\n", "t").unwrap().is_none());
        let Err(e) = build("a: &x [*x]\n", "t") else {
            panic!("an alias inside its own anchor was read");
        };
        assert!(
            e.to_string().contains("anchor 'x' value contains itself"),
            "{e}"
        );
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let deep = "[".repeat(20_000);
        assert!(build(&deep, "t").unwrap().is_none());
    }
}
