//! Write operations on the store, shared by the HTTP handlers and the controllers:
//! create, update (with status subresource and generation rules), delete with
//! garbage collection. All run under the store lock; none awaits.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::resources::ResourceType;
use crate::ssa;
use crate::store::{ObjKey, Store};
use crate::time::now_rfc3339;

/// Who writes, and whether for real.
#[derive(Clone, Debug)]
pub struct WriteCtx {
    pub manager: String,
    pub dry_run: bool,
}

impl WriteCtx {
    pub fn system(manager: &str) -> WriteCtx {
        WriteCtx {
            manager: manager.to_string(),
            dry_run: false,
        }
    }
}

const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random suffix like the ones Kubernetes appends to generated names.
pub fn random_suffix(n: usize) -> String {
    (0..n)
        .map(|_| NAME_ALPHABET[fastrand::usize(..NAME_ALPHABET.len())] as char)
        .collect()
}

/// A deterministic suffix (stable pod names across reconciles).
pub fn hashed_suffix(seed: &str, n: usize) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    (0..n)
        .map(|_| {
            // Re-mix per character so any length draws fresh bits.
            h ^= h >> 29;
            h = h.wrapping_mul(0xbf58476d1ce4e5b9);
            h ^= h >> 32;
            NAME_ALPHABET[(h % NAME_ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// A random RFC 4122 version 4 UID.
pub fn new_uid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    meta(obj).and_then(|m| m.get(field)).and_then(Value::as_str)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Kinds whose names only need to be path segments (RBAC names may contain `:`).
fn lenient_names(rt: &ResourceType) -> bool {
    rt.group == "rbac.authorization.k8s.io" || rt.crd
}

/// Creates an object. `namespace` comes from the request path ("" if cluster-scoped).
pub fn create(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    mut obj: Value,
    ctx: &WriteCtx,
    managed: ManagedOnCreate,
) -> Result<Value, ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    if obj.get("metadata").is_none_or(|m| !m.is_object()) {
        obj["metadata"] = json!({});
    }
    check_kind(rt, &mut obj)?;
    let mut name = meta_str(&obj, "name").unwrap_or_default().to_string();
    if name.is_empty() {
        if let Some(g) = meta_str(&obj, "generateName").filter(|g| !g.is_empty()) {
            name = format!("{g}{}", random_suffix(5));
        } else {
            return Err(ApiError::invalid(
                rt,
                "",
                &[(
                    "metadata.name",
                    "Required value: name or generateName is required".into(),
                )],
            ));
        }
    }
    let acceptable = valid_name(&name) || (lenient_names(rt) && !name.contains('/'));
    if !acceptable {
        return Err(ApiError::invalid(
            rt,
            &name,
            &[(
                "metadata.name",
                format!(
                    "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                ),
            )],
        ));
    }
    if rt.namespaced {
        if let Some(body_ns) = meta_str(&obj, "namespace")
            && !body_ns.is_empty()
            && body_ns != namespace
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        check_namespace(store, namespace)?;
    }
    let key = ObjKey::new(rt, namespace, &name);
    if store.get(&key).is_some() {
        return Err(ApiError::already_exists(rt, &name));
    }
    let now = now_rfc3339();
    {
        let md = obj["metadata"]
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
        md.insert("name".into(), Value::String(name.clone()));
        if rt.namespaced {
            md.insert("namespace".into(), Value::String(namespace.to_string()));
        } else {
            md.shift_remove("namespace");
        }
        md.insert("uid".into(), Value::String(new_uid()));
        md.insert("creationTimestamp".into(), Value::String(now.clone()));
        md.shift_remove("deletionTimestamp");
        md.shift_remove("resourceVersion");
        md.shift_remove("selfLink");
        if rt.generation {
            md.insert("generation".into(), json!(1));
        } else {
            md.shift_remove("generation");
        }
    }
    if rt.has_status() && rt.kind != "Pod" {
        // Like PrepareForCreate: clients cannot set status on create.
        if let Value::Object(m) = &mut obj {
            m.shift_remove("status");
        }
    }
    crate::defaults::on_create(store, rt, &mut obj);
    crate::defaults::on_write(rt, &mut obj);
    match managed {
        ManagedOnCreate::Track => {
            if let Some(md) = obj["metadata"].as_object_mut() {
                md.shift_remove("managedFields");
            }
            ssa::track_update(
                None,
                &mut obj,
                &ctx.manager,
                &rt.api_version(),
                None,
                rt.crd,
                &now,
            );
        }
        ManagedOnCreate::Keep => {}
        ManagedOnCreate::None => {
            if let Some(md) = obj["metadata"].as_object_mut() {
                md.shift_remove("managedFields");
            }
        }
    }
    if ctx.dry_run {
        return Ok(obj);
    }
    Ok(store.put(key, obj))
}

/// What to do with managedFields when creating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagedOnCreate {
    /// Record an Update entry for the writer.
    Track,
    /// The caller (server-side apply) computed them.
    Keep,
    /// Controllers' objects carry none.
    None,
}

fn check_kind(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !kind.is_empty() && kind != rt.kind {
        return Err(ApiError::bad_request(format!(
            "the kind {kind:?} of the body does not match the resource {} ({})",
            rt.qualified(),
            rt.kind
        )));
    }
    if !api_version.is_empty() {
        let (g, _) = crate::store::split_api_version(api_version);
        if g != rt.group && rt.storage().0 != g {
            return Err(ApiError::bad_request(format!(
                "the apiVersion {api_version:?} of the body does not match the group {:?}",
                rt.group
            )));
        }
    }
    obj["kind"] = Value::String(rt.kind.clone());
    obj["apiVersion"] = Value::String(rt.api_version());
    Ok(())
}

pub fn check_namespace(store: &Store, namespace: &str) -> Result<(), ApiError> {
    if namespace.is_empty() {
        return Err(ApiError::bad_request(
            "a namespace is required for a namespaced resource",
        ));
    }
    let ns_key = ObjKey {
        group: String::new(),
        plural: "namespaces".into(),
        namespace: String::new(),
        name: namespace.to_string(),
    };
    match store.get(&ns_key) {
        None => Err(ApiError::namespace_not_found(namespace)),
        Some(ns) if ns.pointer("/metadata/deletionTimestamp").is_some() => Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "unable to create new content in namespace {namespace} because it is being terminated"
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// How an update was requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    /// PUT/PATCH by a client: managedFields record an Update.
    Client,
    /// Server-side apply: managedFields already computed.
    Apply,
    /// A simulated controller: no managedFields change.
    System,
}

/// Finishes an update of `key` from `old` to `new`: keeps server-owned metadata, applies
/// status-subresource rules, bumps generation on spec changes, and writes unless no-op.
#[allow(clippy::too_many_arguments)]
pub fn update(
    store: &mut Store,
    rt: &ResourceType,
    key: &ObjKey,
    old: &Value,
    mut new: Value,
    subresource: Option<&str>,
    ctx: &WriteCtx,
    kind: UpdateKind,
) -> Result<Value, ApiError> {
    if !new.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    if new.get("metadata").is_none_or(|m| !m.is_object()) {
        new["metadata"] = json!({});
    }
    check_kind(rt, &mut new)?;
    let name = key.name.as_str();
    if let Some(n) = meta_str(&new, "name")
        && !n.is_empty()
        && n != name
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({name})"
        )));
    }
    if let Some(rv) = meta_str(&new, "resourceVersion")
        && !rv.is_empty()
        && Some(rv) != meta_str(old, "resourceVersion")
    {
        return Err(ApiError::conflict(rt, name));
    }
    // Simulated controllers write spec and status together; clients obey the subresource.
    if rt.has_status() && kind != UpdateKind::System {
        match subresource {
            Some("status") => {
                // Only status changes through /status; everything else is kept.
                let status = new.get("status").cloned();
                let managed = new.pointer("/metadata/managedFields").cloned();
                new = old.clone();
                match status {
                    Some(s) => new["status"] = s,
                    None => {
                        if let Value::Object(m) = &mut new {
                            m.shift_remove("status");
                        }
                    }
                }
                if kind == UpdateKind::Apply
                    && let Some(mf) = managed
                {
                    new["metadata"]["managedFields"] = mf;
                }
            }
            _ => {
                if let Value::Object(m) = &mut new {
                    match old.get("status") {
                        Some(s) => {
                            m.insert("status".into(), s.clone());
                        }
                        None => {
                            m.shift_remove("status");
                        }
                    }
                }
            }
        }
    }
    // Server-owned metadata is never taken from the client.
    {
        let old_md = meta(old).cloned().unwrap_or_default();
        let md = new["metadata"]
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
        for f in [
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "generation",
            "resourceVersion",
        ] {
            match old_md.get(f) {
                Some(v) => {
                    md.insert(f.into(), v.clone());
                }
                None => {
                    md.shift_remove(f);
                }
            }
        }
        md.shift_remove("selfLink");
    }
    crate::defaults::on_update(rt, old, &mut new);
    crate::defaults::on_write(rt, &mut new);
    if rt.generation && spec_changed(old, &new) {
        let g = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        new["metadata"]["generation"] = json!(g + 1);
    }
    if kind == UpdateKind::Client {
        let now = now_rfc3339();
        // Clients echo managedFields back; we compute them from the change. As on the
        // real server, a client may rewrite them (kubectl's csaupgrade moves client-side
        // fields to an Apply entry): a non-empty, well-formed list in the request replaces
        // the live one, except through a subresource.
        let base = if subresource.is_none() && managed_fields_sent(&new) {
            new.pointer("/metadata/managedFields").cloned()
        } else {
            old.pointer("/metadata/managedFields").cloned()
        };
        match base {
            Some(m) => new["metadata"]["managedFields"] = m,
            None => {
                if let Some(md) = new["metadata"].as_object_mut() {
                    md.shift_remove("managedFields");
                }
            }
        }
        ssa::track_update(
            Some(old),
            &mut new,
            &ctx.manager,
            &rt.api_version(),
            subresource,
            rt.crd,
            &now,
        );
    } else if kind == UpdateKind::System {
        match old.pointer("/metadata/managedFields").cloned() {
            Some(m) => new["metadata"]["managedFields"] = m,
            None => {
                if let Some(md) = new["metadata"].as_object_mut() {
                    md.shift_remove("managedFields");
                }
            }
        }
    }
    if new == *old {
        return Ok(old.clone());
    }
    if ctx.dry_run {
        return Ok(new);
    }
    let finalizing = new.pointer("/metadata/deletionTimestamp").is_some()
        && new
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_none_or(|f| f.is_empty());
    if finalizing {
        let gone = store.remove(key).unwrap_or(new);
        collect_dependents(store, &gone, "Background");
        return Ok(gone);
    }
    Ok(store.put(key.clone(), new))
}

/// Whether a request carries its own managedFields: a non-empty list of entries, each
/// naming its manager and operation (anything else is ignored, as the real server falls
/// back to the live list when it cannot decode the sent one).
fn managed_fields_sent(new: &Value) -> bool {
    new.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            !list.is_empty()
                && list.iter().all(|e| {
                    e.get("manager").and_then(Value::as_str).is_some()
                        && e.get("operation").and_then(Value::as_str).is_some()
                        && e.get("fieldsV1").is_none_or(Value::is_object)
                })
        })
}

/// Whether anything outside metadata and status differs.
fn spec_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => other.clone(),
        }
    };
    strip(old) != strip(new)
}

/// DeleteOptions that matter here.
#[derive(Clone, Debug, Default)]
pub struct DeleteOpts {
    pub propagation: Option<String>,
    pub dry_run: bool,
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
}

/// Deletes an object (immediately unless it has finalizers) and its dependents.
/// Returns what the real server answers: the object for pods and namespaces (and objects
/// kept by finalizers), a Success Status otherwise.
pub fn delete(
    store: &mut Store,
    rt: &ResourceType,
    key: &ObjKey,
    opts: &DeleteOpts,
) -> Result<Value, ApiError> {
    let obj = store
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(rt, &key.name))?;
    if let Some(uid) = &opts.precondition_uid
        && Some(uid.as_str()) != meta_str(&obj, "uid")
    {
        return Err(ApiError::conflict(rt, &key.name));
    }
    if let Some(rv) = &opts.precondition_rv
        && Some(rv.as_str()) != meta_str(&obj, "resourceVersion")
    {
        return Err(ApiError::conflict(rt, &key.name));
    }
    let uid = meta_str(&obj, "uid").unwrap_or_default().to_string();
    let status = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": key.name, "group": rt.group, "kind": rt.plural, "uid": uid},
    });
    let returns_object = matches!(rt.kind.as_str(), "Pod" | "Namespace");
    let has_finalizers = obj
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if opts.dry_run {
        return Ok(if returns_object || has_finalizers {
            obj
        } else {
            status
        });
    }
    if has_finalizers {
        if obj.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(obj);
        }
        let mut marked = obj.clone();
        marked["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        return Ok(store.put(key.clone(), marked));
    }
    let mut gone = store.remove(key).unwrap_or(obj);
    if rt.kind == "Namespace" {
        let ns = key.name.clone();
        let inside: Vec<ObjKey> = store
            .all()
            .filter(|(k, _)| k.namespace == ns && !k.namespace.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for k in inside {
            store.remove(&k);
        }
        gone["status"] = json!({"phase": "Terminating"});
        gone["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
    }
    if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
        let group = gone
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let plural = gone
            .pointer("/spec/names/plural")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let instances: Vec<ObjKey> = store
            .list(&group, &plural, None)
            .map(|(k, _)| k.clone())
            .collect();
        for k in instances {
            store.remove(&k);
        }
    }
    let policy = opts.propagation.as_deref().unwrap_or("Background");
    collect_dependents(store, &gone, policy);
    Ok(if returns_object { gone } else { status })
}

/// Garbage collection: deletes (or orphans) the objects owned by `owner`, transitively.
pub fn collect_dependents(store: &mut Store, owner: &Value, policy: &str) {
    let Some(uid) = meta_str(owner, "uid").map(str::to_string) else {
        return;
    };
    let mut work = vec![uid];
    // Bounded: every object is removed at most once, so the worklist is finite.
    while let Some(owner_uid) = work.pop() {
        let dependents: Vec<(ObjKey, Value)> = store
            .all()
            .filter(|(_, v)| owned_by(v, &owner_uid))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in dependents {
            if policy == "Orphan" {
                let mut o = v.clone();
                if let Some(refs) = o
                    .pointer_mut("/metadata/ownerReferences")
                    .and_then(Value::as_array_mut)
                {
                    refs.retain(|r| {
                        r.get("uid").and_then(Value::as_str) != Some(owner_uid.as_str())
                    });
                }
                store.put(k, o);
            } else if let Some(gone) = store.remove(&k)
                && let Some(u) = meta_str(&gone, "uid")
            {
                work.push(u.to_string());
            }
        }
    }
}

pub fn owned_by(obj: &Value, uid: &str) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(store: &Store, g: &str, v: &str, p: &str) -> ResourceType {
        store.find(g, v, p).unwrap().clone()
    }

    #[test]
    fn create_validates_and_fills_metadata() {
        let mut s = Store::new();
        let cm = rt(&s, "", "v1", "configmaps");
        let ctx = WriteCtx::system("test");
        let e = create(
            &mut s,
            &cm,
            "default",
            json!({"data": {}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap_err();
        assert_eq!((e.code, e.reason), (422, "Invalid"));
        let e = create(
            &mut s,
            &cm,
            "missing",
            json!({"metadata": {"name": "a"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap_err();
        assert_eq!(e.code, 404);
        let o = create(
            &mut s,
            &cm,
            "default",
            json!({"metadata": {"name": "a"}, "data": {"k": "v"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        assert_eq!(o["kind"], "ConfigMap");
        assert!(o["metadata"]["uid"].is_string());
        assert!(o["metadata"].get("generation").is_none());
        assert_eq!(o["metadata"]["managedFields"][0]["manager"], "test");
        let e = create(
            &mut s,
            &cm,
            "default",
            json!({"metadata": {"name": "a"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap_err();
        assert_eq!((e.code, e.reason), (409, "AlreadyExists"));
        let g = create(
            &mut s,
            &cm,
            "default",
            json!({"metadata": {"generateName": "x-"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        assert!(g["metadata"]["name"].as_str().unwrap().starts_with("x-"));
    }

    #[test]
    fn generation_and_status_rules() {
        let mut s = Store::new();
        let d = rt(&s, "apps", "v1", "deployments");
        let ctx = WriteCtx::system("test");
        let o = create(
            &mut s,
            &d,
            "default",
            json!({"metadata": {"name": "a"}, "spec": {"replicas": 1}, "status": {"x": 1}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        assert!(o.get("status").is_none());
        assert_eq!(o["metadata"]["generation"], 1);
        let key = ObjKey::new(&d, "default", "a");
        let mut n = o.clone();
        n["metadata"]["labels"] = json!({"a": "b"});
        let o2 = update(&mut s, &d, &key, &o, n, None, &ctx, UpdateKind::Client).unwrap();
        assert_eq!(o2["metadata"]["generation"], 1);
        let mut n = o2.clone();
        n["spec"]["replicas"] = json!(3);
        n["status"] = json!({"replicas": 9});
        let o3 = update(&mut s, &d, &key, &o2, n, None, &ctx, UpdateKind::Client).unwrap();
        assert_eq!(o3["metadata"]["generation"], 2);
        assert!(o3.get("status").is_none());
        let mut n = o3.clone();
        n["status"] = json!({"replicas": 3});
        n["spec"]["replicas"] = json!(7);
        let o4 = update(
            &mut s,
            &d,
            &key,
            &o3,
            n,
            Some("status"),
            &ctx,
            UpdateKind::Client,
        )
        .unwrap();
        assert_eq!(o4["status"]["replicas"], 3);
        assert_eq!(o4["spec"]["replicas"], 3);
        let mut stale = o3.clone();
        stale["spec"]["replicas"] = json!(1);
        let e = update(&mut s, &d, &key, &o4, stale, None, &ctx, UpdateKind::Client).unwrap_err();
        assert_eq!((e.code, e.reason), (409, "Conflict"));
    }

    #[test]
    fn clients_may_rewrite_managed_fields() {
        let mut s = Store::new();
        let cm = rt(&s, "", "v1", "configmaps");
        let ctx = WriteCtx::system("helm");
        let o = create(
            &mut s,
            &cm,
            "default",
            json!({"metadata": {"name": "a"}, "data": {"k": "v"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        let key = ObjKey::new(&cm, "default", "a");
        let fields = o["metadata"]["managedFields"][0]["fieldsV1"].clone();
        let mut n = o.clone();
        n["metadata"]["managedFields"] = json!([{"manager": "capstan", "operation": "Apply",
            "apiVersion": "v1", "time": "t", "fieldsType": "FieldsV1", "fieldsV1": fields}]);
        let o2 = update(&mut s, &cm, &key, &o, n, None, &ctx, UpdateKind::Client).unwrap();
        let managed = o2["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(managed.len(), 1);
        assert_eq!(
            (&managed[0]["manager"], &managed[0]["operation"]),
            (&json!("capstan"), &json!("Apply"))
        );
        // An empty or malformed list keeps the live one.
        for sent in [json!([]), json!([{"fieldsV1": {}}])] {
            let mut n = o2.clone();
            n["metadata"]["managedFields"] = sent;
            let o3 = update(&mut s, &cm, &key, &o2, n, None, &ctx, UpdateKind::Client).unwrap();
            assert_eq!(
                o3["metadata"]["managedFields"],
                o2["metadata"]["managedFields"]
            );
        }
    }

    #[test]
    fn delete_cascades_and_namespaces_empty() {
        let mut s = Store::new();
        let ns = rt(&s, "", "v1", "namespaces");
        let cm = rt(&s, "", "v1", "configmaps");
        let ctx = WriteCtx::system("test");
        create(
            &mut s,
            &ns,
            "",
            json!({"metadata": {"name": "t"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        let owner = create(
            &mut s,
            &cm,
            "t",
            json!({"metadata": {"name": "owner"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        let uid = owner["metadata"]["uid"].as_str().unwrap();
        create(&mut s, &cm, "t", json!({"metadata": {"name": "dep", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}}), &ctx, ManagedOnCreate::Track).unwrap();
        let st = delete(
            &mut s,
            &cm,
            &ObjKey::new(&cm, "t", "owner"),
            &DeleteOpts::default(),
        )
        .unwrap();
        assert_eq!(st["status"], "Success");
        assert!(s.get(&ObjKey::new(&cm, "t", "dep")).is_none());
        create(
            &mut s,
            &cm,
            "t",
            json!({"metadata": {"name": "x"}}),
            &ctx,
            ManagedOnCreate::Track,
        )
        .unwrap();
        let gone = delete(
            &mut s,
            &ns,
            &ObjKey::new(&ns, "", "t"),
            &DeleteOpts::default(),
        )
        .unwrap();
        assert_eq!(gone["status"]["phase"], "Terminating");
        assert_eq!(s.list("", "configmaps", Some("t")).count(), 0);
    }

    #[test]
    fn uids_look_like_uuids() {
        let u = new_uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(hashed_suffix("a", 5), hashed_suffix("a", 5));
        assert_eq!(hashed_suffix("a", 40).len(), 40);
        assert_ne!(hashed_suffix("a", 5), hashed_suffix("b", 5));
    }
}
