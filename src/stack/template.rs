//! minijinja setup for stack files and `.j2` values files: strict undefined,
//! no auto-escaping, bounded execution, and the helper functions operators
//! expect (`env_var`, `read_file`, `to_yaml`, `b64encode`, `required`, ...).

use base64::Engine as _;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file `read_file` returns.
const MAX_READ_FILE: u64 = 1024 * 1024;
/// Instruction budget per render: plenty for values files, but a runaway
/// loop ends with an error instead of hanging the deploy.
const FUEL: u64 = 20_000_000;

/// Whether a string contains template syntax and so needs rendering. Strings
/// without it are used as written, which keeps their YAML style.
pub(crate) fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// A template failure: the template line (1-based) when minijinja knows it.
#[derive(Debug)]
pub(crate) struct TemplateError {
    pub line: Option<usize>,
    pub message: String,
}

pub(crate) struct Templater {
    env: Environment<'static>,
}

impl Templater {
    /// `stack_dir` is where `read_file` paths are resolved; files outside it
    /// are refused so a shared values template cannot read arbitrary files.
    pub fn new(stack_dir: &Path) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // YAML is not HTML; the default callback would JSON-escape `.yaml`.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_fuel(Some(FUEL));
        // Values files must keep their final newline.
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        let root = stack_dir.to_path_buf();
        env.add_function("env_var", env_var);
        env.add_function("read_file", move |path: &str| read_file(&root, path));
        env.add_function("required", |msg: &str, value: Value| required(value, msg));
        env.add_filter("required", |value: Value, msg: &str| required(value, msg));
        env.add_filter("to_yaml", to_yaml);
        env.add_filter("to_json", to_json);
        env.add_filter("b64encode", b64encode);
        env.add_filter("b64decode", b64decode);
        env.add_function("to_yaml", to_yaml);
        env.add_function("to_json", to_json);
        env.add_function("b64encode", b64encode);
        env.add_function("b64decode", b64decode);
        Templater { env }
    }

    pub fn render(&self, name: &str, source: &str, ctx: &Value) -> Result<String, TemplateError> {
        self.env
            .render_named_str(name, source, ctx.clone())
            .map_err(|e| TemplateError {
                line: e.line(),
                message: describe(&e),
            })
    }
}

fn describe(e: &Error) -> String {
    match (e.kind(), e.detail()) {
        // Our helpers report with InvalidOperation; their text says it all.
        (ErrorKind::InvalidOperation, Some(detail)) => detail.to_string(),
        (kind, Some(detail)) => format!("{kind}: {detail}"),
        (kind, None) => kind.to_string(),
    }
}

fn fail(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// The process environment as a template map (`env.HOME`).
pub(crate) fn process_env() -> Value {
    let map: BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    Value::from(map)
}

fn env_var(name: &str, default: Option<Value>) -> Result<Value, Error> {
    match std::env::var(name) {
        Ok(v) => Ok(Value::from(v)),
        Err(_) => default.ok_or_else(|| {
            fail(format!(
                "env_var: environment variable {name} is not set and no default was given"
            ))
        }),
    }
}

fn read_file(root: &Path, rel: &str) -> Result<String, Error> {
    let root = root
        .canonicalize()
        .map_err(|e| fail(format!("read_file: {}: {e}", root.display())))?;
    let path: PathBuf = root.join(rel);
    let path = path
        .canonicalize()
        .map_err(|e| fail(format!("read_file({rel:?}): {e}")))?;
    if !path.starts_with(&root) {
        return Err(fail(format!(
            "read_file({rel:?}): only files under the stack file's directory {} may be read",
            root.display()
        )));
    }
    let file = std::fs::File::open(&path).map_err(|e| fail(format!("read_file({rel:?}): {e}")))?;
    let mut text = String::new();
    file.take(MAX_READ_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("read_file({rel:?}): {e}")))?;
    if text.len() as u64 > MAX_READ_FILE {
        return Err(fail(format!(
            "read_file({rel:?}): file is larger than {MAX_READ_FILE} bytes"
        )));
    }
    Ok(text)
}

fn required(value: Value, msg: &str) -> Result<Value, Error> {
    let missing = value.is_undefined() || value.is_none() || value.as_str() == Some("");
    if missing {
        Err(fail(msg.to_string()))
    } else {
        Ok(value)
    }
}

fn to_yaml(value: Value) -> Result<String, Error> {
    let text = serde_saphyr::to_string(&value).map_err(|e| fail(format!("to_yaml: {e}")))?;
    Ok(text.trim_end_matches('\n').to_string())
}

fn to_json(value: Value) -> Result<String, Error> {
    serde_json::to_string(&value).map_err(|e| fail(format!("to_json: {e}")))
}

fn b64encode(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64decode(s: &str) -> Result<String, Error> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| fail(format!("b64decode: {e}")))?;
    String::from_utf8(bytes).map_err(|_| fail("b64decode: decoded bytes are not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn t() -> Templater {
        Templater::new(Path::new("."))
    }

    #[test]
    fn strict_undefined_reports_line() {
        let ctx = context! { values => context! { a => 1 } };
        let err = t()
            .render("x.j2", "a: {{ values.a }}\nb: {{ values.b }}\n", &ctx)
            .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("values.b"), "{}", err.message);
        assert!(err.message.contains("undefined"), "{}", err.message);
    }

    #[test]
    fn default_filter_and_trailing_newline() {
        let ctx = context! { values => context! {} };
        let out = t()
            .render("x", "{{ values.x | default(true) }}\n", &ctx)
            .unwrap();
        // minijinja prints booleans the Python way.
        assert_eq!(out, "True\n");
    }

    #[test]
    fn helpers() {
        let ctx = context! { values => context! { m => context! { a => 1, b => "x" } } };
        let r = |s: &str| t().render("x", s, &ctx);
        assert_eq!(r("{{ 'hi' | b64encode }}").unwrap(), "aGk=");
        assert_eq!(r("{{ 'aGk=' | b64decode }}").unwrap(), "hi");
        assert_eq!(r("{{ values.m | to_json }}").unwrap(), r#"{"a":1,"b":"x"}"#);
        assert_eq!(r("{{ values.m | to_yaml }}").unwrap(), "a: 1\nb: x");
        assert_eq!(
            r("{{ env_var('CAPSTAN_SURELY_UNSET_VAR', 'd') }}").unwrap(),
            "d"
        );
        let err = r("{{ env_var('CAPSTAN_SURELY_UNSET_VAR') }}").unwrap_err();
        assert!(
            err.message.contains("CAPSTAN_SURELY_UNSET_VAR"),
            "{}",
            err.message
        );
        let err = r("{{ required('need a password', values.m.nope) }}").unwrap_err();
        assert_eq!(err.message, "need a password");
        let err = r("{{ values.m.nope | required('need it') }}").unwrap_err();
        assert_eq!(err.message, "need it");
        assert_eq!(r("{{ required('x', values.m.a) }}").unwrap(), "1");
    }

    #[test]
    fn runaway_loops_run_out_of_fuel() {
        let ctx = context! {};
        let src =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        assert!(t().render("x", src, &ctx).is_err());
    }

    #[test]
    fn read_file_stays_in_stack_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), "CERT").unwrap();
        let t = Templater::new(dir.path());
        let ctx = context! {};
        assert_eq!(
            t.render("x", "{{ read_file('ca.pem') }}", &ctx).unwrap(),
            "CERT"
        );
        let err = t
            .render("x", "{{ read_file('../../etc/passwd') }}", &ctx)
            .unwrap_err();
        assert!(err.message.contains("read_file"), "{}", err.message);
    }
}
