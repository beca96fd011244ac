//! Building a Go string that may hold bytes that are not UTF-8.
//!
//! Go's template output, `printf "%s"` and friends copy a string's bytes as they are,
//! so a binary file read with `.Files.Get` reaches the output unchanged (and Helm's
//! YAML reader then refuses the document). Almost all output is UTF-8 text, so the
//! builder keeps a plain `String` (the hot path is `push_str`, as before) and, only
//! when a [`RawString`](crate::value::RawString) is written, remembers which span of
//! the text stands for which original bytes. [`GoStringBuf::into_value`] puts them
//! back.

use crate::value::Value;

/// Where the text holds the decoded form (one U+FFFD per invalid byte) of `bytes`.
struct RawSpan {
    start: usize,
    end: usize,
    bytes: Box<[u8]>,
}

/// A growing Go string: UTF-8 text plus the spans that stand for raw bytes.
#[derive(Default)]
pub struct GoStringBuf {
    text: String,
    raw: Vec<RawSpan>,
}

impl GoStringBuf {
    pub fn new() -> Self {
        GoStringBuf::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        GoStringBuf {
            text: String::with_capacity(n),
            raw: Vec::new(),
        }
    }

    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    #[inline]
    pub fn push(&mut self, c: char) {
        self.text.push(c);
    }

    pub fn extend(&mut self, chars: impl IntoIterator<Item = char>) {
        self.text.extend(chars);
    }

    /// Writes a Go string given as its `bytes` and their decoded `text` (as
    /// [`crate::value::go_text`] decodes them). UTF-8 bytes are plain text.
    pub fn push_go(&mut self, bytes: &[u8], text: &str) {
        let start = self.text.len();
        self.text.push_str(text);
        if bytes != text.as_bytes() {
            self.raw.push(RawSpan {
                start,
                end: self.text.len(),
                bytes: bytes.into(),
            });
        }
    }

    /// Writes everything `other` holds, raw spans included.
    pub fn append(&mut self, other: GoStringBuf) {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.raw.extend(other.raw.into_iter().map(|s| RawSpan {
            start: s.start + offset,
            end: s.end + offset,
            bytes: s.bytes,
        }));
    }

    /// Length of the decoded text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The decoded text (U+FFFD for each byte that is not UTF-8).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether some written bytes were not UTF-8.
    pub fn has_raw(&self) -> bool {
        !self.raw.is_empty()
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The Go string's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        if self.raw.is_empty() {
            return self.text.into_bytes();
        }
        let mut out = Vec::with_capacity(self.text.len());
        let mut at = 0;
        for span in &self.raw {
            out.extend_from_slice(&self.text.as_bytes()[at..span.start]);
            out.extend_from_slice(&span.bytes);
            at = span.end;
        }
        out.extend_from_slice(&self.text.as_bytes()[at..]);
        out
    }

    /// [`GoStringBuf::into_value`] of a copy, then empties the buffer keeping its
    /// capacity (the executor reuses one buffer for many `include` outputs).
    pub fn take_value(&mut self) -> Value {
        let v = if self.raw.is_empty() {
            Value::str(&self.text)
        } else {
            std::mem::take(self).into_value()
        };
        self.clear();
        v
    }

    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.text.clear();
        self.raw.clear();
    }

    /// Bytes the buffer can hold without growing.
    pub fn capacity(&self) -> usize {
        self.text.capacity()
    }

    /// The Go string as a value: `String`, or `RawString` when its bytes are not
    /// UTF-8 (pieces of one character written apart join into valid text, as in Go).
    pub fn into_value(self) -> Value {
        if self.raw.is_empty() {
            return Value::from(self.text);
        }
        Value::from_go_bytes(&self.into_bytes())
    }
}

impl std::fmt::Write for GoStringBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_spans_come_back_as_bytes() {
        let mut b = GoStringBuf::new();
        b.push_str("a: ");
        b.push_go(b"\xff\xfe", "\u{fffd}\u{fffd}");
        b.push('\n');
        assert_eq!(b.text(), "a: \u{fffd}\u{fffd}\n");
        assert_eq!(b.into_bytes(), b"a: \xff\xfe\n");
    }

    #[test]
    fn halves_of_a_character_join() {
        let mut b = GoStringBuf::new();
        b.push_go(b"\xe2\x82", "\u{fffd}\u{fffd}");
        let mut tail = GoStringBuf::new();
        tail.push_go(b"\xac", "\u{fffd}");
        b.append(tail);
        assert_eq!(b.into_value().as_str(), Some("€"));
    }

    #[test]
    fn utf8_stays_a_plain_string() {
        let mut b = GoStringBuf::new();
        b.push_go("é".as_bytes(), "é");
        assert!(!b.has_raw());
        assert!(matches!(b.into_value(), Value::String(_)));
    }
}
