//! Discovery: /version, /api, /apis (legacy and aggregated v2/v2beta1), resource lists.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::{Req, json_response, json_response_typed};
use crate::error::ApiError;
use crate::resources::{ResourceType, group_versions};
use crate::state::Shared;

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.0-kubesim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn root(sh: &Arc<Shared>) -> Response {
    let mut paths = vec![
        "/api".to_string(),
        "/api/v1".to_string(),
        "/apis".to_string(),
        "/version".to_string(),
        "/healthz".to_string(),
    ];
    for (g, vs) in groups_in_order(sh) {
        paths.push(format!("/apis/{g}"));
        for v in vs {
            paths.push(format!("/apis/{g}/{v}"));
        }
    }
    json_response(200, &json!({"paths": paths}))
}

/// Which aggregated discovery version the client asked for, if any.
fn aggregated_version(r: &Req) -> Option<&'static str> {
    let accept = r.header("accept");
    for part in accept.split(',') {
        let p = part.replace(' ', "");
        if p.contains("g=apidiscovery.k8s.io") && p.contains("as=APIGroupDiscoveryList") {
            if p.contains("v=v2beta1") {
                return Some("v2beta1");
            }
            if p.contains("v=v2") {
                return Some("v2");
            }
        }
    }
    None
}

fn aggregated_response(items: Vec<Value>, v: &str) -> Response {
    let body = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{v}"),
        "metadata": {},
        "items": items,
    });
    json_response_typed(
        200,
        &body,
        &format!("application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"),
    )
}

pub fn core_versions(sh: &Arc<Shared>, r: &Req) -> Response {
    if let Some(v) = aggregated_version(r) {
        let item = group_discovery(sh, "");
        return aggregated_response(vec![item], v);
    }
    json_response(
        200,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": sh.addr.to_string()}],
        }),
    )
}

/// Non-core groups with their versions, built-ins first in table order.
fn groups_in_order(sh: &Arc<Shared>) -> Vec<(String, Vec<String>)> {
    let store = sh.lock();
    let types: Vec<ResourceType> = store.types().cloned().collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for t in types.iter().filter(|t| !t.group.is_empty()) {
        if !out.iter().any(|(g, _)| *g == t.group) {
            out.push((t.group.clone(), group_versions(&types, &t.group)));
        }
    }
    out
}

fn api_group_json(g: &str, vs: &[String]) -> Value {
    let versions: Vec<Value> = vs
        .iter()
        .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
        .collect();
    json!({
        "name": g,
        "versions": versions,
        "preferredVersion": versions.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn groups(sh: &Arc<Shared>, r: &Req) -> Response {
    if let Some(v) = aggregated_version(r) {
        let items: Vec<Value> = groups_in_order(sh)
            .iter()
            .map(|(g, _)| group_discovery(sh, g))
            .collect();
        return aggregated_response(items, v);
    }
    let groups: Vec<Value> = groups_in_order(sh)
        .iter()
        .map(|(g, vs)| api_group_json(g, vs))
        .collect();
    json_response(
        200,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

pub fn group(sh: &Arc<Shared>, g: &str) -> Result<Response, ApiError> {
    let gs = groups_in_order(sh);
    let (_, vs) = gs
        .iter()
        .find(|(name, _)| name == g)
        .ok_or_else(|| ApiError::path_not_found(&format!("/apis/{g}")))?;
    let mut v = api_group_json(g, vs);
    v["kind"] = json!("APIGroup");
    v["apiVersion"] = json!("v1");
    Ok(json_response(200, &v))
}

fn sub_verbs(sub: &str) -> Vec<&'static str> {
    match sub {
        "log" => vec!["get"],
        "finalize" => vec!["update"],
        _ => vec!["get", "patch", "update"],
    }
}

pub fn resource_list(sh: &Arc<Shared>, g: &str, v: &str) -> Result<Response, ApiError> {
    let types: Vec<ResourceType> = {
        let store = sh.lock();
        store
            .types()
            .filter(|t| t.group == g && t.version == v)
            .cloned()
            .collect()
    };
    if types.is_empty() {
        return Err(ApiError::path_not_found(&if g.is_empty() {
            format!("/api/{v}")
        } else {
            format!("/apis/{g}/{v}")
        }));
    }
    let mut resources = Vec::new();
    for t in &types {
        let mut r = json!({
            "name": t.plural,
            "singularName": t.singular,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": t.verbs(),
        });
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        resources.push(r);
        for s in &t.subresources {
            let mut sr = json!({
                "name": format!("{}/{}", t.plural, s),
                "singularName": "",
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": sub_verbs(s),
            });
            if s == "scale" {
                sr["group"] = json!("autoscaling");
                sr["version"] = json!("v1");
                sr["kind"] = json!("Scale");
            }
            resources.push(sr);
        }
    }
    let gv = if g.is_empty() {
        v.to_string()
    } else {
        format!("{g}/{v}")
    };
    Ok(json_response(
        200,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }),
    ))
}

/// One APIGroupDiscovery item (aggregated discovery) for a group ("" = core).
fn group_discovery(sh: &Arc<Shared>, g: &str) -> Value {
    let types: Vec<ResourceType> = {
        let store = sh.lock();
        store.types().filter(|t| t.group == g).cloned().collect()
    };
    let versions: Vec<Value> = group_versions(&types, g)
        .iter()
        .map(|v| {
            let resources: Vec<Value> = types
                .iter()
                .filter(|t| &t.version == v)
                .map(|t| {
                    let kind = json!({"group": t.group, "version": t.version, "kind": t.kind});
                    let subs: Vec<Value> = t
                        .subresources
                        .iter()
                        .map(|s| {
                            let rk = if s == "scale" {
                                json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
                            } else {
                                kind.clone()
                            };
                            json!({"subresource": s, "responseKind": rk, "verbs": sub_verbs(s)})
                        })
                        .collect();
                    let mut r = json!({
                        "resource": t.plural,
                        "responseKind": kind,
                        "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                        "singularResource": t.singular,
                        "verbs": t.verbs(),
                    });
                    if !t.short_names.is_empty() {
                        r["shortNames"] = json!(t.short_names);
                    }
                    if !t.categories.is_empty() {
                        r["categories"] = json!(t.categories);
                    }
                    if !subs.is_empty() {
                        r["subresources"] = json!(subs);
                    }
                    r
                })
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": versions})
}
