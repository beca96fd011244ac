//! A minimal OpenAPI v3 surface. kubectl (and Helm) fetch `/openapi/v3` to learn whether
//! the server supports server-side field validation (`fieldValidation` on PATCH); when it
//! does, they skip client-side schema validation, which would need full schemas. So each
//! group-version document lists the item paths of its resources, whose operations take a
//! `fieldValidation` query parameter, with the `x-kubernetes-group-version-kind` of their PATCH operation.
//! Schemas are not served (`kubectl explain` reports them missing).

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::json_response;
use crate::error::ApiError;
use crate::ops::hashed_suffix;
use crate::resources::ResourceType;
use crate::state::Shared;

fn gv_path(t: &ResourceType) -> String {
    if t.group.is_empty() {
        format!("api/{}", t.version)
    } else {
        format!("apis/{}/{}", t.group, t.version)
    }
}

fn types(sh: &Arc<Shared>) -> Vec<ResourceType> {
    sh.lock().types().cloned().collect()
}

fn gv_doc(types: &[ResourceType], gv: &str) -> Option<Value> {
    let mut paths = Map::new();
    for t in types.iter().filter(|t| gv_path(t) == gv) {
        let item = if t.namespaced {
            format!("/{gv}/namespaces/{{namespace}}/{}/{{name}}", t.plural)
        } else {
            format!("/{gv}/{}/{{name}}", t.plural)
        };
        let gvk = json!({"group": t.group, "version": t.version, "kind": t.kind});
        let q = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
        let params = json!([
            q("dryRun"),
            q("fieldManager"),
            q("fieldValidation"),
            q("force"),
            q("pretty")
        ]);
        let op = |action: &str| {
            json!({
                "parameters": params,
                "operationId": format!("{action}{}", t.kind),
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
                "responses": {"200": {"description": "OK"}},
            })
        };
        paths.insert(
            item,
            json!({
                "get": op("get"),
                "put": op("put"),
                "patch": op("patch"),
                "delete": op("delete"),
            }),
        );
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (kubesim)", "version": "v1.33.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

/// `/openapi/v3` and `/openapi/v3/<gv>`.
pub fn v3(sh: &Arc<Shared>, rest: &[&str]) -> Result<Response, ApiError> {
    let types = types(sh);
    if rest.is_empty() {
        let mut index = Map::new();
        for t in &types {
            let gv = gv_path(t);
            if index.contains_key(&gv) {
                continue;
            }
            let hash = gv_doc(&types, &gv)
                .map(|d| hashed_suffix(&d.to_string(), 12))
                .unwrap_or_default();
            index.insert(
                gv.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={hash}")}),
            );
        }
        return Ok(json_response(200, &json!({"paths": index})));
    }
    let gv = rest.join("/");
    gv_doc(&types, &gv)
        .map(|d| json_response(200, &d))
        .ok_or_else(|| ApiError::path_not_found(&format!("/openapi/v3/{gv}")))
}
