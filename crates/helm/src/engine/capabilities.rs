//! `.Capabilities`: the Kubernetes version, the API versions on offer and Helm's own
//! build info, as Helm's `common.Capabilities` struct shows them to templates.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use gotmpl::{MapInner, Object, Value};

use super::default_apis::DEFAULT_API_VERSIONS;

/// Helm 4.2.3's `DefaultCapabilities.KubeVersion` (from its client-go).
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// Helm's `BuildInfo` as the reference Helm (the SDK build) reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct HelmVersion {
    pub version: String,
    pub git_commit: String,
    pub git_tree_state: String,
    pub go_version: String,
    pub kube_client_version: String,
}

impl Default for HelmVersion {
    fn default() -> Self {
        HelmVersion {
            version: "v4.2".into(),
            git_commit: String::new(),
            git_tree_state: String::new(),
            go_version: "go1.26.6".into(),
            kube_client_version: "v1.36".into(),
        }
    }
}

/// Parsed `vMAJOR.MINOR.PATCH` (Helm's `ParseKubeVersion` accepts a missing `v`).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeVersion {
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim();
        let body = t.strip_prefix('v').unwrap_or(t);
        let core = body.split(['-', '+']).next().unwrap_or(body);
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty()
            || parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("invalid kube version {s:?}"));
        }
        let num = |i: usize| {
            parts
                .get(i)
                .map(|p| p.trim_start_matches('0'))
                .map(|p| if p.is_empty() { "0" } else { p })
                .unwrap_or("0")
                .to_string()
        };
        let (major, minor, patch) = (num(0), num(1), num(2));
        let suffix = &body[core.len()..];
        Ok(KubeVersion {
            version: format!("v{major}.{minor}.{patch}{suffix}"),
            major,
            minor,
        })
    }
}

/// A struct's plain-data view (`Object::to_value`) from its JSON fields.
fn fields_map(fields: Vec<(String, Value)>) -> Value {
    let mut m = MapInner::new();
    for (k, v) in fields {
        m.insert(k, v);
    }
    Value::map(m)
}

struct KubeVersionObj(KubeVersion);

impl Object for KubeVersionObj {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::str(&self.0.version)),
            "Major" => Some(Value::str(&self.0.major)),
            "Minor" => Some(Value::str(&self.0.minor)),
            _ => None,
        }
    }
    // `{{ .Capabilities.KubeVersion }}` uses the pointer-receiver `String` method;
    // passed to a function (`print`, `quote`) it prints as a struct.
    fn action_display(&self) -> String {
        self.0.version.clone()
    }
    fn display(&self) -> String {
        kube_version_struct(&self.0)
    }
    fn to_value(&self) -> Option<Value> {
        Some(fields_map(self.json_fields()?))
    }
    // The struct has no json tags: Go field names in declaration order.
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        self.go_fields()
    }
    fn go_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("Version".into(), Value::str(&self.0.version)),
            ("Major".into(), Value::str(&self.0.major)),
            ("Minor".into(), Value::str(&self.0.minor)),
        ])
    }
}

/// Go's `%v` of a `KubeVersion` value (not a pointer, so its `String` method is not
/// used): Helm 4.2.3 prints the version twice, then major and minor
/// (`{v1.36.0 v1.36.0 1 36}`).
fn kube_version_struct(k: &KubeVersion) -> String {
    format!("{{{} {} {} {}}}", k.version, k.version, k.major, k.minor)
}

/// `.Capabilities.APIVersions` (Go `VersionSet`, a `[]string` with `Has`).
struct ApiVersions(Vec<String>, BTreeSet<String>);

impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method_params(&self, name: &str) -> Option<&'static [gotmpl::func::Param]> {
        (name == "Has").then_some(&[gotmpl::func::Param::String])
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(s)] => Ok(Value::Bool(self.1.contains(&**s))),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        })
    }
    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::list(self.0.iter().map(Value::str).collect()))
    }
    // VersionSet is a `[]string`, so templates may range over it.
    fn collection(&self) -> Option<Value> {
        self.to_value()
    }
}

fn helm_version_value(h: &HelmVersion) -> Value {
    // Templates reach the Go field names; toJson sees the json tags. A map cannot be
    // both, so expose an object.
    struct Obj(HelmVersion);
    impl Object for Obj {
        fn type_name(&self) -> &str {
            "version.BuildInfo"
        }
        fn field(&self, name: &str) -> Option<Value> {
            let h = &self.0;
            Some(Value::str(match name {
                "Version" => &h.version,
                "GitCommit" => &h.git_commit,
                "GitTreeState" => &h.git_tree_state,
                "GoVersion" => &h.go_version,
                "KubeClientVersion" => &h.kube_client_version,
                _ => return None,
            }))
        }
        fn display(&self) -> String {
            let h = &self.0;
            format!(
                "{{{} {} {} {} {}}}",
                h.version, h.git_commit, h.git_tree_state, h.go_version, h.kube_client_version
            )
        }
        fn to_value(&self) -> Option<Value> {
            Some(fields_map(self.json_fields()?))
        }
        // json tags, declaration order; the git fields are `omitempty`.
        fn json_fields(&self) -> Option<Vec<(String, Value)>> {
            let h = &self.0;
            let mut f = vec![("version".to_string(), Value::str(&h.version))];
            if !h.git_commit.is_empty() {
                f.push(("git_commit".into(), Value::str(&h.git_commit)));
            }
            if !h.git_tree_state.is_empty() {
                f.push(("git_tree_state".into(), Value::str(&h.git_tree_state)));
            }
            f.push(("go_version".into(), Value::str(&h.go_version)));
            f.push((
                "kube_client_version".into(),
                Value::str(&h.kube_client_version),
            ));
            Some(f)
        }
        fn go_fields(&self) -> Option<Vec<(String, Value)>> {
            let h = &self.0;
            Some(
                [
                    ("Version", &h.version),
                    ("GitCommit", &h.git_commit),
                    ("GitTreeState", &h.git_tree_state),
                    ("GoVersion", &h.go_version),
                    ("KubeClientVersion", &h.kube_client_version),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), Value::str(v)))
                .collect(),
            )
        }
    }
    Value::Object(Arc::new(Obj(h.clone())))
}

/// Everything `.Capabilities` offers.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    /// The base set (Helm's default, or the cluster's discovery) plus any extra ones
    /// (`--api-versions`).
    pub api_versions: Vec<String>,
    pub helm_version: HelmVersion,
}

impl Capabilities {
    pub fn new(
        kube_version: KubeVersion,
        extra_apis: &[String],
        helm_version: HelmVersion,
    ) -> Self {
        let mut api_versions: Vec<String> =
            DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        api_versions.extend(extra_apis.iter().cloned());
        Capabilities {
            kube_version,
            api_versions,
            helm_version,
        }
    }

    /// Capabilities of a connected cluster: its discovery set replaces the default set.
    pub fn with_base(
        kube_version: KubeVersion,
        base: &[String],
        extra_apis: &[String],
        helm_version: HelmVersion,
    ) -> Self {
        let mut api_versions = base.to_vec();
        api_versions.extend(extra_apis.iter().cloned());
        Capabilities {
            kube_version,
            api_versions,
            helm_version,
        }
    }

    /// `.Capabilities` for these inputs, built once per process and shared: the value
    /// is immutable (objects only), and building it (hundreds of API versions, a set
    /// of them for `Has`) costs more than a small chart's render.
    /// `cluster_apis` is a connected cluster's discovery set, which replaces Helm's
    /// default set (`None` offline).
    pub fn shared_template_value(
        kube_version: &KubeVersion,
        cluster_apis: Option<&[String]>,
        extra_apis: &[String],
        helm_version: &HelmVersion,
    ) -> Value {
        type Entry = (
            KubeVersion,
            Option<Vec<String>>,
            Vec<String>,
            HelmVersion,
            Value,
        );
        static CACHE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
        // Renders of one process almost always share one entry; a few more cover
        // clusters of different versions in one stack.
        const CAPACITY: usize = 8;
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = cache.iter().find(|e| {
            e.0 == *kube_version
                && e.1.as_deref() == cluster_apis
                && e.2 == extra_apis
                && e.3 == *helm_version
        }) {
            return e.4.clone();
        }
        let caps = match cluster_apis {
            Some(base) => Capabilities::with_base(
                kube_version.clone(),
                base,
                extra_apis,
                helm_version.clone(),
            ),
            None => Capabilities::new(kube_version.clone(), extra_apis, helm_version.clone()),
        };
        let value = caps.to_template_value();
        if cache.len() >= CAPACITY {
            cache.remove(0);
        }
        cache.push((
            kube_version.clone(),
            cluster_apis.map(<[String]>::to_vec),
            extra_apis.to_vec(),
            helm_version.clone(),
            value.clone(),
        ));
        value
    }

    pub fn to_template_value(&self) -> Value {
        let set: BTreeSet<String> = self.api_versions.iter().cloned().collect();
        let api = Value::Object(Arc::new(ApiVersions(self.api_versions.clone(), set)));
        let kube = Value::Object(Arc::new(KubeVersionObj(self.kube_version.clone())));
        let helm = helm_version_value(&self.helm_version);
        struct Caps {
            api: Value,
            kube: Value,
            helm: Value,
            kube_struct: String,
        }
        impl Object for Caps {
            // Helm hands templates a `*common.Capabilities`.
            fn type_name(&self) -> &str {
                "*common.Capabilities"
            }
            fn kind_name(&self) -> &'static str {
                "ptr"
            }
            // Go prints the `*Capabilities` pointer as `&{...}` with each field in
            // fmt's struct form; charts (bitnami's `supportsHelmVersion`) regex-match
            // `.Capabilities | toString`.
            fn display(&self) -> String {
                let show = |v: &Value| match v {
                    Value::Object(o) => o.display(),
                    _ => String::new(),
                };
                format!(
                    "&{{{} {} {}}}",
                    self.kube_struct,
                    show(&self.api),
                    show(&self.helm)
                )
            }
            fn field(&self, name: &str) -> Option<Value> {
                match name {
                    "APIVersions" => Some(self.api.clone()),
                    "KubeVersion" => Some(self.kube.clone()),
                    "HelmVersion" => Some(self.helm.clone()),
                    _ => None,
                }
            }
            fn to_value(&self) -> Option<Value> {
                let view = |v: &Value| match v {
                    Value::Object(o) => o.to_value().unwrap_or(Value::Nil),
                    other => other.clone(),
                };
                let mut m = MapInner::new();
                m.insert("APIVersions".into(), view(&self.api));
                m.insert("KubeVersion".into(), view(&self.kube));
                m.insert("HelmVersion".into(), view(&self.helm));
                Some(Value::map(m))
            }
            // No json tags: Go field names in declaration order.
            fn json_fields(&self) -> Option<Vec<(String, Value)>> {
                self.go_fields()
            }
            fn go_fields(&self) -> Option<Vec<(String, Value)>> {
                Some(vec![
                    ("KubeVersion".into(), self.kube.clone()),
                    ("APIVersions".into(), self.api.clone()),
                    ("HelmVersion".into(), self.helm.clone()),
                ])
            }
        }
        let kube_struct = kube_version_struct(&self.kube_version);
        Value::Object(Arc::new(Caps {
            api,
            kube,
            helm,
            kube_struct,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kube_versions_like_helm() {
        let k = KubeVersion::parse("1.29").unwrap();
        assert_eq!(k.version, "v1.29.0");
        assert_eq!(k.major, "1");
        assert_eq!(k.minor, "29");
        assert!(KubeVersion::parse("banana").is_err());
    }

    #[test]
    fn structs_print_like_go_encoders() {
        let caps = Capabilities::new(
            KubeVersion::parse("1.29").unwrap(),
            &["example.com/v1".to_string()],
            HelmVersion::default(),
        );
        let Value::Object(o) = caps.to_template_value() else {
            panic!()
        };
        let kube = o.field("KubeVersion").unwrap();
        assert_eq!(
            crate::values::to_json(&kube).unwrap(),
            r#"{"Version":"v1.29.0","Major":"1","Minor":"29"}"#
        );
        assert_eq!(
            crate::values::to_yaml(&kube).unwrap(),
            "Major: \"1\"\nMinor: \"29\"\nVersion: v1.29.0"
        );
        assert_eq!(
            crate::values::to_yaml_pretty(&kube).unwrap(),
            "version: v1.29.0\nmajor: \"1\"\nminor: \"29\""
        );
        let json = crate::values::to_json(&Value::Object(o)).unwrap();
        assert!(json.starts_with(r#"{"KubeVersion":{"Version""#), "{json}");
        assert!(json.contains(r#"],"HelmVersion":{"version""#), "{json}");
    }

    #[test]
    fn api_versions_has() {
        let caps = Capabilities::new(
            KubeVersion::parse(DEFAULT_KUBE_VERSION).unwrap(),
            &["example.com/v1".to_string()],
            HelmVersion::default(),
        );
        let Value::Object(o) = caps.to_template_value() else {
            panic!()
        };
        let Some(Value::Object(api)) = o.field("APIVersions") else {
            panic!()
        };
        let has = |s: &str| api.call_method("Has", &[Value::str(s)]).unwrap().unwrap();
        assert_eq!(has("apps/v1"), Value::Bool(true));
        assert_eq!(has("example.com/v1"), Value::Bool(true));
        assert_eq!(has("nope/v9"), Value::Bool(false));
    }

    #[test]
    fn capabilities_print_like_a_go_struct_pointer() {
        let caps = Capabilities::new(
            KubeVersion::parse("1.29").unwrap(),
            &[],
            HelmVersion::default(),
        );
        let Value::Object(o) = caps.to_template_value() else {
            panic!()
        };
        let shown = o.display();
        assert!(
            shown.starts_with("&{{v1.29.0 v1.29.0 1 29} [v1 "),
            "{shown}"
        );
        assert!(shown.ends_with(" {v4.2   go1.26.6 v1.36}}"), "{shown}");
        let Some(Value::Object(kube)) = o.field("KubeVersion") else {
            panic!()
        };
        assert_eq!(kube.action_display(), "v1.29.0");
        assert_eq!(kube.display(), "{v1.29.0 v1.29.0 1 29}");
    }
}
