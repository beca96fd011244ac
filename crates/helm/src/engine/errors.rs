//! Helm 4's rewriting of Go template errors.
//!
//! - Parse errors: `parse error at (FILE:LINE): MESSAGE`.
//! - `required`/`fail`: `execution error at (FILE:LINE:COL): MESSAGE`, the location
//!   being the outermost one.
//! - Other execution errors raised by the engine itself (missing fields, nil pointers,
//!   argument counts) and `include` failures are laid out on indented lines, one
//!   `executing` frame per include level; errors returned by other functions keep Go's
//!   one-line form. (Observed behaviour of Helm 4.2.3, checked by the differential
//!   tests.)

use super::funcs::{WARN_END, WARN_START};

pub fn cleanup_parse_error(filename: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {msg}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

pub fn cleanup_exec_error(filename: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {msg}");
    }
    if let Some(start) = tokens[2].find(WARN_START)
        && let Some(end_rel) = tokens[2][start + WARN_START.len()..].find(WARN_END)
    {
        let inner = &tokens[2][start + WARN_START.len()..start + WARN_START.len() + end_rel];
        return format!("execution error at ({}): {}", tokens[1], inner);
    }
    reformat(msg).unwrap_or_else(|| msg.to_string())
}

/// `template: LOC: executing "NAME" at <CTX>: REST` as indented lines, recursing into
/// `include` failures; `None` when Helm keeps the one-line form.
fn reformat(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("template: ")?;
    let (loc, rest) = rest.split_once(": executing \"")?;
    let (name, rest) = split_quoted(rest)?;
    let rest = rest.strip_prefix(" at <")?;
    let (ctx, cause) = rest.split_once(">: ")?;
    let head = format!("{loc}\n  executing \"{name}\" at <{ctx}>:\n    ");
    if let Some(inner) = cause.strip_prefix("error calling include: ") {
        let inner = reformat(inner).unwrap_or_else(|| inner.to_string());
        return Some(format!("{head}error calling include:\n{inner}"));
    }
    if cause.starts_with("error calling ") {
        return None;
    }
    Some(format!("{head}{cause}"))
}

/// Split a Go-quoted string body (after the opening quote) at its closing quote.
fn split_quoted(s: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some((&s[..i], &s[i + 1..])),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_and_required_messages() {
        let m = "template: c/templates/x.yaml:1:6: executing \"c/templates/x.yaml\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END";
        assert_eq!(
            cleanup_exec_error("c/templates/x.yaml", m),
            "execution error at (c/templates/x.yaml:1:6): boom"
        );
    }

    #[test]
    fn engine_errors_are_indented() {
        let m = "template: c/templates/x.yaml:1:13: executing \"c/templates/x.yaml\" at <.Values.x.y>: nil pointer evaluating interface {}.y";
        assert_eq!(
            cleanup_exec_error("c/templates/x.yaml", m),
            "c/templates/x.yaml:1:13\n  executing \"c/templates/x.yaml\" at <.Values.x.y>:\n    nil pointer evaluating interface {}.y"
        );
        let m = "template: c/templates/x.yaml:1:6: executing \"c/templates/x.yaml\" at <index .Values.l 5>: error calling index: index of untyped nil";
        assert_eq!(cleanup_exec_error("c/templates/x.yaml", m), m);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            cleanup_parse_error(
                "c/templates/x.yaml",
                "template: c/templates/x.yaml:1: missing value for if"
            ),
            "parse error at (c/templates/x.yaml:1): missing value for if"
        );
    }
}
