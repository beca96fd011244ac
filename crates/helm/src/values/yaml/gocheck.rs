//! go-yaml v2's parser over [`goscan`](super::goscan)'s tokens, driven the way
//! sigs.k8s.io/yaml's `Unmarshal` drives it: events are pulled up to the end of the
//! first document (which needs the token after its root node), anchors are noted as
//! nodes start and an alias to an unknown anchor fails on the spot. [`go_failure`] gives
//! the text go-yaml fails with, `yaml: [line N: ]problem`, or `None` when the first
//! document reads without a syntax error; [`Parser::next`] gives the events (with
//! scalar values and resolved tags) that the node arena is built from.

use std::collections::HashSet;

use super::goscan::{Mark, Scan, Scanner, SyntaxError, Tok};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
}

/// What the decoder needs of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String, Mark),
    /// A scalar or a collection start.
    Node(NodeStart),
    /// A collection end.
    End,
}

/// A scalar or the start of a collection, as go-yaml's parser hands it to its decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NodeStart {
    pub anchor: Option<String>,
    /// The full tag (a handle replaced by its prefix), if one was written.
    pub tag: Option<String>,
    pub content: Content,
    /// Where the node starts (its anchor or tag, if any).
    pub mark: Mark,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Content {
    /// `implicit`: go-yaml resolves the value by its text (written plain without a
    /// tag, or tagged `!`).
    Scalar {
        value: String,
        implicit: bool,
    },
    Sequence,
    Mapping,
}

impl NodeStart {
    /// An empty plain scalar (a missing key or value): null.
    fn empty(mark: Mark) -> Self {
        NodeStart {
            anchor: None,
            tag: None,
            content: Content::Scalar {
                value: String::new(),
                implicit: true,
            },
            mark,
        }
    }
}

pub(super) struct Parser {
    scanner: Scanner,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    /// Handles and prefixes of the current document's %TAG directives and the two
    /// defaults.
    tag_handles: Vec<(String, String)>,
    /// Where the last token looked at starts (empty scalars are placed there).
    last_mark: Mark,
}

fn parser_error<T>(problem: &'static str, mark: Mark) -> Scan<T> {
    Err(SyntaxError {
        scanner: false,
        problem,
        mark,
    })
}

/// How go-yaml fails on a document: its text, the bare problem, and where (1-based
/// line and column of the scanner or token position, our own report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GoFailure {
    pub go_text: String,
    pub problem: String,
    pub line: usize,
    pub column: usize,
}

/// How go-yaml fails on `text`'s first document (syntax, its reader, or an alias to
/// an unknown anchor), or `None` when it reads without a syntax error.
pub(super) fn go_failure(text: &str) -> Option<GoFailure> {
    failure_of(Parser::new(text))
}

/// How go-yaml fails on the first document of `bytes`, which are not UTF-8: its
/// reader refuses them once the scanner reaches them, unless a syntax error comes
/// first (or the document ends before).
pub(super) fn go_failure_bytes(bytes: &[u8]) -> Option<GoFailure> {
    let text = gotmpl::value::go_text(bytes);
    let (limit, problem) = match super::goscan::raw_reader_failure(bytes) {
        Some((limit, problem)) => (Some(limit), problem),
        None => (None, super::goscan::CONTROL_CHARACTERS),
    };
    failure_of(Parser::with_scanner(Scanner::with_reader(
        &text, limit, problem,
    )))
}

fn failure_of(mut parser: Parser) -> Option<GoFailure> {
    let mut anchors: HashSet<String> = HashSet::new();
    let result = (|| -> Scan<Option<(String, Mark)>> {
        if parser.next()? != Event::StreamStart {
            return Ok(None);
        }
        if parser.next()? != Event::DocumentStart {
            return Ok(None);
        }
        loop {
            match parser.next()? {
                Event::DocumentEnd | Event::StreamEnd => return Ok(None),
                Event::Alias(name, mark) if !anchors.contains(&name) => {
                    return Ok(Some((name, mark)));
                }
                Event::Node(NodeStart {
                    anchor: Some(anchor),
                    ..
                }) => {
                    anchors.insert(anchor);
                }
                _ => {}
            }
        }
    })();
    if parser.reader_failed() {
        // A reader error has no position in go-yaml's text.
        let problem = parser.reader_problem();
        return Some(GoFailure {
            go_text: format!("yaml: {problem}"),
            problem: problem.to_string(),
            line: 1,
            column: 1,
        });
    }
    match result {
        Ok(None) => None,
        Ok(Some((name, mark))) => Some(GoFailure {
            go_text: format!("yaml: unknown anchor '{name}' referenced"),
            problem: format!("unknown anchor '{name}' referenced"),
            line: mark.line + 1,
            column: mark.column + 1,
        }),
        // An empty problem marks an internal inconsistency, not a go-yaml error.
        Err(e) if e.problem.is_empty() => None,
        Err(e) => Some(GoFailure {
            go_text: go_text(&e),
            problem: e.problem.to_string(),
            line: e.mark.line + 1,
            column: e.mark.column + 1,
        }),
    }
}

/// go-yaml's `yaml: [line N: ]problem`: a scanner error prints its 1-based line, a
/// parser error the 0-based one, and line 0 is not printed.
fn go_text(e: &SyntaxError) -> String {
    let line = e.mark.line;
    match (line, e.scanner) {
        (0, _) => format!("yaml: {}", e.problem),
        (l, true) => format!("yaml: line {}: {}", l + 1, e.problem),
        (l, false) => format!("yaml: line {l}: {}", e.problem),
    }
}

impl Parser {
    pub fn new(text: &str) -> Self {
        Parser::with_scanner(Scanner::new(text))
    }

    pub fn with_scanner(scanner: Scanner) -> Self {
        Parser {
            scanner,
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_handles: Vec::new(),
            last_mark: Mark::default(),
        }
    }

    /// Whether go-yaml's reader has refused the text by now (see
    /// [`Scanner::reader_failed`]): that error wins over whatever came since.
    pub fn reader_failed(&self) -> bool {
        self.scanner.reader_failed()
    }

    pub fn reader_problem(&self) -> &'static str {
        self.scanner.reader_problem()
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::DocumentEnd);
    }

    fn peek(&mut self) -> Scan<(Tok, Mark, Mark)> {
        let t = self.scanner.peek()?;
        self.last_mark = t.start;
        Ok((t.kind, t.start, t.end))
    }

    /// An empty scalar where the last token looked at starts.
    fn empty(&self) -> Event {
        Event::Node(NodeStart::empty(self.last_mark))
    }

    pub fn next(&mut self) -> Scan<Event> {
        match self.state {
            State::StreamStart => {
                let (kind, start, _) = self.peek()?;
                if kind != Tok::StreamStart {
                    return parser_error("did not find expected <stream-start>", start);
                }
                self.state = State::ImplicitDocumentStart;
                self.scanner.skip_token();
                Ok(Event::StreamStart)
            }
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => {
                let (kind, _, _) = self.peek()?;
                if matches!(
                    kind,
                    Tok::VersionDirective { .. }
                        | Tok::TagDirective
                        | Tok::DocumentStart
                        | Tok::DocumentEnd
                        | Tok::StreamEnd
                ) {
                    self.pop_state();
                    return Ok(self.empty());
                }
                self.node(true, false)
            }
            State::DocumentEnd => {
                let (kind, _, _) = self.peek()?;
                if kind == Tok::DocumentEnd {
                    self.scanner.skip_token();
                }
                self.tag_handles.clear();
                self.state = State::DocumentStart;
                Ok(Event::DocumentEnd)
            }
            State::BlockNode => self.node(true, false),
            State::BlockSequenceFirstEntry => self.block_sequence_entry(true),
            State::BlockSequenceEntry => self.block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.block_mapping_key(true),
            State::BlockMappingKey => self.block_mapping_key(false),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(true),
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => {
                let (kind, _, _) = self.peek()?;
                if !matches!(kind, Tok::Value | Tok::FlowEntry | Tok::FlowSequenceEnd) {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    return self.node(false, false);
                }
                self.scanner.skip_token();
                self.state = State::FlowSequenceEntryMappingValue;
                Ok(self.empty())
            }
            State::FlowSequenceEntryMappingValue => {
                let (kind, _, _) = self.peek()?;
                if kind == Tok::Value {
                    self.scanner.skip_token();
                    let (kind, _, _) = self.peek()?;
                    if !matches!(kind, Tok::FlowEntry | Tok::FlowSequenceEnd) {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.node(false, false);
                    }
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                Ok(self.empty())
            }
            State::FlowSequenceEntryMappingEnd => {
                self.peek()?;
                self.state = State::FlowSequenceEntry;
                Ok(Event::End)
            }
            State::FlowMappingFirstKey => self.flow_mapping_key(true),
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
        }
    }

    fn document_start(&mut self, implicit: bool) -> Scan<Event> {
        let (mut kind, _, _) = self.peek()?;
        if !implicit {
            while kind == Tok::DocumentEnd {
                self.scanner.skip_token();
                kind = self.peek()?.0;
            }
        }
        let directive = matches!(kind, Tok::VersionDirective { .. } | Tok::TagDirective);
        if implicit && !directive && kind != Tok::DocumentStart && kind != Tok::StreamEnd {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Ok(Event::DocumentStart);
        }
        if kind == Tok::StreamEnd {
            self.scanner.skip_token();
            return Ok(Event::StreamEnd);
        }
        self.process_directives()?;
        let (kind, start, _) = self.peek()?;
        if kind != Tok::DocumentStart {
            return parser_error("did not find expected <document start>", start);
        }
        self.states.push(State::DocumentEnd);
        self.state = State::DocumentContent;
        self.scanner.skip_token();
        Ok(Event::DocumentStart)
    }

    fn process_directives(&mut self) -> Scan<()> {
        let mut version_seen = false;
        loop {
            let token = self.scanner.peek()?;
            let start = token.start;
            match token.kind {
                Tok::VersionDirective { major, minor } => {
                    if version_seen {
                        return parser_error("found duplicate %YAML directive", start);
                    }
                    if major != 1 || minor != 1 {
                        return parser_error("found incompatible YAML document", start);
                    }
                    version_seen = true;
                }
                Tok::TagDirective => {
                    let (handle, prefix) = (token.value.clone(), token.suffix.clone());
                    if self.tag_handles.iter().any(|(h, _)| *h == handle) {
                        return parser_error("found duplicate %TAG directive", start);
                    }
                    self.tag_handles.push((handle, prefix));
                }
                _ => break,
            }
            self.scanner.skip_token();
        }
        for (default, prefix) in [("!", "!"), ("!!", "tag:yaml.org,2002:")] {
            if !self.tag_handles.iter().any(|(h, _)| h == default) {
                self.tag_handles
                    .push((default.to_string(), prefix.to_string()));
            }
        }
        Ok(())
    }

    fn node(&mut self, block: bool, indentless_sequence: bool) -> Scan<Event> {
        let token = self.scanner.peek()?;
        let node_start = token.start;
        if token.kind == Tok::Alias {
            let (name, mark) = (token.value.clone(), token.start);
            self.pop_state();
            self.scanner.skip_token();
            return Ok(Event::Alias(name, mark));
        }
        let mut anchor = None;
        // (handle, suffix, mark)
        let mut tag_token: Option<(String, String, Mark)> = None;
        for _ in 0..2 {
            let token = self.scanner.peek()?;
            match token.kind {
                Tok::Anchor if anchor.is_none() => {}
                Tok::Tag if tag_token.is_none() => {}
                _ => break,
            }
            let Some(token) = self.scanner.take_token() else {
                break;
            };
            if token.kind == Tok::Anchor {
                anchor = Some(token.value);
            } else {
                tag_token = Some((token.value, token.suffix, token.start));
            }
        }
        let tag = match tag_token {
            None => None,
            Some((handle, suffix, _)) if handle.is_empty() => Some(suffix),
            Some((handle, suffix, tag_mark)) => {
                match self.tag_handles.iter().find(|(h, _)| *h == handle) {
                    Some((_, prefix)) => Some(format!("{prefix}{suffix}")),
                    None => return parser_error("found undefined tag handle", tag_mark),
                }
            }
        };
        let (kind, token_start, _) = self.peek()?;
        let (tagged, bang) = (tag.is_some(), tag.as_deref() == Some("!"));
        let has_properties = anchor.is_some() || tagged;
        let start = |content| {
            Event::Node(NodeStart {
                anchor,
                tag,
                content,
                mark: node_start,
            })
        };
        if indentless_sequence && kind == Tok::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok(start(Content::Sequence));
        }
        match kind {
            Tok::Scalar => {
                self.pop_state();
                let Some(token) = self.scanner.take_token() else {
                    return parser_error("", token_start);
                };
                let implicit = (!tagged && token.plain) || bang;
                Ok(start(Content::Scalar {
                    value: token.value,
                    implicit,
                }))
            }
            Tok::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Ok(start(Content::Sequence))
            }
            Tok::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Ok(start(Content::Mapping))
            }
            Tok::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Ok(start(Content::Sequence))
            }
            Tok::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Ok(start(Content::Mapping))
            }
            _ if has_properties => {
                self.pop_state();
                // Empty content: a plain empty scalar, implicit only without a tag.
                let implicit = !tagged;
                Ok(start(Content::Scalar {
                    value: String::new(),
                    implicit,
                }))
            }
            _ => parser_error("did not find expected node content", token_start),
        }
    }

    /// Takes the collection's start token (on its first entry) and remembers its mark.
    fn open(&mut self, first: bool) -> Scan<()> {
        if first {
            let (_, start, _) = self.peek()?;
            self.marks.push(start);
            self.scanner.skip_token();
        }
        Ok(())
    }

    fn close(&mut self) -> Event {
        self.pop_state();
        self.marks.pop();
        Event::End
    }

    fn block_sequence_entry(&mut self, first: bool) -> Scan<Event> {
        self.open(first)?;
        let (kind, start, _) = self.peek()?;
        match kind {
            Tok::BlockEntry => {
                self.scanner.skip_token();
                let (kind, _, _) = self.peek()?;
                if kind != Tok::BlockEntry && kind != Tok::BlockEnd {
                    self.states.push(State::BlockSequenceEntry);
                    return self.node(true, false);
                }
                self.state = State::BlockSequenceEntry;
                Ok(self.empty())
            }
            Tok::BlockEnd => {
                self.scanner.skip_token();
                Ok(self.close())
            }
            _ => parser_error("did not find expected '-' indicator", start),
        }
    }

    fn indentless_sequence_entry(&mut self) -> Scan<Event> {
        let (kind, _, _) = self.peek()?;
        if kind == Tok::BlockEntry {
            self.scanner.skip_token();
            let (kind, _, _) = self.peek()?;
            if !matches!(
                kind,
                Tok::BlockEntry | Tok::Key | Tok::Value | Tok::BlockEnd
            ) {
                self.states.push(State::IndentlessSequenceEntry);
                return self.node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(self.empty());
        }
        self.pop_state();
        Ok(Event::End)
    }

    fn block_mapping_key(&mut self, first: bool) -> Scan<Event> {
        self.open(first)?;
        let (kind, start, _) = self.peek()?;
        match kind {
            Tok::Key => {
                self.scanner.skip_token();
                let (kind, _, _) = self.peek()?;
                if !matches!(kind, Tok::Key | Tok::Value | Tok::BlockEnd) {
                    self.states.push(State::BlockMappingValue);
                    return self.node(true, true);
                }
                self.state = State::BlockMappingValue;
                Ok(self.empty())
            }
            Tok::BlockEnd => {
                self.scanner.skip_token();
                Ok(self.close())
            }
            _ => parser_error("did not find expected key", start),
        }
    }

    fn block_mapping_value(&mut self) -> Scan<Event> {
        let (kind, _, _) = self.peek()?;
        if kind == Tok::Value {
            self.scanner.skip_token();
            let (kind, _, _) = self.peek()?;
            if !matches!(kind, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.states.push(State::BlockMappingKey);
                return self.node(true, true);
            }
        }
        self.state = State::BlockMappingKey;
        Ok(self.empty())
    }

    fn flow_sequence_entry(&mut self, first: bool) -> Scan<Event> {
        self.open(first)?;
        let (mut kind, start, _) = self.peek()?;
        if kind != Tok::FlowSequenceEnd {
            if !first {
                if kind != Tok::FlowEntry {
                    return parser_error("did not find expected ',' or ']'", start);
                }
                self.scanner.skip_token();
                kind = self.peek()?.0;
            }
            if kind == Tok::Key {
                // `[? a: b]`: a single-pair mapping as the entry.
                self.state = State::FlowSequenceEntryMappingKey;
                self.scanner.skip_token();
                return Ok(Event::Node(NodeStart {
                    content: Content::Mapping,
                    ..NodeStart::empty(self.last_mark)
                }));
            }
            if kind != Tok::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.node(false, false);
            }
        }
        self.scanner.skip_token();
        Ok(self.close())
    }

    fn flow_mapping_key(&mut self, first: bool) -> Scan<Event> {
        self.open(first)?;
        let (mut kind, start, _) = self.peek()?;
        if kind != Tok::FlowMappingEnd {
            if !first {
                if kind != Tok::FlowEntry {
                    return parser_error("did not find expected ',' or '}'", start);
                }
                self.scanner.skip_token();
                kind = self.peek()?.0;
            }
            if kind == Tok::Key {
                self.scanner.skip_token();
                let (kind, _, _) = self.peek()?;
                if !matches!(kind, Tok::Value | Tok::FlowEntry | Tok::FlowMappingEnd) {
                    self.states.push(State::FlowMappingValue);
                    return self.node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(self.empty());
            }
            if kind != Tok::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.node(false, false);
            }
        }
        self.scanner.skip_token();
        Ok(self.close())
    }

    fn flow_mapping_value(&mut self, empty: bool) -> Scan<Event> {
        let (kind, _, _) = self.peek()?;
        if !empty && kind == Tok::Value {
            self.scanner.skip_token();
            let (kind, _, _) = self.peek()?;
            if !matches!(kind, Tok::FlowEntry | Tok::FlowMappingEnd) {
                self.states.push(State::FlowMappingKey);
                return self.node(false, false);
            }
        }
        self.state = State::FlowMappingKey;
        Ok(self.empty())
    }
}

#[cfg(test)]
mod tests {
    use super::go_failure;

    fn go_syntax_error(text: &str) -> Option<String> {
        go_failure(text).map(|f| f.go_text)
    }

    /// Texts checked against Helm 4.2.3 (LoadValues of a file holding the text).
    #[test]
    fn helm_texts() {
        let cases = [
            // A dedented key followed by more nesting.
            (
                "a:\n  b:\n    c: 1\n d:\n   e: 1\n",
                "yaml: line 3: did not find expected key",
            ),
            (
                "a:\n    b: 1\n  c:\n    d: 1\n",
                "yaml: line 2: did not find expected key",
            ),
            // An unclosed `{` whose next entry spans lines.
            (
                "a: {b: 1, c:\n  d\n",
                "yaml: line 2: did not find expected ',' or '}'",
            ),
            (
                "a: {\n  b: c\n   d,\n",
                "yaml: line 3: did not find expected node content",
            ),
            (
                "a: {b: 1\nc: 2\n",
                "yaml: line 1: did not find expected ',' or '}'",
            ),
            // Junk after a root on the same line.
            ("[1, 2] x: y\n", "yaml: did not find expected key"),
            ("'x' y: 1\n", "yaml: did not find expected key"),
            // A block scalar indicator right after a quoted scalar (a manifest line).
            (
                "data:\n  a: \"x\"|\"y\"\n",
                "yaml: line 2: did not find expected comment or line break",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(go_syntax_error(text).as_deref(), Some(want), "{text:?}");
        }
    }

    #[test]
    fn valid_first_documents_have_no_error() {
        for text in [
            "",
            "a: 1\n",
            "{a: 1} x\n",
            "a: 1 b\n",
            "a: &x 1\nb: *x\n",
            "%YAML 1.1\n--- a\n",
            "a: !!str 1\nb: !<tag:x> 2\nc: ! 3\n",
            "a: |\n  x\n  y\nb: >-\n  z\n",
            "- 1\n- [2, {3: 4}]\n",
            "a: 1\n--- {\n",
        ] {
            assert_eq!(go_syntax_error(text), None, "{text:?}");
        }
    }

    #[test]
    fn scanner_and_decoder_errors() {
        assert_eq!(
            go_syntax_error("a: *nope\n").as_deref(),
            Some("yaml: unknown anchor 'nope' referenced")
        );
        assert_eq!(
            go_syntax_error("a: \"x\n").as_deref(),
            Some("yaml: line 2: found unexpected end of stream")
        );
        assert_eq!(
            go_syntax_error("a: !x!y 1\n").as_deref(),
            Some("yaml: found undefined tag handle")
        );
        // The reader checks 512-byte chunks as the scanner first looks into them.
        assert_eq!(
            go_syntax_error("a: 1\n b: \"\u{7}\"\n").as_deref(),
            Some("yaml: control characters are not allowed")
        );
        let far = format!("a: 1\n b: 2\n{}c: \u{7}\n", "#\n".repeat(300));
        assert_eq!(
            go_syntax_error(&far).as_deref(),
            Some("yaml: line 2: mapping values are not allowed in this context")
        );
        // Nesting past go-yaml's limit.
        let deep = "[".repeat(10_001);
        assert_eq!(
            go_syntax_error(&deep).as_deref(),
            Some("yaml: exceeded max depth of 10000")
        );
    }
}
