//! Taking over fields that client-side writers (Helm's update, `helm rollback`) own.
//!
//! Server-side apply only removes a field its manager applied before and no longer
//! applies. A field that Helm wrote with a plain update (a rollback, or Helm's own
//! client-side upgrade) is recorded under Helm's manager with operation `Update`, so
//! capstan's forced apply would leave it in place forever. As kubectl's
//! `csaupgrade.UpgradeManagedFields` does for `kubectl apply --server-side`, a forced
//! capstan apply first moves the field sets of those entries into its own `Apply` entry:
//! the apply then removes what the manifest no longer has. (An apply without force
//! leaves them alone, so a differing value still shows up as a conflict.)
//!
//! Which `Update` entries are taken over ([`takes_over`]):
//! - only top-level writes (no `subresource`: `status` and `scale` writers keep theirs);
//! - never capstan's own entries;
//! - never controllers and cluster components: managers named `kube-controller-manager`,
//!   `cloud-controller-manager`, `kube-scheduler`, `kubelet`, `kube-apiserver`,
//!   `kube-proxy`, `system:*`, or whose name contains `controller`, `operator` or
//!   `injector` (cert-manager's cainjector fills `caBundle` with updates);
//! - never kubectl's imperative commands (`kubectl-rollout`, `kubectl-annotate`,
//!   `kubectl-label`, `kubectl-edit`, ...): they record an operator's intent (a
//!   `restartedAt` annotation) that is not in any manifest. `kubectl-client-side-apply`
//!   is taken, as kubectl's own migration does;
//! - every other manager is taken: Helm names its manager after the process (`helm`,
//!   or `python` when the SDK is embedded), so a fixed list cannot name it.

use serde_json::{Map, Value, json};

/// Deepest field set accepted; field sets mirror object nesting, which the API server
/// bounds far below this.
const MAX_DEPTH: usize = 128;

/// Cluster components that write objects with updates (exact names).
const COMPONENTS: &[&str] = &[
    "kube-controller-manager",
    "cloud-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-apiserver",
    "kube-proxy",
];

/// Name parts that mark a controller.
const CONTROLLER_MARKERS: &[&str] = &["controller", "operator", "injector"];

/// kubectl's manager for client-side `kubectl apply`, the only kubectl manager taken.
const KUBECTL_CLIENT_SIDE_APPLY: &str = "kubectl-client-side-apply";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManagedFieldsError {
    #[error("managedFields nest deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Whether a `managedFields` entry's fields go to `field_manager`'s Apply entry (see the
/// module documentation for the rule).
pub fn takes_over(entry: &Value, field_manager: &str) -> bool {
    let text = |f: &str| entry.get(f).and_then(Value::as_str).unwrap_or_default();
    let manager = text("manager");
    if text("operation") != "Update" || !text("subresource").is_empty() {
        return false;
    }
    if manager.is_empty() || manager == field_manager {
        return false;
    }
    if COMPONENTS.contains(&manager) || manager.starts_with("system:") {
        return false;
    }
    let lower = manager.to_ascii_lowercase();
    if CONTROLLER_MARKERS.iter().any(|m| lower.contains(m)) {
        return false;
    }
    !(lower.starts_with("kubectl") && manager != KUBECTL_CLIENT_SIDE_APPLY)
}

/// Adds the fields of `from` (a `fieldsV1` value) to `into`: maps merge key by key,
/// `.` markers and leaves (`{}`) are kept once.
pub fn union_fields(into: &mut Value, from: &Value) -> Result<(), ManagedFieldsError> {
    union_at(into, from, 0)
}

fn union_at(into: &mut Value, from: &Value, depth: usize) -> Result<(), ManagedFieldsError> {
    if depth > MAX_DEPTH {
        return Err(ManagedFieldsError::TooDeep);
    }
    let Value::Object(from) = from else {
        return Ok(());
    };
    if !into.is_object() {
        *into = Value::Object(Map::new());
    }
    if let Value::Object(into) = into {
        for (k, v) in from {
            match into.get_mut(k) {
                Some(existing) => union_at(existing, v, depth + 1)?,
                None => {
                    // Copy through the same bound, so a deep input cannot sneak in.
                    let mut copy = Value::Object(Map::new());
                    union_at(&mut copy, v, depth + 1)?;
                    into.insert(k.clone(), copy);
                }
            }
        }
    }
    Ok(())
}

/// The `managedFields` list after moving the taken-over entries' fields into
/// `field_manager`'s Apply entry (created with `api_version` and `now` if missing), or
/// `None` when no entry is taken over.
pub fn take_over(
    managed: &[Value],
    field_manager: &str,
    api_version: &str,
    now: &str,
) -> Result<Option<Vec<Value>>, ManagedFieldsError> {
    if !managed.iter().any(|e| takes_over(e, field_manager)) {
        return Ok(None);
    }
    let is_mine = |e: &Value| {
        e.get("manager").and_then(Value::as_str) == Some(field_manager)
            && e.get("operation").and_then(Value::as_str) == Some("Apply")
            && e.get("subresource")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .is_empty()
    };
    let mut fields = managed
        .iter()
        .find(|e| is_mine(e))
        .and_then(|e| e.get("fieldsV1").cloned())
        .unwrap_or_else(|| json!({}));
    for e in managed.iter().filter(|e| takes_over(e, field_manager)) {
        if let Some(f) = e.get("fieldsV1") {
            union_fields(&mut fields, f)?;
        }
    }
    let mut out = Vec::with_capacity(managed.len());
    let mut placed = false;
    for e in managed {
        if takes_over(e, field_manager) {
            continue;
        }
        if is_mine(e) && !placed {
            let mut mine = e.clone();
            mine["fieldsType"] = json!("FieldsV1");
            mine["fieldsV1"] = fields.clone();
            out.push(mine);
            placed = true;
        } else if !is_mine(e) {
            out.push(e.clone());
        }
    }
    if !placed {
        out.push(json!({
            "manager": field_manager,
            "operation": "Apply",
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
        }));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        json!({"manager": manager, "operation": operation, "apiVersion": "apps/v1",
               "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields})
    }

    #[test]
    fn union_merges_nested_sets() {
        let mut a = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                           "f:spec": {"f:replicas": {}}});
        let b = json!({"f:metadata": {"f:labels": {".": {}, "f:tier": {}}},
                       "f:spec": {"f:template": {"f:spec": {"f:containers": {
                           "k:{\"name\":\"a\"}": {".": {}, "f:resources": {"f:limits": {}}}}}}}});
        union_fields(&mut a, &b).unwrap();
        assert_eq!(
            a,
            json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:tier": {}}},
                   "f:spec": {"f:replicas": {},
                              "f:template": {"f:spec": {"f:containers": {
                                  "k:{\"name\":\"a\"}": {".": {}, "f:resources": {"f:limits": {}}}}}}}})
        );
        // Idempotent, and a union with nothing changes nothing.
        let before = a.clone();
        union_fields(&mut a, &b).unwrap();
        union_fields(&mut a, &json!({})).unwrap();
        assert_eq!(a, before);
    }

    #[test]
    fn union_is_bounded() {
        let mut deep = json!({});
        for _ in 0..200 {
            deep = json!({ "f:x": deep });
        }
        assert_eq!(
            union_fields(&mut json!({}), &deep),
            Err(ManagedFieldsError::TooDeep)
        );
    }

    #[test]
    fn selection_rule() {
        let update = |m: &str| entry(m, "Update", json!({}));
        for taken in [
            "helm",
            "python",
            "python3",
            KUBECTL_CLIENT_SIDE_APPLY,
            "terraform",
        ] {
            assert!(takes_over(&update(taken), "capstan"), "{taken}");
        }
        for kept in [
            "capstan",
            "kube-controller-manager",
            "kube-scheduler",
            "kubelet",
            "system:serviceaccount:x",
            "argocd-application-controller",
            "prometheus-operator",
            "cert-manager-cainjector",
            "kubectl-rollout",
            "kubectl-edit",
            "",
        ] {
            assert!(!takes_over(&update(kept), "capstan"), "{kept}");
        }
        // Apply entries belong to their managers; status writers keep status.
        assert!(!takes_over(&entry("helm", "Apply", json!({})), "capstan"));
        let mut status = update("helm");
        status["subresource"] = json!("status");
        assert!(!takes_over(&status, "capstan"));
    }

    #[test]
    fn take_over_moves_fields_into_the_apply_entry() {
        let managed = vec![
            entry("capstan", "Apply", json!({"f:spec": {"f:replicas": {}}})),
            entry(
                "kube-controller-manager",
                "Update",
                json!({"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}),
            ),
            entry("python", "Update", json!({"f:spec": {"f:paused": {}}})),
            entry(
                "helm",
                "Update",
                json!({"f:spec": {"f:minReadySeconds": {}}}),
            ),
        ];
        let out = take_over(&managed, "capstan", "apps/v1", "now")
            .unwrap()
            .unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["manager"], "capstan");
        assert_eq!(out[0]["time"], "2026-01-01T00:00:00Z");
        assert_eq!(
            out[0]["fieldsV1"],
            json!({"f:spec": {"f:replicas": {}, "f:paused": {}, "f:minReadySeconds": {}}})
        );
        assert_eq!(out[1], managed[1]);
        // Nothing to take: nothing to write.
        assert_eq!(take_over(&out, "capstan", "apps/v1", "now").unwrap(), None);
    }

    #[test]
    fn take_over_creates_the_apply_entry() {
        let managed = vec![entry("helm", "Update", json!({"f:data": {"f:k": {}}}))];
        let out = take_over(&managed, "capstan", "v1", "now")
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            vec![
                json!({"manager": "capstan", "operation": "Apply", "apiVersion": "v1",
                        "time": "now", "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:data": {"f:k": {}}}})
            ]
        );
    }
}
