//! Go's `unicode` predicates that test general categories: `IsLetter` (L), `IsUpper`
//! (Lu), `IsLower` (Ll), `IsTitle` (Lt), `IsDigit` (Nd), `IsPunct` (P), and its simple
//! case mappings (`ToUpper`, `ToLower`, `ToTitle`). Rust's `char` methods test derived
//! properties instead (`is_uppercase` holds for Ⅻ, which is Nl; `is_lowercase` and
//! `is_alphabetic` for combining marks such as U+0345), so Sprig's case functions
//! would split and convert words differently from Go. The category ranges come from
//! regex-syntax's Unicode tables, built once and cut to the characters assigned by
//! Unicode 15.0, the version of Go's tables in the Helm we match (a character added
//! since is unassigned there: `%q` escapes it, no case function touches it).

use std::sync::OnceLock;

use regex_syntax::hir::{self, HirKind};

type Ranges = Vec<(char, char)>;

/// Go's Unicode version (`unicode.Version` of the Go that built Helm 4.2.3).
const GO_UNICODE_AGE: &str = "V15_0";

/// The code point ranges of a Unicode class regex-syntax knows (`\p{Lu}`, ...),
/// restricted to the characters Go's tables know.
fn class_ranges(class: &str) -> Ranges {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!("[{class}&&\\p{{Age={GO_UNICODE_AGE}}}]"))
        // The classes below are constants of the Unicode general categories and ages,
        // which the enabled `unicode-gencat` and `unicode-age` features provide.
        .expect("a Unicode general category regex-syntax knows");
    match hir.kind() {
        HirKind::Class(hir::Class::Unicode(c)) => {
            c.ranges().iter().map(|r| (r.start(), r.end())).collect()
        }
        _ => Vec::new(),
    }
}

fn contains(ranges: &Ranges, c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A Unicode class whose ranges are built on first use.
struct Category {
    pattern: &'static str,
    ranges: OnceLock<Ranges>,
}

impl Category {
    const fn new(pattern: &'static str) -> Category {
        Category {
            pattern,
            ranges: OnceLock::new(),
        }
    }

    fn contains(&self, c: char) -> bool {
        contains(self.ranges.get_or_init(|| class_ranges(self.pattern)), c)
    }
}

static LETTERS: Category = Category::new(r"\p{L}");
static UPPER: Category = Category::new(r"\p{Lu}");
static LOWER: Category = Category::new(r"\p{Ll}");
static TITLE: Category = Category::new(r"\p{Lt}");
static DIGITS: Category = Category::new(r"\p{Nd}");
static PUNCT: Category = Category::new(r"\p{P}");
static PRINT: Category = Category::new(r"\p{L}\p{M}\p{N}\p{P}\p{S}");
static ASSIGNED: Category = Category::new(r"\p{Any}");

/// Go's `unicode.IsLetter`: category L.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    LETTERS.contains(c)
}

/// Go's `unicode.IsUpper`: category Lu.
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    UPPER.contains(c)
}

/// Go's `unicode.IsLower`: category Ll.
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    LOWER.contains(c)
}

/// Go's `unicode.IsDigit`: category Nd.
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    DIGITS.contains(c)
}

/// Go's `unicode.IsPunct`: category P.
pub fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        // ASCII symbols (`$+<=>^`|~`) are category S.
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    PUNCT.contains(c)
}

/// Go's `unicode.IsPrint`: categories L, M, N, P, S and the ASCII space.
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    PRINT.contains(c)
}

/// Go's `unicode.IsTitle`: category Lt.
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && TITLE.contains(c)
}

/// Whether Go's tables know `c` (assigned by Unicode 15.0): case mappings of newer
/// characters are identities there.
fn known_to_go(c: char) -> bool {
    c.is_ascii() || ASSIGNED.contains(c)
}

/// Go's `unicode.ToUpper`: the simple (one-to-one) mapping. Rust's `to_uppercase` is
/// the full mapping, which equals it wherever it gives one character; where it gives
/// several (SpecialCasing), the simple mapping is the character itself except for the
/// Greek letters with ypogegrammeni, which map to their title-case forms.
pub fn to_upper(c: char) -> char {
    if !known_to_go(c) {
        return c;
    }
    let mut full = c.to_uppercase();
    if let (Some(u), None) = (full.next(), full.next()) {
        return u;
    }
    let shifted = match c {
        '\u{1F80}'..='\u{1F87}' | '\u{1F90}'..='\u{1F97}' | '\u{1FA0}'..='\u{1FA7}' => {
            char::from_u32(c as u32 + 8)
        }
        '\u{1FB3}' | '\u{1FC3}' | '\u{1FF3}' => char::from_u32(c as u32 + 9),
        _ => None,
    };
    shifted.unwrap_or(c)
}

/// Go's `unicode.ToLower`: the simple mapping. The only full lower-case mapping of
/// several characters is U+0130's, whose simple mapping is its first ('i').
pub fn to_lower(c: char) -> char {
    if !known_to_go(c) {
        return c;
    }
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToTitle`: the simple title-case mapping, which differs from the
/// upper-case one only for the Latin digraphs (ǆ → ǅ) and Georgian Mkhedruli, whose
/// title case is the letter itself.
pub fn to_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        '\u{10D0}'..='\u{10FA}' | '\u{10FD}'..='\u{10FF}' => c,
        _ => to_upper(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_not_derived_properties() {
        assert!(is_letter('é') && is_letter('ß') && is_letter('日') && !is_letter('1'));
        // Other_Alphabetic / Other_Lowercase / Other_Uppercase are not L, Ll, Lu.
        assert!(!is_letter('\u{345}') && '\u{345}'.is_alphabetic());
        assert!(!is_lower('\u{345}') && '\u{345}'.is_lowercase());
        assert!(!is_upper('Ⅻ') && 'Ⅻ'.is_uppercase());
        assert!(!is_letter('Ⅻ'));
        assert!(is_upper('É') && is_lower('é') && !is_upper('ǅ') && !is_lower('ǅ'));
        assert!(is_digit('٣') && !is_digit('²') && '²'.is_numeric());
        assert!(!is_letter('\u{fffd}') && !is_upper(' ') && is_lower('a'));
        assert!(is_punct('_') && is_punct('¿') && is_punct('、') && !is_punct('$'));
        assert!(!is_punct('€') && !is_punct('+') && is_punct('‐'));
        assert!(is_title('ǅ') && is_title('ᾼ') && !is_title('Ǆ'));
        // Unassigned, or assigned after Unicode 15.0 (U+1FAE9, 16.0; U+A7CB, 16.0).
        assert!(!is_print('\u{378}') && !is_print('\u{1FAE9}') && is_print('\u{1FAE8}'));
        assert!(!is_print('\u{AD}') && !is_print('\u{2028}') && is_print('\u{300}'));
        assert!(!is_letter('\u{A7CB}') && to_lower('\u{A7CB}') == '\u{A7CB}');
    }

    #[test]
    fn simple_case_mappings() {
        assert_eq!(to_upper('ß'), 'ß');
        assert_eq!(to_upper('ᾳ'), 'ᾼ');
        assert_eq!(to_upper('ᾀ'), 'ᾈ');
        assert_eq!(to_upper('ﬀ'), 'ﬀ');
        assert_eq!(to_upper('é'), 'É');
        assert_eq!(to_lower('İ'), 'i');
        assert_eq!(to_title('ǆ'), 'ǅ');
        assert_eq!(to_title('ა'), 'ა');
        assert_eq!(to_upper('ა'), 'Ა');
    }
}
