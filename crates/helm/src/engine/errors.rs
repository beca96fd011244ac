//! Helm 4's rewriting of Go template errors.
//!
//! - Parse errors: `parse error at (FILE:LINE): MESSAGE`.
//! - `required`/`fail`: `execution error at (FILE:LINE:COL): MESSAGE`, the location
//!   being the outermost one.
//! - Other execution errors raised by the engine itself (missing fields, nil pointers,
//!   argument counts) and `include` failures are laid out on indented lines, one
//!   `executing` frame per include level. When the innermost failure is an error
//!   returned by a function other than `include` (`index`, `len`, `tpl`, ...), the whole
//!   message keeps Go's one-line form, however many includes it passed through: Helm
//!   unwraps the chain and gives up on the first link that is a function's own error.
//!   (Observed behaviour of Helm 4.2.3, checked by the differential tests.)

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
    match reformat(msg) {
        Layout::Lines(text) => text,
        Layout::OneLine | Layout::NotExec => msg.to_string(),
    }
}

/// How one `template: LOC: executing ...` message is laid out.
enum Layout {
    /// Indented lines, one frame per include level.
    Lines(String),
    /// A function's own error ends the chain: Helm keeps the whole message as Go wrote it.
    OneLine,
    /// Not an execution message with a location (e.g. `template: no template "x" ...`):
    /// kept as written, below the frames that led to it.
    NotExec,
}

/// `template: LOC: executing "NAME" at <CTX>: REST` as indented lines, recursing into
/// `include` failures.
fn reformat(msg: &str) -> Layout {
    let Some((loc, name, ctx, cause)) = split_exec(msg) else {
        return Layout::NotExec;
    };
    let head = format!("{loc}\n  executing \"{name}\" at <{ctx}>:\n    ");
    if let Some(inner) = cause.strip_prefix("error calling include: ") {
        return match reformat(inner) {
            Layout::Lines(text) => Layout::Lines(format!("{head}error calling include:\n{text}")),
            // Helm reads only `template: ...` texts as frames; include's own
            // nesting-limit error is not one, so the message stays as Go wrote it.
            Layout::NotExec if !inner.starts_with("template: ") => Layout::OneLine,
            Layout::NotExec => Layout::Lines(format!("{head}error calling include:\n{inner}")),
            Layout::OneLine => Layout::OneLine,
        };
    }
    if cause.starts_with("error calling ") {
        return Layout::OneLine;
    }
    Layout::Lines(format!("{head}{cause}"))
}

/// The location, template name, context and cause of an execution message.
fn split_exec(msg: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = msg.strip_prefix("template: ")?;
    let (loc, rest) = rest.split_once(": executing \"")?;
    let (name, rest) = split_quoted(rest)?;
    let rest = rest.strip_prefix(" at <")?;
    let (ctx, cause) = rest.split_once(">: ")?;
    Some((loc, name, ctx, cause))
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
    fn function_errors_below_includes_keep_one_line() {
        let m = "template: c/templates/x.yaml:1:6: executing \"c/templates/x.yaml\" at <include \"o\" .>: error calling include: template: c/templates/_h.tpl:1:25: executing \"o\" at <index .Values.n \"k\">: error calling index: index of untyped nil";
        assert_eq!(cleanup_exec_error("c/templates/x.yaml", m), m);
    }

    #[test]
    fn the_include_nesting_limit_keeps_one_line() {
        let m = "template: c/templates/x.yaml:1:3: executing \"c/templates/x.yaml\" at <include \"a\" .>: error calling include: rendering template has a nested reference name: a: unable to execute template";
        assert_eq!(cleanup_exec_error("c/templates/x.yaml", m), m);
    }

    #[test]
    fn non_exec_errors_below_includes_stay_below_the_frames() {
        let m = "template: c/templates/x.yaml:1:6: executing \"c/templates/x.yaml\" at <include \"o\" .>: error calling include: template: no template \"n\" associated with template \"gotpl\"";
        assert_eq!(
            cleanup_exec_error("c/templates/x.yaml", m),
            "c/templates/x.yaml:1:6\n  executing \"c/templates/x.yaml\" at <include \"o\" .>:\n    error calling include:\ntemplate: no template \"n\" associated with template \"gotpl\""
        );
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
