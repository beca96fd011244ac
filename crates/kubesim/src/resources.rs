//! The resource types served: built-in kinds plus those defined by CRDs.

use serde_json::Value;

/// One served resource (a group/version/plural).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Subresources served: `status`, `scale`, `log`.
    pub subresources: Vec<String>,
    /// Whether `metadata.generation` is maintained.
    pub generation: bool,
    /// Defined by a CRD (lists are atomic for apply; printer columns from the CRD).
    pub crd: bool,
    /// CRD additionalPrinterColumns: (name, type, jsonPath).
    pub printer_columns: Vec<(String, String, String)>,
}

impl ResourceType {
    /// Create-only review kinds (access reviews): answered, never stored.
    pub fn is_review(&self) -> bool {
        self.group == "authorization.k8s.io"
    }

    /// Verbs served (as listed in discovery).
    pub fn verbs(&self) -> &'static [&'static str] {
        if self.is_review() {
            &["create"]
        } else {
            &[
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps` or `pods`: the name used in error messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn has_status(&self) -> bool {
        self.subresources.iter().any(|s| s == "status")
    }

    /// Storage identity: objects are shared across versions of one group/resource.
    /// `events.k8s.io` events share the core event storage.
    pub fn storage(&self) -> (&str, &str) {
        if self.group == "events.k8s.io" && self.plural == "events" {
            ("", "events")
        } else {
            (&self.group, &self.plural)
        }
    }

    /// Whether a rule kind word (`deployment`, `deployments`, `deploy`, glob) names this type.
    pub fn matches_kind_glob(&self, pat: &str) -> bool {
        let kind = self.kind.to_ascii_lowercase();
        crate::config::glob_match(pat, &kind)
            || crate::config::glob_match(pat, &self.plural)
            || self
                .short_names
                .iter()
                .any(|s| crate::config::glob_match(pat, s))
    }
}

type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

const ST: &[&str] = &["status"];
const ST_SCALE: &[&str] = &["status", "scale"];

// (group, version, plural, kind, namespaced, shortNames, subresources)
#[rustfmt::skip]
const BUILTINS: &[Builtin] = &[
    ("", "v1", "namespaces", "Namespace", false, &["ns"], ST),
    ("", "v1", "configmaps", "ConfigMap", true, &["cm"], &[]),
    ("", "v1", "secrets", "Secret", true, &[], &[]),
    ("", "v1", "services", "Service", true, &["svc"], ST),
    ("", "v1", "serviceaccounts", "ServiceAccount", true, &["sa"], &[]),
    ("", "v1", "pods", "Pod", true, &["po"], &["status", "log"]),
    ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, &["pvc"], ST),
    ("", "v1", "persistentvolumes", "PersistentVolume", false, &["pv"], ST),
    ("", "v1", "events", "Event", true, &["ev"], &[]),
    ("", "v1", "endpoints", "Endpoints", true, &["ep"], &[]),
    ("", "v1", "nodes", "Node", false, &["no"], ST),
    ("", "v1", "limitranges", "LimitRange", true, &["limits"], &[]),
    ("", "v1", "resourcequotas", "ResourceQuota", true, &["quota"], ST),
    ("events.k8s.io", "v1", "events", "Event", true, &["ev"], &[]),
    ("apps", "v1", "deployments", "Deployment", true, &["deploy"], ST_SCALE),
    ("apps", "v1", "statefulsets", "StatefulSet", true, &["sts"], ST_SCALE),
    ("apps", "v1", "daemonsets", "DaemonSet", true, &["ds"], ST),
    ("apps", "v1", "replicasets", "ReplicaSet", true, &["rs"], ST_SCALE),
    ("apps", "v1", "controllerrevisions", "ControllerRevision", true, &[], &[]),
    ("batch", "v1", "jobs", "Job", true, &[], ST),
    ("batch", "v1", "cronjobs", "CronJob", true, &["cj"], ST),
    ("networking.k8s.io", "v1", "ingresses", "Ingress", true, &["ing"], ST),
    ("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, &[], &[]),
    ("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, &["netpol"], &[]),
    ("rbac.authorization.k8s.io", "v1", "roles", "Role", true, &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, &[], &[]),
    ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, &["pdb"], ST),
    ("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, &["hpa"], ST),
    ("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, &["hpa"], ST),
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, &["crd", "crds"], ST),
    ("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, &["sc"], &[]),
    ("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, &["pc"], &[]),
    ("coordination.k8s.io", "v1", "leases", "Lease", true, &[], &[]),
    ("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, &[], &[]),
    ("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, &[], &[]),
    ("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, &[], &[]),
    ("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, &[], &[]),
    ("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, &[], &[]),
];

/// Kinds whose objects carry `metadata.generation` (bumped on spec changes).
const GENERATION_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "CustomResourceDefinition",
];

fn categories_for(kind: &str) -> Vec<String> {
    match kind {
        "Pod"
        | "Service"
        | "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "CronJob"
        | "HorizontalPodAutoscaler" => vec!["all".to_string()],
        _ => Vec::new(),
    }
}

/// The built-in resource types.
pub fn builtin_types() -> Vec<ResourceType> {
    BUILTINS
        .iter()
        .map(
            |(group, version, plural, kind, namespaced, short, sub)| ResourceType {
                group: group.to_string(),
                version: version.to_string(),
                plural: plural.to_string(),
                singular: kind.to_ascii_lowercase(),
                kind: kind.to_string(),
                namespaced: *namespaced,
                short_names: short.iter().map(|s| s.to_string()).collect(),
                categories: categories_for(kind),
                subresources: sub.iter().map(|s| s.to_string()).collect(),
                generation: GENERATION_KINDS.contains(kind),
                crd: false,
                printer_columns: Vec::new(),
            },
        )
        .collect()
}

/// The resource types a CRD object defines (one per served version).
pub fn types_from_crd(crd: &Value) -> Vec<ResourceType> {
    let spec = match crd.get("spec") {
        Some(s) => s,
        None => return Vec::new(),
    };
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let group = s(spec.get("group"));
    let names = spec.get("names");
    let plural = s(names.and_then(|n| n.get("plural")));
    let kind = s(names.and_then(|n| n.get("kind")));
    if group.is_empty() || plural.is_empty() || kind.is_empty() {
        return Vec::new();
    }
    let mut singular = s(names.and_then(|n| n.get("singular")));
    if singular.is_empty() {
        singular = kind.to_ascii_lowercase();
    }
    let strs = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let short_names = strs(names.and_then(|n| n.get("shortNames")));
    let categories = strs(names.and_then(|n| n.get("categories")));
    let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(true))
        .filter_map(|v| {
            let version = v.get("name")?.as_str()?.to_string();
            let mut subresources = Vec::new();
            if let Some(sub) = v.get("subresources") {
                if sub.get("status").is_some() {
                    subresources.push("status".to_string());
                }
                if sub.get("scale").is_some() {
                    subresources.push("scale".to_string());
                }
            }
            let printer_columns = v
                .get("additionalPrinterColumns")
                .and_then(Value::as_array)
                .map(|cols| {
                    cols.iter()
                        .filter_map(|c| {
                            Some((
                                c.get("name")?.as_str()?.to_string(),
                                c.get("type")
                                    .and_then(Value::as_str)
                                    .unwrap_or("string")
                                    .to_string(),
                                c.get("jsonPath")?.as_str()?.to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(ResourceType {
                group: group.clone(),
                version,
                plural: plural.clone(),
                singular: singular.clone(),
                kind: kind.clone(),
                namespaced,
                short_names: short_names.clone(),
                categories: categories.clone(),
                subresources,
                generation: true,
                crd: true,
                printer_columns,
            })
        })
        .collect()
}

/// Preferred version of a group: the first listed (builtins list preferred first).
pub fn group_versions(types: &[ResourceType], group: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in types.iter().filter(|t| t.group == group) {
        if !out.contains(&t.version) {
            out.push(t.version.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtins_have_expected_shape() {
        let t = builtin_types();
        let d = t.iter().find(|t| t.kind == "Deployment").unwrap();
        assert_eq!(d.api_version(), "apps/v1");
        assert!(d.generation && d.has_status() && d.namespaced);
        assert!(d.matches_kind_glob("deploy") && d.matches_kind_glob("deployment"));
        let cm = t.iter().find(|t| t.kind == "ConfigMap").unwrap();
        assert!(!cm.generation);
        let ns = t.iter().find(|t| t.kind == "Namespace").unwrap();
        assert!(!ns.namespaced);
    }

    #[test]
    fn crd_types() {
        let crd = json!({"spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "subresources": {"status": {}}},
                         {"name": "v0", "served": false}]}});
        let t = types_from_crd(&crd);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].singular, "widget");
        assert!(t[0].has_status() && t[0].crd);
    }
}
