//! Property tests: any text, and text stitched from TOML fragments, ends in a map or
//! a `toml: line N` error, never a panic, and in time linear-ish in its length.

use proptest::prelude::*;

use gotmpl::value::Value;

/// Fragments that steer random text into the lexer's and parser's corners.
const PIECES: &[&str] = &[
    "a",
    "b",
    "a.b",
    "\"q\"",
    "'l'",
    "\"\"",
    " = ",
    "=",
    ".",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    "#c",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u00",
    "\\x4",
    "\\e",
    "1",
    "0",
    "-",
    "+",
    "_",
    "0x",
    "0o",
    "0b",
    "1e5",
    "1.5",
    "inf",
    "nan",
    "true",
    "false",
    "1979-05-27",
    "T",
    "07:32",
    ":00",
    "Z",
    "+07:00",
    "\u{1}",
    "é",
    "\u{0}",
];

fn parse(text: &str) -> Result<gotmpl::value::Map, String> {
    super::from_toml(text, &mut |d| Value::str(&d.text))
}

fn check(text: &str) {
    if let Err(e) = parse(text) {
        assert!(e.starts_with("toml: line "), "{text:?}: {e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_is_handled(text in "\\PC{0,80}") {
        check(&text);
    }

    #[test]
    fn fragment_soup_is_handled(parts in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let text: String = parts.iter().map(|&i| PIECES[i]).collect();
        check(&text);
    }
}

#[test]
fn large_hostile_inputs_finish() {
    let n = 20_000;
    for text in [
        "a = ".to_string() + &"[".repeat(n),
        "a = ".to_string() + &"[{b=".repeat(n),
        "[".repeat(n),
        (0..n).map(|i| format!("[[t]]\nk{i} = {i}\n")).collect(),
        (0..n)
            .map(|i| format!("t.k{i} = {{x = [{i}]}}\n"))
            .collect(),
        "a = \"".to_string() + &"\\u0041".repeat(n) + "\"",
        "a = \"\"\"".to_string() + &"\\\n".repeat(n),
    ] {
        let start = std::time::Instant::now();
        check(&text);
        assert!(
            start.elapsed().as_secs() < 10,
            "{} bytes took too long",
            text.len()
        );
    }
}
