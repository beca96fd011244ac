//! Chart.yaml (and the v1 `requirements.yaml`) as Helm's `chart.Metadata`.
//!
//! Helm decodes these through sigs.k8s.io/yaml into Go structs: unknown keys are
//! ignored, scalars land in string fields as text (`version: 1.10` becomes "1.1"),
//! and a wrong shape is an error naming the field.

use gotmpl::{Elem, Map, MapInner, Value};
use serde_json::Value as Json;

use super::ChartError;

pub const API_VERSION_V1: &str = "v1";
pub const API_VERSION_V2: &str = "v2";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// One entry of `dependencies:` (Helm's `chart.Dependency`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// Set while processing conditions and tags; Helm serialises it.
    pub enabled: bool,
    /// Each entry is a string (`exports.X` shorthand) or a `{child, parent}` map.
    pub import_values: Vec<Json>,
    pub alias: String,
}

/// Helm's `chart.Metadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: Option<Vec<(String, String)>>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    pub chart_type: String,
}

/// Parse a YAML document into JSON (the shape sigs.k8s.io/yaml hands to Go's decoder).
pub(crate) fn yaml_to_json(data: &[u8], file: &str) -> Result<Json, ChartError> {
    let text = std::str::from_utf8(data).map_err(|_| ChartError::Parse {
        file: file.to_string(),
        message: "file is not valid UTF-8".to_string(),
    })?;
    if text.trim().is_empty() {
        return Ok(Json::Null);
    }
    // go-yaml v2 (under sigs.k8s.io/yaml) types the scalars, as the values loader
    // does: YAML 1.1 numbers (`010` is octal 8, `1_0.5` is 10.5, `.inf` a float that a
    // string field receives as "+Inf", `123456789` an integer it receives as written)
    // and an overflowing `1e400` kept as text.
    if let Ok(v) = crate::values::parse_yaml_struct_value(text) {
        return Ok(go_json(&v));
    }
    // A document go-yaml rejects: serde-saphyr words the error (the texts the chart
    // loading cases pin), reading it the same YAML 1.1 way where it does parse.
    let mut options = serde_saphyr::Options::default();
    options.legacy_octal_numbers = true;
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    serde_saphyr::from_str_with_options::<GoYaml>(text, options)
        .map(|v| v.0)
        .map_err(|e| ChartError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })
}

/// A go-yaml v2 value as sigs.k8s.io/yaml hands it to encoding/json, with non-finite
/// floats (which JSON cannot hold) as the text a string field receives.
fn go_json(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Json::from(*i),
        Value::Uint8(u) => Json::from(*u),
        Value::Uint64(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or_else(|| Json::String(go_float_string(*f))),
        Value::String(s) => Json::String(s.to_string()),
        Value::RawString(r) => Json::String(r.text().to_string()),
        Value::List(l) => Json::Array(
            l.to_vec()
                .iter()
                .map(|v| gotmpl::stack::grow(|| go_json(v)))
                .collect(),
        ),
        Value::Map(m) => Json::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (k.clone(), gotmpl::stack::grow(|| go_json(v))))
                .collect(),
        ),
        // The loader makes neither bytes nor host objects.
        Value::Bytes(_) | Value::Object(_) => v.to_json(),
    }
}

/// A YAML document as JSON, with non-finite floats (which JSON cannot hold) turned into
/// the text Go gives them in a string field.
struct GoYaml(Json);

impl<'de> serde::Deserialize<'de> for GoYaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(GoYamlVisitor).map(GoYaml)
    }
}

struct GoYamlVisitor;

impl<'de> serde::de::Visitor<'de> for GoYamlVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v)
            .map(Json::Number)
            .unwrap_or_else(|| Json::String(go_float_string(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(GoYamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(GoYaml(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some((k, GoYaml(v))) = map.next_entry::<String, GoYaml>()? {
            obj.insert(k, v);
        }
        Ok(Json::Object(obj))
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, which sigs.k8s.io/yaml uses when a YAML
/// float lands in a string field.
fn go_float_string(f: f64) -> String {
    let f32v = f as f32;
    if f32v.is_nan() {
        return "NaN".into();
    }
    if f32v.is_infinite() {
        return if f32v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f32v == 0.0 {
        return "0".into();
    }
    // Shortest digits that round-trip as f32, then Go's %g layout (exponent when
    // exp < -4 || exp >= 6 for shortest formatting).
    let sci = format!("{:e}", f32v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

fn field_err(file: &str, field: &str, message: &str) -> ChartError {
    ChartError::Field {
        file: file.to_string(),
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn as_string(v: &Json, file: &str, field: &str) -> Result<String, ChartError> {
    match v {
        Json::Null => Ok(String::new()),
        Json::String(s) => Ok(s.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i.to_string())
            } else if let Some(u) = n.as_u64() {
                Ok(u.to_string())
            } else {
                Ok(go_float_string(n.as_f64().unwrap_or(0.0)))
            }
        }
        _ => Err(field_err(file, field, "expected a string")),
    }
}

fn as_bool(v: &Json, file: &str, field: &str) -> Result<bool, ChartError> {
    match v {
        Json::Null => Ok(false),
        Json::Bool(b) => Ok(*b),
        _ => Err(field_err(file, field, "expected a boolean")),
    }
}

fn as_list<'a>(v: &'a Json, file: &str, field: &str) -> Result<&'a [Json], ChartError> {
    match v {
        Json::Null => Ok(&[]),
        Json::Array(items) => Ok(items),
        _ => Err(field_err(file, field, "expected a list")),
    }
}

fn as_string_list(v: &Json, file: &str, field: &str) -> Result<Vec<String>, ChartError> {
    as_list(v, file, field)?
        .iter()
        .map(|item| as_string(item, file, field))
        .collect()
}

impl Dependency {
    fn from_json(v: &Json, file: &str) -> Result<Dependency, ChartError> {
        let obj = v
            .as_object()
            .ok_or_else(|| field_err(file, "dependencies", "each entry must be a map"))?;
        let mut d = Dependency::default();
        for (k, val) in obj {
            let field = format!("dependencies.{k}");
            match k.as_str() {
                "name" => d.name = as_string(val, file, &field)?,
                "version" => d.version = as_string(val, file, &field)?,
                "repository" => d.repository = as_string(val, file, &field)?,
                "condition" => d.condition = as_string(val, file, &field)?,
                "tags" => d.tags = as_string_list(val, file, &field)?,
                "enabled" => d.enabled = as_bool(val, file, &field)?,
                "import-values" => d.import_values = as_list(val, file, &field)?.to_vec(),
                "alias" => d.alias = as_string(val, file, &field)?,
                _ => {}
            }
        }
        Ok(d)
    }

    /// The key this dependency is known by in values and among loaded charts.
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }

    fn to_template_value(&self) -> Value {
        let mut m = MapInner::new();
        m.insert("Alias".into(), Value::str(&self.alias));
        m.insert("Condition".into(), Value::str(&self.condition));
        m.insert("Enabled".into(), Value::Bool(self.enabled));
        m.insert(
            "ImportValues".into(),
            Value::list(
                self.import_values
                    .iter()
                    .map(|v| Value::from_json(v, false))
                    .collect(),
            ),
        );
        m.insert("Name".into(), Value::str(&self.name));
        m.insert("Repository".into(), Value::str(&self.repository));
        m.insert(
            "Tags".into(),
            Value::list(self.tags.iter().map(Value::str).collect()),
        );
        m.insert("Version".into(), Value::str(&self.version));
        Value::map(m)
    }

    pub(crate) fn to_helm_json(&self) -> Json {
        let mut m = serde_json::Map::new();
        m.insert("name".into(), Json::String(self.name.clone()));
        if !self.version.is_empty() {
            m.insert("version".into(), Json::String(self.version.clone()));
        }
        m.insert("repository".into(), Json::String(self.repository.clone()));
        if !self.condition.is_empty() {
            m.insert("condition".into(), Json::String(self.condition.clone()));
        }
        if !self.tags.is_empty() {
            m.insert("tags".into(), serde_json::json!(self.tags));
        }
        if self.enabled {
            m.insert("enabled".into(), Json::Bool(true));
        }
        if !self.import_values.is_empty() {
            m.insert(
                "import-values".into(),
                Json::Array(self.import_values.clone()),
            );
        }
        if !self.alias.is_empty() {
            m.insert("alias".into(), Json::String(self.alias.clone()));
        }
        Json::Object(m)
    }
}

impl Metadata {
    /// Overlay the keys present in a decoded Chart.yaml / requirements.yaml onto `self`
    /// (Go's `json.Unmarshal` into an existing struct keeps absent fields).
    pub(crate) fn apply(&mut self, doc: &Json, file: &str) -> Result<(), ChartError> {
        let obj = match doc {
            Json::Null => return Ok(()),
            Json::Object(obj) => obj,
            _ => return Err(field_err(file, "(root)", "expected a map")),
        };
        for (k, v) in obj {
            let f = k.as_str();
            match f {
                "name" => self.name = as_string(v, file, f)?,
                "home" => self.home = as_string(v, file, f)?,
                "sources" => self.sources = as_string_list(v, file, f)?,
                "version" => self.version = as_string(v, file, f)?,
                "description" => self.description = as_string(v, file, f)?,
                "keywords" => self.keywords = as_string_list(v, file, f)?,
                "maintainers" => {
                    let mut out = Vec::new();
                    for item in as_list(v, file, f)? {
                        let obj = item.as_object().ok_or_else(|| {
                            field_err(file, "maintainers", "each entry must be a map")
                        })?;
                        let mut m = Maintainer::default();
                        for (mk, mv) in obj {
                            let field = format!("maintainers.{mk}");
                            match mk.as_str() {
                                "name" => m.name = as_string(mv, file, &field)?,
                                "email" => m.email = as_string(mv, file, &field)?,
                                "url" => m.url = as_string(mv, file, &field)?,
                                _ => {}
                            }
                        }
                        out.push(m);
                    }
                    self.maintainers = out;
                }
                "icon" => self.icon = as_string(v, file, f)?,
                "apiVersion" => self.api_version = as_string(v, file, f)?,
                "condition" => self.condition = as_string(v, file, f)?,
                "tags" => self.tags = as_string(v, file, f)?,
                "appVersion" => self.app_version = as_string(v, file, f)?,
                "deprecated" => self.deprecated = as_bool(v, file, f)?,
                "annotations" => match v {
                    Json::Null => self.annotations = None,
                    Json::Object(o) => {
                        let mut pairs = Vec::new();
                        for (ak, av) in o {
                            pairs.push((
                                ak.clone(),
                                as_string(av, file, &format!("annotations.{ak}"))?,
                            ));
                        }
                        pairs.sort();
                        self.annotations = Some(pairs);
                    }
                    _ => return Err(field_err(file, f, "expected a map of strings")),
                },
                "kubeVersion" => self.kube_version = as_string(v, file, f)?,
                "dependencies" => {
                    self.dependencies = as_list(v, file, f)?
                        .iter()
                        .map(|d| Dependency::from_json(d, file))
                        .collect::<Result<_, _>>()?;
                }
                "type" => self.chart_type = as_string(v, file, f)?,
                _ => {}
            }
        }
        Ok(())
    }

    pub fn is_library(&self) -> bool {
        self.chart_type.eq_ignore_ascii_case("library")
    }

    /// Helm's `Metadata.Validate`, with its messages.
    pub fn validate(&mut self) -> Result<(), ChartError> {
        let v = |m: String| Err(ChartError::Validation(m));
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.version,
            &mut self.app_version,
            &mut self.kube_version,
            &mut self.condition,
            &mut self.tags,
        ] {
            sanitize(s);
        }
        if self.api_version.is_empty() {
            return v("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return v("chart.metadata.name is required".into());
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return v(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return v("chart.metadata.version is required".into());
        }
        if !crate::chart::semver::is_valid_version(&self.version) {
            return v(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !(self.chart_type.is_empty()
            || self.chart_type.eq_ignore_ascii_case("application")
            || self.chart_type.eq_ignore_ascii_case("library"))
        {
            return v("chart.metadata.type must be application or library".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut self.dependencies {
            sanitize(&mut d.name);
            if d.name.is_empty() {
                return v("dependencies must have a name".into());
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return v(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = d.effective_name().to_string();
            if !seen.insert(key.clone()) {
                return v(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// The map templates see as `.Chart` (Helm 4 hands templates a map with the Go
    /// field names, plus `IsRoot`).
    pub fn to_template_value(&self, is_root: bool) -> Value {
        let strs = |v: &[String]| Value::list(v.iter().map(Value::str).collect());
        let mut m = MapInner::new();
        m.insert("APIVersion".into(), Value::str(&self.api_version));
        // Helm copies the struct's `map[string]string` as it is: nil when Chart.yaml
        // has no `annotations` (JSON null, yet empty to `len`, `range`, `.Chart.Annotations.x`).
        m.insert(
            "Annotations".into(),
            Value::Map(match &self.annotations {
                None => Map::nil_of(Elem::String),
                Some(pairs) => Map::typed(
                    pairs
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::str(v)))
                        .collect(),
                    Elem::String,
                ),
            }),
        );
        m.insert("AppVersion".into(), Value::str(&self.app_version));
        m.insert("Condition".into(), Value::str(&self.condition));
        m.insert(
            "Dependencies".into(),
            Value::list(
                self.dependencies
                    .iter()
                    .map(Dependency::to_template_value)
                    .collect(),
            ),
        );
        m.insert("Deprecated".into(), Value::Bool(self.deprecated));
        m.insert("Description".into(), Value::str(&self.description));
        m.insert("Home".into(), Value::str(&self.home));
        m.insert("Icon".into(), Value::str(&self.icon));
        m.insert("IsRoot".into(), Value::Bool(is_root));
        m.insert("Keywords".into(), strs(&self.keywords));
        m.insert("KubeVersion".into(), Value::str(&self.kube_version));
        m.insert(
            "Maintainers".into(),
            Value::list(
                self.maintainers
                    .iter()
                    .map(|mt| {
                        let mut mm = MapInner::new();
                        mm.insert("Email".into(), Value::str(&mt.email));
                        mm.insert("Name".into(), Value::str(&mt.name));
                        mm.insert("URL".into(), Value::str(&mt.url));
                        Value::map(mm)
                    })
                    .collect(),
            ),
        );
        m.insert("Name".into(), Value::str(&self.name));
        m.insert("Sources".into(), strs(&self.sources));
        m.insert("Tags".into(), Value::str(&self.tags));
        m.insert("Type".into(), Value::str(&self.chart_type));
        m.insert("Version".into(), Value::str(&self.version));
        Value::map(m)
    }

    /// The metadata as Helm serialises it (json tags, `omitempty` honoured).
    pub fn to_helm_json(&self) -> Json {
        let mut m = serde_json::Map::new();
        let put_str = |m: &mut serde_json::Map<String, Json>, k: &str, v: &str, omit: bool| {
            if !(omit && v.is_empty()) {
                m.insert(k.into(), Json::String(v.to_string()));
            }
        };
        put_str(&mut m, "name", &self.name, false);
        put_str(&mut m, "home", &self.home, true);
        if !self.sources.is_empty() {
            m.insert("sources".into(), serde_json::json!(self.sources));
        }
        put_str(&mut m, "version", &self.version, false);
        put_str(&mut m, "description", &self.description, true);
        if !self.keywords.is_empty() {
            m.insert("keywords".into(), serde_json::json!(self.keywords));
        }
        if !self.maintainers.is_empty() {
            let list = self
                .maintainers
                .iter()
                .map(|mt| {
                    let mut o = serde_json::Map::new();
                    if !mt.name.is_empty() {
                        o.insert("name".into(), Json::String(mt.name.clone()));
                    }
                    if !mt.email.is_empty() {
                        o.insert("email".into(), Json::String(mt.email.clone()));
                    }
                    if !mt.url.is_empty() {
                        o.insert("url".into(), Json::String(mt.url.clone()));
                    }
                    Json::Object(o)
                })
                .collect();
            m.insert("maintainers".into(), Json::Array(list));
        }
        put_str(&mut m, "icon", &self.icon, true);
        put_str(&mut m, "apiVersion", &self.api_version, false);
        put_str(&mut m, "condition", &self.condition, true);
        put_str(&mut m, "tags", &self.tags, true);
        put_str(&mut m, "appVersion", &self.app_version, true);
        if self.deprecated {
            m.insert("deprecated".into(), Json::Bool(true));
        }
        if let Some(pairs) = &self.annotations
            && !pairs.is_empty()
        {
            let o: serde_json::Map<String, Json> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                .collect();
            m.insert("annotations".into(), Json::Object(o));
        }
        put_str(&mut m, "kubeVersion", &self.kube_version, true);
        if !self.dependencies.is_empty() {
            m.insert(
                "dependencies".into(),
                Json::Array(
                    self.dependencies
                        .iter()
                        .map(Dependency::to_helm_json)
                        .collect(),
                ),
            );
        }
        put_str(&mut m, "type", &self.chart_type, true);
        Json::Object(m)
    }
}

/// Helm strips control characters (other than whitespace) from metadata strings.
fn sanitize(s: &mut String) {
    if s.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        *s = s
            .chars()
            .filter(|c| !c.is_control() || c.is_whitespace())
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_land_in_string_fields_as_written() {
        // Helm 4.2.3 renders these as 123456789 and 18446744073709551615.
        let doc = yaml_to_json(
            b"apiVersion: v2\nname: n\nversion: 0.1.0\nappVersion: 123456789\n\
              annotations:\n  u: 18446744073709551615\n",
            "Chart.yaml",
        )
        .unwrap();
        let mut md = Metadata::default();
        md.apply(&doc, "Chart.yaml").unwrap();
        assert_eq!(md.app_version, "123456789");
        assert_eq!(
            md.annotations,
            Some(vec![("u".to_string(), "18446744073709551615".to_string())])
        );
    }

    #[test]
    fn yaml11_numbers_land_in_string_fields_like_go() {
        let doc = yaml_to_json(
            b"apiVersion: v2\nname: n\nversion: 010\nappVersion: .inf\nhome: -.inf\nicon: .NaN\n\
              description: \"010\"\nkeywords: [yes, 1.10, 0x1F]\n",
            "Chart.yaml",
        )
        .unwrap();
        let mut md = Metadata::default();
        md.apply(&doc, "Chart.yaml").unwrap();
        assert_eq!(md.version, "8");
        assert_eq!(md.app_version, "+Inf");
        assert_eq!(md.home, "-Inf");
        assert_eq!(md.icon, "NaN");
        assert_eq!(md.description, "010");
        assert_eq!(md.keywords, vec!["true", "1.1", "31"]);
    }

    #[test]
    fn go_yaml_v2_floats_in_string_fields() {
        let m = parse(
            "apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: 1_0.5\nhome: 1e400\n\
                       icon: 1_0e1_0\ndescription: -1e400\nkeywords: [\"1_0.5\"]\n",
        )
        .unwrap();
        assert_eq!(m.app_version, "10.5");
        assert_eq!(m.home, "1e400");
        assert_eq!(m.icon, "1e+11");
        assert_eq!(m.description, "-1e400");
        assert_eq!(m.keywords, vec!["1_0.5"]);
    }

    fn parse(yaml: &str) -> Result<Metadata, ChartError> {
        let mut m = Metadata::default();
        m.apply(&yaml_to_json(yaml.as_bytes(), "Chart.yaml")?, "Chart.yaml")?;
        Ok(m)
    }

    #[test]
    fn scalars_become_strings_like_sigs_yaml() {
        let m = parse("apiVersion: v2\nname: x\nversion: 1.10\nappVersion: 2\n").unwrap();
        assert_eq!(m.version, "1.1");
        assert_eq!(m.app_version, "2");
        assert_eq!(go_float_string(1e6), "1e+06");
        assert_eq!(go_float_string(0.5), "0.5");
        assert_eq!(go_float_string(123456.0), "123456");
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        let err = parse("name: x\nmaintainers: nope\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot load Chart.yaml: field maintainers: expected a list"
        );
    }

    #[test]
    fn validation_messages_match_helm() {
        let mut m = parse("name: x\nversion: 1.0.0\n").unwrap();
        assert_eq!(
            m.validate().unwrap_err().to_string(),
            "validation: chart.metadata.apiVersion is required"
        );
        let mut m = parse("apiVersion: v2\nname: x\nversion: banana\n").unwrap();
        assert_eq!(
            m.validate().unwrap_err().to_string(),
            "validation: chart.metadata.version \"banana\" is invalid"
        );
        let mut m = parse(
            "apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: a\n- name: b\n  alias: a\n",
        )
        .unwrap();
        assert_eq!(
            m.validate().unwrap_err().to_string(),
            "validation: more than one dependency with name or alias \"a\""
        );
        let mut m = parse("apiVersion: v2\nname: x\nversion: 1.0.0\ntype: plugin\n").unwrap();
        assert!(m.validate().is_err());
    }

    #[test]
    fn template_view_uses_go_field_names() {
        let m = parse("apiVersion: v2\nname: x\nversion: 1.0.0\n").unwrap();
        let v = m.to_template_value(true);
        let map = v.as_map().unwrap();
        assert_eq!(map.get("Name"), Some(Value::str("x")));
        assert_eq!(map.get("IsRoot"), Some(Value::Bool(true)));
        // Go's nil map[string]string: JSON null, yet a map to templates.
        let ann = map.get("Annotations").unwrap();
        assert!(matches!(&ann, Value::Map(a) if a.is_nil_map() && a.elem() == Elem::String));
        assert_eq!(ann.type_name(), "map[string]string");
    }
}
