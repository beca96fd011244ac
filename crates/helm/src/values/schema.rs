//! `values.schema.json` validation, worded like Helm 4.
//!
//! Helm validates the coalesced values against the chart's schema and, recursively, each
//! dependency's values against its own schema, then reports
//! `values don't meet the specifications of the schema(s) in the following chart(s):`
//! followed by `CHART:` and one `- at '/path': message` line per failure (nested
//! failures indented). Helm uses santhosh-tekuri/jsonschema; boon is its Rust port by
//! the same author, with the same messages.

use boon::{Compiler, ErrorKind, Schemas, ValidationError};
use gotmpl::value::{Map, Value};

mod branches;
mod compiled;
mod defs;
mod metaschema;
mod quick;

use compiled::{Compiled, Proven};
use std::sync::{Arc, OnceLock};

/// A chart's schema and its dependencies' (names are aliases where set).
#[derive(Debug, Clone, Default)]
pub struct SchemaChart {
    pub name: String,
    /// The raw `values.schema.json`, if the chart has one.
    pub schema: Option<String>,
    pub dependencies: Vec<SchemaChart>,
}

/// The values failed validation (or a schema could not be used).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "values don't meet the specifications of the schema(s) in the following chart(s):\n{details}"
)]
pub struct SchemaError {
    /// Helm's per-chart report: `CHART:\n- at '/x': ...\n`, one block per chart.
    pub details: String,
}

/// Forgets the compiled schemas kept between renders (cold-render benchmarks).
pub(crate) fn clear_compiled_cache() {
    compiled::clear();
}

const SCHEMA_URL: &str = "file:///values.schema.json";

/// Helm's `ValidateAgainstSchema` (with the wrapping message of ToRenderValues).
pub fn validate_chart(chart: &SchemaChart, values: &Map) -> Result<(), SchemaError> {
    let details = chart_report(chart, values);
    if details.is_empty() {
        Ok(())
    } else {
        Err(SchemaError { details })
    }
}

fn chart_report(chart: &SchemaChart, values: &Map) -> String {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        sb.push_str(&format!("{}:\n", chart.name));
        sb.push_str(&e);
    }
    for sub in &chart.dependencies {
        match values.get(&sub.name) {
            None | Some(Value::Nil) => continue,
            Some(Value::Map(m)) => sb.push_str(&chart_report(sub, &m)),
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name,
                other.type_name()
            )),
        }
    }
    sb
}

/// Helm's `ValidateAgainstSingleSchema`: `Err` holds the failure lines (ending in "\n").
pub fn validate_single(values: &Map, schema_json: &str) -> Result<(), String> {
    if let Some(proven) = proven_schema(schema_json) {
        let instance = Value::Map(values.clone()).to_json();
        if let Some(quick) = &proven.quick
            && judge(quick, &proven.schema, &instance) == Some(true)
        {
            return Ok(());
        }
        if let Some(compiled) = proven
            .boon
            .get_or_init(|| compile(proven.schema.clone(), PROVEN_SCHEMA_URL, proven.nodes).ok())
            && run(instance, compiled).is_ok()
        {
            return Ok(());
        }
    }
    // boon's own path; a failure seen above is reported from here, with its texts
    // (which name the schema's URL).
    let schema: serde_json::Value =
        serde_json::from_str(schema_json).map_err(|e| format!("{e}\n"))?;
    // Its schemas may come from other documents: no bound, always a fresh segment.
    run(
        Value::Map(values.clone()).to_json(),
        &compile(schema, SCHEMA_URL, usize::MAX)?,
    )
}

/// Where a schema already shown valid against its metaschema is compiled: boon skips
/// its own metaschema check for `json-schema.org` (see `metaschema`).
const PROVEN_SCHEMA_URL: &str = "https://json-schema.org/capstan/values.schema.json";

/// The schema parsed and prepared when `metaschema` shows it valid and independent of
/// its URL (kept per process by text, see `compiled`); `None` for every other schema.
/// boon compiles it only when `quick` cannot tell that values pass.
fn proven_schema(text: &str) -> Option<Arc<Proven>> {
    if let Some(hit) = compiled::get(text) {
        return Some(hit);
    }
    let mut schema: serde_json::Value = serde_json::from_str(text).ok()?;
    defs::defs_as_definitions(&mut schema);
    let draft = match metaschema::prove(&schema) {
        metaschema::Proof::Valid(draft) => draft,
        metaschema::Proof::Metaschema(draft) if metaschema::metaschema_accepts(draft, &schema) => {
            draft
        }
        _ => return None,
    };
    let proven = Arc::new(Proven {
        quick: quick::Prepared::new(&schema, draft),
        nodes: metaschema::schema_nodes(&schema),
        schema,
        boon: OnceLock::new(),
    });
    compiled::insert(text, Arc::clone(&proven));
    Some(proven)
}

/// Stack one nested schema application of `quick` may take (a debug build's frames
/// for one level of the walk, with room to spare).
const QUICK_STEP_BYTES: usize = 2 << 10;

/// `quick`'s verdict, on a stack deep enough for its bounded recursion.
fn judge(
    quick: &quick::Prepared,
    schema: &serde_json::Value,
    instance: &serde_json::Value,
) -> Option<bool> {
    let needed = quick::MAX_DEPTH * QUICK_STEP_BYTES + compiled::BASE_BYTES;
    gotmpl::stack::with_stack_needing(needed, VALIDATION_STACK, || quick.judge(schema, instance))
}

/// `nodes`: a bound on the schemas boon compiles from the document (see
/// [`Compiled::stack_needed`]).
fn compile(schema: serde_json::Value, url: &str, nodes: usize) -> Result<Compiled, String> {
    let mut compiler = Compiler::new();
    let mut schemas = Schemas::new();
    compiler
        .add_resource(url, schema)
        .map_err(|e| format!("{e}\n"))?;
    let index = compiler
        .compile(url, &mut schemas)
        .map_err(|e| compile_error(&e))?;
    Ok(Compiled {
        schemas,
        index,
        nodes,
    })
}

fn run(instance: serde_json::Value, compiled: &Compiled) -> Result<(), String> {
    let needed = compiled.stack_needed(json_depth(&instance));
    // boon validates (and serde_json drops) recursively, as deep as the values nest
    // (up to the loader's 1000 levels) when the schema is recursive.
    gotmpl::stack::with_stack_needing(needed, VALIDATION_STACK, move || {
        let result = match compiled.schemas.validate(&instance, compiled.index) {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut out = String::new();
                write_causes(&e, None, 0, &mut out);
                Err(out)
            }
        };
        drop(instance);
        result
    })
}

/// How deeply `v` nests (a scalar is 0), without recursing.
fn json_depth(v: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut work = vec![(v, 0usize)];
    while let Some((v, depth)) = work.pop() {
        deepest = deepest.max(depth);
        match v {
            serde_json::Value::Array(items) => work.extend(items.iter().map(|x| (x, depth + 1))),
            serde_json::Value::Object(m) => work.extend(m.values().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// Stack for one validation: a debug build validates the 1000-level test below in 8 MiB.
const VALIDATION_STACK: usize = 64 << 20;

/// A schema that fails to compile. One that breaks its metaschema is reported as
/// jsonschema/v6 does: `"URL" is not valid against metaschema: jsonschema validation
/// failed with 'METASCHEMA'` and then the failures, one line each.
fn compile_error(e: &boon::CompileError) -> String {
    match e {
        boon::CompileError::ValidationError { url, src } => {
            let mut out = format!(
                "{url:?} is not valid against metaschema: jsonschema validation failed with {}\n",
                quote(src.schema_url)
            );
            write_meta_causes(&src.causes, 0, &mut out);
            out
        }
        other => format!("{other}\n"),
    }
}

/// The metaschema's failure tree as jsonschema/v6 prints it. Go always shows an
/// `'allOf' failed` node above failing `allOf` branches; boon has that node only when
/// several branches fail, and otherwise the branch's `$ref` (from `.../allOf/N`)
/// directly. References are transparent when they hold one failure and a
/// `validation failed` node when they hold several.
fn write_meta_causes(causes: &[ValidationError<'_, '_>], depth: usize, out: &mut String) {
    for e in causes {
        match &e.kind {
            ErrorKind::Schema { .. } => write_meta_causes(&e.causes, depth, out),
            ErrorKind::AllOf => {
                meta_line(e, "'allOf' failed", depth, out);
                for branch in &e.causes {
                    write_meta_reference(branch, depth + 1, out);
                }
            }
            ErrorKind::Reference { .. } if is_all_of_branch(e) => {
                meta_line(e, "'allOf' failed", depth, out);
                write_meta_reference(e, depth + 1, out);
            }
            ErrorKind::Reference { .. } => write_meta_reference(e, depth, out),
            kind => {
                meta_line(e, &message(kind), depth, out);
                write_meta_causes(&e.causes, depth + 1, out);
            }
        }
    }
}

fn is_all_of_branch(e: &ValidationError<'_, '_>) -> bool {
    e.schema_url
        .rsplit_once("/allOf/")
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn write_meta_reference(e: &ValidationError<'_, '_>, depth: usize, out: &mut String) {
    if !matches!(e.kind, ErrorKind::Reference { .. }) {
        return write_meta_causes(std::slice::from_ref(e), depth, out);
    }
    if e.causes.len() == 1 {
        write_meta_causes(&e.causes, depth, out);
    } else {
        meta_line(e, "validation failed", depth, out);
        write_meta_causes(&e.causes, depth + 1, out);
    }
}

fn meta_line(e: &ValidationError<'_, '_>, message: &str, depth: usize, out: &mut String) {
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!("- at '{}': {message}\n", e.instance_location));
}

/// One `- at '/loc': message` line per error, children indented, as jsonschema/v6
/// prints its basic error tree (the root "validation failed" line is dropped by Helm).
/// `parent`: where the parent error was reported, to put back the `allOf`/`anyOf`/
/// `oneOf` nodes boon leaves out (see `branches`).
fn write_causes(
    e: &ValidationError<'_, '_>,
    parent: Option<branches::Scope<'_, '_>>,
    depth: usize,
    out: &mut String,
) {
    let mut depth = depth;
    if let Some(scope) = parent {
        for node in branches::missing_nodes(scope, e) {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&format!(
                "- at '{}': {}\n",
                node.instance_location, node.message
            ));
            depth += 1;
        }
    }
    let skip = matches!(e.kind, ErrorKind::Schema { .. })
        || (e.causes.len() == 1 && matches!(e.kind, ErrorKind::Reference { .. }));
    let child_depth = if skip {
        depth
    } else {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&format!(
            "- at '{}': {}\n",
            e.instance_location,
            message(&e.kind)
        ));
        depth + 1
    };
    let scope = branches::Scope::of(e);
    for cause in &e.causes {
        write_causes(cause, Some(scope), child_depth, out);
    }
}

/// Go's `%q`-based quoting used by jsonschema/v6 messages: `'text'`.
fn quote(s: &str) -> String {
    let escaped = format!("{s:?}");
    let inner = &escaped[1..escaped.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn join_quoted<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => "value".to_string(),
        // `%v` without the localising printer: no grouping (`value must be 12345`).
        serde_json::Value::Number(n) => super::gofloat::format_g(n.as_f64().unwrap_or(f64::NAN)),
        other => other.to_string(),
    }
}

/// A number in a keyword message. jsonschema/v6 prints these through
/// golang.org/x/text's English printer: `%v` of a float64 picks Go's `'g'` form, and
/// then the printer groups thousands (`12,345.5`) or writes the exponent form as
/// `1.5×10⁻⁰⁷`.
fn number(n: &serde_json::Number) -> String {
    let g = super::gofloat::format_g(n.as_f64().unwrap_or(f64::NAN));
    match g.split_once('e') {
        Some((mantissa, exp)) => {
            let mut out = format!("{mantissa}×10");
            for c in exp.chars() {
                out.push(match c {
                    '-' => '⁻',
                    '0' => '⁰',
                    '1' => '¹',
                    '2' => '²',
                    '3' => '³',
                    '4' => '⁴',
                    '5' => '⁵',
                    '6' => '⁶',
                    '7' => '⁷',
                    '8' => '⁸',
                    '9' => '⁹',
                    // '+' is not printed.
                    _ => continue,
                });
            }
            out
        }
        None => grouped(&g),
    }
}

/// `%d` through the English printer: thousands separated by commas.
fn count(n: impl std::fmt::Display) -> String {
    grouped(&n.to_string())
}

/// minContains/maxContains when some items matched: the bound, how many matched and
/// their indexes, space-separated and without thousands separators, as Helm prints them.
fn contains_count(bound: &str, want: String, matched: &[usize]) -> String {
    let at: Vec<String> = matched.iter().map(|g| g.to_string()).collect();
    format!(
        "{bound} {want} items required to match contains schema, but matched {} items at {}",
        count(matched.len()),
        at.join(" ")
    )
}

/// Commas between groups of three digits in the integer part of a decimal number.
fn grouped(decimal: &str) -> String {
    let (sign, rest) = match decimal.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", decimal),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// jsonschema/v6's English messages for boon's error kinds.
fn message(kind: &ErrorKind<'_, '_>) -> String {
    use ErrorKind as K;
    match kind {
        K::Group | K::Reference { .. } => "validation failed".to_string(),
        K::Schema { url } => format!("jsonschema validation failed with {}", quote(url)),
        K::ContentSchema => "'contentSchema' failed".to_string(),
        K::PropertyName { prop } => format!("invalid propertyName {}", quote(prop)),
        K::RefCycle {
            url,
            kw_loc1,
            kw_loc2,
        } => {
            format!("both {kw_loc1} and {kw_loc2} resolve to {url:?} causing reference cycle")
        }
        K::FalseSchema => "false schema".to_string(),
        K::Type { got, want } => format!(
            "got {got}, want {}",
            want.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        K::Enum { want } => {
            if want.iter().any(|v| v.is_array() || v.is_object()) {
                "'enum' failed".to_string()
            } else if want.len() == 1 {
                format!("value must be {}", display(&want[0]))
            } else {
                format!(
                    "value must be one of {}",
                    want.iter().map(display).collect::<Vec<_>>().join(", ")
                )
            }
        }
        K::Const { want } => {
            if want.is_array() || want.is_object() {
                "'const' failed".to_string()
            } else {
                format!("value must be {}", display(want))
            }
        }
        K::Format { got, want, err } => format!("{} is not valid {want}: {err}", display(got)),
        K::MinProperties { got, want } => {
            format!("minProperties: got {}, want {}", count(got), count(want))
        }
        K::MaxProperties { got, want } => {
            format!("maxProperties: got {}, want {}", count(got), count(want))
        }
        K::AdditionalProperties { got } => {
            format!("additional properties {} not allowed", join_quoted(got))
        }
        K::Required { want } if want.len() == 1 => format!("missing property {}", quote(want[0])),
        K::Required { want } => format!("missing properties {}", join_quoted(want)),
        K::Dependency { prop, missing } | K::DependentRequired { prop, missing } => format!(
            "properties {} required, if {} exists",
            join_quoted(missing),
            quote(prop)
        ),
        K::MinItems { got, want } => {
            format!("minItems: got {}, want {}", count(got), count(want))
        }
        K::MaxItems { got, want } => {
            format!("maxItems: got {}, want {}", count(got), count(want))
        }
        K::Contains => "no items match contains schema".to_string(),
        K::MinContains { got, want } if got.is_empty() => {
            format!(
                "min {} items required to match contains schema, but none matched",
                count(want)
            )
        }
        K::MinContains { got, want } => contains_count("min", count(want), got),
        K::MaxContains { got, want } => contains_count("max", count(want), got),
        K::UniqueItems { got } => {
            format!("items at {} and {} are equal", count(got[0]), count(got[1]))
        }
        K::AdditionalItems { got } => {
            format!("last {} additionalItem(s) not allowed", count(got))
        }
        K::MinLength { got, want } => {
            format!("minLength: got {}, want {}", count(got), count(want))
        }
        K::MaxLength { got, want } => {
            format!("maxLength: got {}, want {}", count(got), count(want))
        }
        K::Pattern { got, want } => {
            format!("{} does not match pattern {}", quote(got), quote(want))
        }
        K::ContentEncoding { want, err } => {
            format!("value is not {} encoded: {err}", quote(want))
        }
        K::ContentMediaType { want, err, .. } => {
            format!("value if not of mediatype {}: {err}", quote(want))
        }
        K::Minimum { got, want } => format!("minimum: got {}, want {}", number(got), number(want)),
        K::Maximum { got, want } => format!("maximum: got {}, want {}", number(got), number(want)),
        K::ExclusiveMinimum { got, want } => format!(
            "exclusiveMinimum: got {}, want {}",
            number(got),
            number(want)
        ),
        K::ExclusiveMaximum { got, want } => format!(
            "exclusiveMaximum: got {}, want {}",
            number(got),
            number(want)
        ),
        K::MultipleOf { got, want } => {
            format!("multipleOf: got {}, want {}", number(got), number(want))
        }
        K::Not => "'not' failed".to_string(),
        K::AllOf => "'allOf' failed".to_string(),
        K::AnyOf => "'anyOf' failed".to_string(),
        K::OneOf(None) => "'oneOf' failed, none matched".to_string(),
        K::OneOf(Some((a, b))) => format!("'oneOf' failed, subschemas {a}, {b} matched"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_values;

    /// The proven path (with `$defs` moved to `definitions`) gives boon's verdict on the
    /// schema as written, for passing and failing values alike.
    #[test]
    fn draft7_defs_schemas_judge_values_as_written() {
        let schema = r##"{"$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": "#/$defs/v",
            "$defs": {
                "v": {"type": "object", "additionalProperties": false, "properties": {
                    "n": {"$ref": "#/$defs/n"},
                    "s": {"oneOf": [{"$ref": "#/$defs/s"}, {"type": "null"}]},
                    "l": {"type": "array", "items": {"$ref": "#/$defs/v/properties/n"}},
                    "c": {"const": {"$ref": "#/$defs/n"}}}},
                "n": {"type": "integer", "minimum": 1},
                "s": {"type": "string", "pattern": "^a"}}}"##;
        let as_written = || {
            let v: serde_json::Value = serde_json::from_str(schema).unwrap();
            compile(v, SCHEMA_URL, usize::MAX).unwrap()
        };
        let run =
            |values: &Map, compiled: &Compiled| run(Value::Map(values.clone()).to_json(), compiled);
        for text in [
            "n: 1\n",
            "n: 0\n",
            "s: abc\nl: [1, 2]\n",
            "s: b\n",
            "l: [1, -1]\n",
            "c: {$ref: '#/$defs/n'}\n",
            "c: {$ref: '#/definitions/n'}\n",
            "x: 1\n",
        ] {
            let values = parse_values(text, "t").unwrap();
            assert_eq!(
                validate_single(&values, schema),
                run(&values, &as_written()),
                "{text}"
            );
        }
    }

    const SCHEMA: &str = r#"{
        "type": "object",
        "required": ["image"],
        "properties": {
            "replicaCount": {"type": "integer", "minimum": 1},
            "image": {"type": "object", "properties": {"tag": {"type": "string"}}}
        }
    }"#;

    fn num(text: &str) -> String {
        number(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn numbers_print_like_the_english_x_text_printer() {
        // Observed from Helm 4.2.3 (jsonschema/v6 through golang.org/x/text/message).
        assert_eq!(num("5"), "5");
        assert_eq!(num("100000"), "100,000");
        assert_eq!(num("-123456.75"), "-123,456.75");
        assert_eq!(num("999999.5"), "999,999.5");
        assert_eq!(num("1000000"), "1×10⁰⁶");
        assert_eq!(num("1234567"), "1.234567×10⁰⁶");
        assert_eq!(num("1.5e22"), "1.5×10²²");
        assert_eq!(num("1e300"), "1×10³⁰⁰");
        assert_eq!(num("0.000000123"), "1.23×10⁻⁰⁷");
        assert_eq!(num("0.5"), "0.5");
        assert_eq!(count(1200), "1,200");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn a_schema_breaking_its_metaschema_lists_the_failures() {
        // Observed from Helm 4.2.3.
        let schema = r#"{"type": "object", "properties": {"a": {"items": [{}]}}}"#;
        let values = parse_values("a: 1\n", "t").unwrap();
        assert_eq!(
            validate_single(&values, schema).unwrap_err(),
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema \
             validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n\
             - at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    \
             - at '/properties/a/items': got array, want boolean or object\n"
        );
    }

    #[test]
    fn keyword_messages_group_counts_but_not_enum_values() {
        let schema = r#"{"type": "object", "properties": {
            "s": {"minLength": 1500}, "e": {"enum": [12345, "x"]}}}"#;
        let values = parse_values("s: abc\n", "t").unwrap();
        assert_eq!(
            validate_single(&values, schema).unwrap_err(),
            "- at '/s': minLength: got 3, want 1,500\n"
        );
        let values = parse_values("e: 1\n", "t").unwrap();
        assert_eq!(
            validate_single(&values, schema).unwrap_err(),
            "- at '/e': value must be one of 12345, 'x'\n"
        );
    }

    #[test]
    fn valid_values_pass() {
        let v = parse_values("replicaCount: 3\nimage: {tag: v1}\n", "t").unwrap();
        assert!(validate_single(&v, SCHEMA).is_ok());
        // float64 3 from YAML is an integer for JSON Schema.
        let chart = SchemaChart {
            name: "app".into(),
            schema: Some(SCHEMA.into()),
            dependencies: vec![],
        };
        assert!(validate_chart(&chart, &v).is_ok());
    }

    #[test]
    fn failures_are_reported_like_helm() {
        let v = parse_values("replicaCount: 0\nimage: {tag: 5}\n", "t").unwrap();
        let chart = SchemaChart {
            name: "app".into(),
            schema: Some(SCHEMA.into()),
            dependencies: vec![SchemaChart {
                name: "sub".into(),
                schema: Some(r#"{"type":"object","required":["x"]}"#.into()),
                dependencies: vec![],
            }],
        };
        let v2 = v.clone();
        v2.insert("sub", Value::Map(Map::new()));
        let err = validate_chart(&chart, &v2).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "values don't meet the specifications of the schema(s) in the following chart(s):\napp:\n"
            ),
            "{err}"
        );
        assert!(err.contains("- at '/image/tag': "), "{err}");
        assert!(err.contains("- at '/replicaCount': "), "{err}");
        assert!(err.contains("sub:\n- at '': missing property 'x'"), "{err}");
        assert!(
            err.contains("- at '/replicaCount': minimum: got 0, want 1"),
            "{err}"
        );
        assert!(
            err.contains("- at '/image/tag': got number, want string"),
            "{err}"
        );
    }

    /// Values nest up to the loader's limit (1000); a recursive schema follows them
    /// all the way down, on whatever stack the render runs on.
    #[test]
    fn recursive_schemas_validate_the_deepest_values_on_a_small_stack() {
        let mut deep = Value::Float(1.0);
        for _ in 0..1000 {
            deep = Value::list(vec![deep]);
        }
        let values = Map::new();
        values.insert("a", deep);
        let schema = r##"{"$defs": {"n": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/n"}}, {"type": "string"}]}},
            "properties": {"a": {"$ref": "#/$defs/n"}}}"##;
        let err = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || validate_single(&values, schema))
            .expect("spawn")
            .join()
            .expect("no stack overflow")
            .unwrap_err();
        assert!(err.contains("got number, want string"), "{err}");
    }
}
