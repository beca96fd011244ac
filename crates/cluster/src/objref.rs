//! Identity of a Kubernetes object as capstan tracks it across revisions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which object: apiVersion, kind, namespace (None for cluster-scoped objects, or
/// for namespaced objects whose manifest left the namespace to the release) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> Self {
        ObjectRef {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.filter(|ns| !ns.is_empty()).map(str::to_string),
            name: name.into(),
        }
    }

    /// The same ref in namespace `ns`.
    pub fn in_namespace(mut self, ns: &str) -> Self {
        self.namespace = Some(ns.to_string()).filter(|n| !n.is_empty());
        self
    }

    /// The API group: "" for the core group (`v1`), `apps` for `apps/v1`.
    pub fn group(&self) -> &str {
        split_api_version(&self.api_version).0
    }

    /// The version part of the apiVersion.
    pub fn version(&self) -> &str {
        split_api_version(&self.api_version).1
    }

    /// True when both name the same object, whatever the API version used to reach it:
    /// `apps/v1` and `apps/v1beta2` Deployments with one name are one object.
    pub fn same_object(&self, other: &ObjectRef) -> bool {
        self.group() == other.group()
            && self.kind == other.kind
            && self.namespace == other.namespace
            && self.name == other.name
    }
}

/// Splits `group/version` (or a bare core `version`) into its parts.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_namespace_and_name() {
        let r = ObjectRef::new("apps/v1", "Deployment", Some("openstack"), "keystone-api");
        assert_eq!(r.to_string(), "Deployment/openstack/keystone-api");
        let c = ObjectRef::new(
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            None,
            "reader",
        );
        assert_eq!(c.to_string(), "ClusterRole/reader");
        assert_eq!(ObjectRef::new("v1", "Pod", Some(""), "p").namespace, None);
    }

    #[test]
    fn group_and_version() {
        let r = ObjectRef::new("apps/v1", "Deployment", None, "x");
        assert_eq!((r.group(), r.version()), ("apps", "v1"));
        let core = ObjectRef::new("v1", "Service", None, "x");
        assert_eq!((core.group(), core.version()), ("", "v1"));
    }

    #[test]
    fn same_object_ignores_version() {
        let a = ObjectRef::new("autoscaling/v1", "HorizontalPodAutoscaler", Some("n"), "h");
        let b = ObjectRef::new("autoscaling/v2", "HorizontalPodAutoscaler", Some("n"), "h");
        assert!(a.same_object(&b));
        let c = ObjectRef::new("autoscaling/v2", "HorizontalPodAutoscaler", Some("m"), "h");
        assert!(!a.same_object(&c));
    }
}
