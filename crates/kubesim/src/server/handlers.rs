//! CRUD handlers: list, get, create, update, patch (apply, merge, strategic, JSON patch),
//! delete, deletecollection, and the status/scale/log subresources.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::{Req, Target, json_response, table, text_response};
use crate::error::ApiError;
use crate::ops::{self, DeleteOpts, ManagedOnCreate, UpdateKind, WriteCtx};
use crate::patch;
use crate::present::{present, to_storage};
use crate::selector::{FieldSelector, LabelSelector};
use crate::ssa;
use crate::state::Shared;
use crate::store::ObjKey;
use crate::time::now_rfc3339;

fn ctx(r: &Req) -> WriteCtx {
    WriteCtx {
        manager: r.manager(),
        dry_run: r.dry_run(),
    }
}

fn key(t: &Target) -> ObjKey {
    ObjKey::new(
        &t.rt,
        t.namespace.as_deref().unwrap_or_default(),
        t.name.as_deref().unwrap_or_default(),
    )
}

/// Parses a JSON or YAML body into a value.
pub fn parse_body(r: &Req) -> Result<Value, ApiError> {
    let ct = r.header("content-type").to_ascii_lowercase();
    if ct.contains("protobuf") {
        return crate::proto::decode(&r.body)
            .map_err(|e| ApiError::new(415, "UnsupportedMediaType", e));
    }
    let text = std::str::from_utf8(&r.body)
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8"))?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    let trimmed = text.trim_start();
    let v: Value = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    } else if ct.contains("yaml") {
        serde_saphyr::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("invalid YAML body: {e}")))?
    } else {
        return Err(ApiError::bad_request("the request body is not JSON"));
    };
    if patch::depth(&v) > patch::MAX_DEPTH {
        return Err(ApiError::bad_request("the request body nests too deeply"));
    }
    Ok(v)
}

fn selectors(r: &Req) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let ls = LabelSelector::parse(r.q("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
    let fs = FieldSelector::parse(r.q("fieldSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("invalid field selector: {e}")))?;
    Ok((ls, fs))
}

pub fn list(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let (ls, fs) = selectors(r)?;
    let (items, rv) = {
        let store = sh.lock();
        let (g, p) = t.rt.storage();
        let items: Vec<Value> = store
            .list(g, p, t.namespace.as_deref())
            .map(|(_, v)| present(&t.rt, v))
            .filter(|v| ls.matches(v) && fs.matches(v))
            .collect();
        (items, store.resource_version())
    };
    if table::wants_table(r) {
        return Ok(json_response(
            200,
            &table::table(&t.rt, &items, rv, r, true),
        ));
    }
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", t.rt.kind),
            "apiVersion": t.rt.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": items,
        }),
    ))
}

pub fn get(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let obj = {
        let store = sh.lock();
        store.get(&key(t)).map(|v| present(&t.rt, v))
    }
    .ok_or_else(|| ApiError::not_found(&t.rt, t.name.as_deref().unwrap_or_default()))?;
    match t.sub.as_deref() {
        Some("scale") => return Ok(json_response(200, &to_scale(&obj))),
        Some("log") => return Ok(text_response(200, &pod_log(&obj, r.q("container")))),
        _ => {}
    }
    if table::wants_table(r) {
        let rv = sh.lock().resource_version();
        return Ok(json_response(
            200,
            &table::table(&t.rt, &[obj], rv, r, true),
        ));
    }
    Ok(json_response(200, &obj))
}

pub fn create(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    if t.rt.is_review() {
        // The simulator has no authorization: every access review is allowed, whatever
        // it asks (so an undecodable protobuf review still gets its answer).
        let mut out = parse_body(r).unwrap_or_else(|_| json!({}));
        out["apiVersion"] = json!(t.rt.api_version());
        out["kind"] = json!(t.rt.kind);
        out["status"] = if t.rt.kind == "SelfSubjectRulesReview" {
            json!({"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                   "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": false})
        } else {
            json!({"allowed": true, "reason": "kubesim allows everything"})
        };
        return Ok(json_response(201, &out));
    }
    let body = to_storage(&t.rt, parse_body(r)?);
    let created = {
        let mut store = sh.lock();
        ops::create(
            &mut store,
            &t.rt,
            t.namespace.as_deref().unwrap_or_default(),
            body,
            &ctx(r),
            ManagedOnCreate::Track,
        )?
    };
    Ok(json_response(201, &present(&t.rt, &created)))
}

pub fn update(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let body = to_storage(&t.rt, parse_body(r)?);
    let k = key(t);
    let mut store = sh.lock();
    let old = store
        .get(&k)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&t.rt, &k.name))?;
    let new = match t.sub.as_deref() {
        Some("scale") => from_scale(&old, &body)?,
        Some("finalize") => {
            let mut n = old.clone();
            n["spec"] = body.get("spec").cloned().unwrap_or(json!({}));
            n
        }
        _ => body,
    };
    let sub = t.sub.as_deref().filter(|s| *s == "status");
    let out = ops::update(
        &mut store,
        &t.rt,
        &k,
        &old,
        new,
        sub,
        &ctx(r),
        UpdateKind::Client,
    )?;
    Ok(json_response(200, &respond_as(t, &out)))
}

/// The response body for a write: the Scale for `/scale`, else the object.
fn respond_as(t: &Target, obj: &Value) -> Value {
    let shown = present(&t.rt, obj);
    if t.sub.as_deref() == Some("scale") {
        to_scale(&shown)
    } else {
        shown
    }
}

pub fn patch(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let ct = r.header("content-type").to_ascii_lowercase();
    let ct = ct.split(';').next().unwrap_or_default().trim().to_string();
    let body = parse_body(r)?;
    let k = key(t);
    if ct == "application/apply-patch+yaml" {
        return apply(sh, r, t, &k, to_storage(&t.rt, body));
    }
    let mut store = sh.lock();
    let old = store
        .get(&k)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&t.rt, &k.name))?;
    // Patches apply to what the client sees (the presented form, or the Scale).
    let mut target = if t.sub.as_deref() == Some("scale") {
        to_scale(&present(&t.rt, &old))
    } else {
        present(&t.rt, &old)
    };
    match ct.as_str() {
        "application/merge-patch+json" => patch::merge_patch(&mut target, &body),
        "application/strategic-merge-patch+json" => {
            if t.rt.crd {
                return Err(ApiError::unsupported_media(&ct));
            }
            patch::strategic_merge_patch(&mut target, &body).map_err(ApiError::bad_request)?;
        }
        "application/json-patch+json" => {
            patch::json_patch(&mut target, &body).map_err(|e| ApiError::new(422, "Invalid", e))?
        }
        other => return Err(ApiError::unsupported_media(other)),
    }
    let new = if t.sub.as_deref() == Some("scale") {
        from_scale(&old, &target)?
    } else {
        to_storage(&t.rt, target)
    };
    let sub = t.sub.as_deref().filter(|s| *s == "status");
    let out = ops::update(
        &mut store,
        &t.rt,
        &k,
        &old,
        new,
        sub,
        &ctx(r),
        UpdateKind::Client,
    )?;
    Ok(json_response(200, &respond_as(t, &out)))
}

fn apply(
    sh: &Arc<Shared>,
    r: &Req,
    t: &Target,
    k: &ObjKey,
    mut applied: Value,
) -> Result<Response, ApiError> {
    if !applied.is_object() {
        return Err(ApiError::bad_request(
            "the apply configuration must be an object",
        ));
    }
    if r.q("fieldManager").is_none_or(str::is_empty) {
        return Err(ApiError::bad_request(
            "PATCH requests with apply content type require a fieldManager query parameter",
        ));
    }
    let kind = applied
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api_version = applied
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.is_empty() || api_version.is_empty() {
        return Err(ApiError::bad_request(
            "apiVersion and kind are required in an apply configuration",
        ));
    }
    if let Some(n) = applied.pointer("/metadata/name").and_then(Value::as_str)
        && n != k.name
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({})",
            k.name
        )));
    }
    if applied.get("metadata").is_none_or(|m| !m.is_object()) {
        applied["metadata"] = json!({});
    }
    applied["metadata"]["name"] = json!(k.name);
    let sub = t.sub.as_deref().filter(|s| *s == "status");
    if t.rt.has_status()
        && let Value::Object(m) = &mut applied
    {
        if sub.is_some() {
            // Through /status only status (and identity) is applied.
            m.retain(|k, _| matches!(k.as_str(), "apiVersion" | "kind" | "status" | "metadata"));
            if let Some(md) = m.get_mut("metadata").and_then(Value::as_object_mut) {
                md.retain(|k, _| matches!(k.as_str(), "name" | "namespace"));
            }
        } else {
            m.shift_remove("status");
        }
    }
    let force = r.q_bool("force");
    let manager = r.manager();
    let now = now_rfc3339();
    let req = ssa::ApplyRequest {
        manager: &manager,
        force,
        crd: t.rt.crd,
        api_version: &t.rt.api_version(),
        subresource: sub,
        now: &now,
    };
    let mut store = sh.lock();
    let live = store.get(k).cloned();
    let merged = match ssa::apply(live.as_ref(), &applied, &req) {
        Ok(m) => m,
        Err(conflicts) => return Err(conflict_error(&t.rt, &k.name, &conflicts)),
    };
    let c = ctx(r);
    match live {
        None => {
            if sub.is_some() {
                return Err(ApiError::not_found(&t.rt, &k.name));
            }
            let created = ops::create(
                &mut store,
                &t.rt,
                &k.namespace,
                merged,
                &c,
                ManagedOnCreate::Keep,
            )?;
            Ok(json_response(201, &present(&t.rt, &created)))
        }
        Some(old) => {
            let out = ops::update(
                &mut store,
                &t.rt,
                k,
                &old,
                merged,
                sub,
                &c,
                UpdateKind::Apply,
            )?;
            Ok(json_response(200, &present(&t.rt, &out)))
        }
    }
}

fn conflict_error(
    rt: &crate::resources::ResourceType,
    name: &str,
    conflicts: &[ssa::Conflict],
) -> ApiError {
    let msgs: Vec<String> = conflicts
        .iter()
        .map(|c| {
            format!(
                "conflict with \"{}\" using {}: {}",
                c.manager, c.api_version, c.field
            )
        })
        .collect();
    let plural = if conflicts.len() == 1 { "" } else { "s" };
    let mut e = ApiError::new(
        409,
        "Conflict",
        format!(
            "Apply failed with {} conflict{plural}: {}",
            conflicts.len(),
            msgs.join("\n")
        ),
    );
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|c| json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{}\" using {}", c.manager, c.api_version), "field": c.field}))
        .collect();
    e.details = Some(json!({"name": name, "group": rt.group, "kind": rt.plural, "causes": causes}));
    e
}

fn delete_opts(r: &Req) -> Result<DeleteOpts, ApiError> {
    let mut o = DeleteOpts {
        propagation: r.q("propagationPolicy").map(str::to_string),
        dry_run: r.dry_run(),
        ..Default::default()
    };
    if r.q_bool("orphanDependents") {
        o.propagation = Some("Orphan".into());
    }
    if !r.body.is_empty() && std::str::from_utf8(&r.body).is_ok_and(|s| !s.trim().is_empty()) {
        let b = parse_body(r)?;
        if let Some(p) = b.get("propagationPolicy").and_then(Value::as_str) {
            o.propagation = Some(p.to_string());
        }
        if b.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
            o.propagation = Some("Orphan".into());
        }
        if b.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|x| x == "All"))
        {
            o.dry_run = true;
        }
        o.precondition_uid = b
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        o.precondition_rv = b
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(o)
}

pub fn delete(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let opts = delete_opts(r)?;
    let out = {
        let mut store = sh.lock();
        ops::delete(&mut store, &t.rt, &key(t), &opts)?
    };
    if out.get("kind").and_then(Value::as_str) == Some("Status") {
        return Ok(json_response(200, &out));
    }
    Ok(json_response(200, &present(&t.rt, &out)))
}

pub fn delete_collection(sh: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let (ls, fs) = selectors(r)?;
    let opts = delete_opts(r)?;
    let mut store = sh.lock();
    let (g, p) = t.rt.storage();
    let keys: Vec<ObjKey> = store
        .list(g, p, t.namespace.as_deref())
        .filter(|(_, v)| {
            let shown = present(&t.rt, v);
            ls.matches(&shown) && fs.matches(&shown)
        })
        .map(|(k, _)| k.clone())
        .collect();
    let mut items = Vec::new();
    for k in keys {
        if let Ok(v) = ops::delete(&mut store, &t.rt, &k, &opts)
            && v.get("kind").and_then(Value::as_str) != Some("Status")
        {
            items.push(present(&t.rt, &v));
        }
    }
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", t.rt.kind),
            "apiVersion": t.rt.api_version(),
            "metadata": {"resourceVersion": store.resource_version().to_string()},
            "items": items,
        }),
    ))
}

/// The autoscaling/v1 Scale view of a workload.
fn to_scale(obj: &Value) -> Value {
    let md = obj.get("metadata").cloned().unwrap_or(json!({}));
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": md.get("name"), "namespace": md.get("namespace"), "uid": md.get("uid"),
            "resourceVersion": md.get("resourceVersion"), "creationTimestamp": md.get("creationTimestamp"),
        },
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {
            "replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

fn from_scale(old: &Value, scale: &Value) -> Result<Value, ApiError> {
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|r| *r >= 0)
        .ok_or_else(|| {
            ApiError::bad_request("Scale spec.replicas must be a non-negative integer")
        })?;
    let mut new = old.clone();
    if !new.get("spec").is_some_and(Value::is_object) {
        new["spec"] = json!({});
    }
    new["spec"]["replicas"] = json!(replicas);
    if let Some(rv) = scale.pointer("/metadata/resourceVersion") {
        new["metadata"]["resourceVersion"] = rv.clone();
    }
    Ok(new)
}

/// Simulated container log text derived from the pod's state.
fn pod_log(pod: &Value, container: Option<&str>) -> String {
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = String::new();
    for cs in statuses.iter().filter(|c| {
        container.is_none_or(|want| c.get("name").and_then(Value::as_str) == Some(want))
    }) {
        let cname = cs.get("name").and_then(Value::as_str).unwrap_or_default();
        let image = cs.get("image").and_then(Value::as_str).unwrap_or_default();
        out.push_str(&format!(
            "kubesim: container {cname} of pod {name} (image {image})\n"
        ));
        if let Some(msg) = cs
            .pointer("/lastState/terminated/message")
            .and_then(Value::as_str)
        {
            out.push_str(&format!("{msg}\n"));
        }
        if let Some(w) = cs.pointer("/state/waiting/message").and_then(Value::as_str) {
            out.push_str(&format!("{w}\n"));
        }
        if cs.pointer("/state/running").is_some() {
            out.push_str("kubesim: running\n");
        }
    }
    out
}
