//! The HTTP front: one fallback handler parses Kubernetes API paths and dispatches.

mod discovery;
mod handlers;
mod openapi;
mod table;
mod watch;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use crate::config::{RuleAction, Trigger};
use crate::error::ApiError;
use crate::resources::ResourceType;
use crate::state::Shared;

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

/// A parsed request.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }

    pub fn q_bool(&self, k: &str) -> bool {
        matches!(self.q(k), Some("1" | "true" | "True"))
    }

    pub fn header(&self, k: &str) -> &str {
        self.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// fieldManager, or the user agent's program name like the real server derives it.
    pub fn manager(&self) -> String {
        if let Some(m) = self.q("fieldManager").filter(|m| !m.is_empty()) {
            return m.chars().take(128).collect();
        }
        let ua = self.header("user-agent");
        let name: String = ua
            .split('/')
            .next()
            .unwrap_or_default()
            .chars()
            .take(128)
            .collect();
        if name.is_empty() {
            "unknown".into()
        } else {
            name
        }
    }

    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|v| v == "All")
    }
}

async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(&ApiError::new(
                413,
                "RequestEntityTooLarge",
                format!("the request body exceeds the {MAX_BODY} byte limit"),
            ));
        }
    };
    let query: HashMap<String, String> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let r = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body,
    };
    // A panic while serving one request answers 500 instead of dropping the connection.
    let served =
        futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(route(&sh, r))).await;
    match served {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => error_response(&e),
        Err(_) => error_response(&ApiError::new(
            500,
            "InternalError",
            "kubesim failed to serve this request",
        )),
    }
}

/// A resource request target.
pub struct Target {
    pub rt: ResourceType,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

async fn route(sh: &Arc<Shared>, r: Req) -> Result<Response, ApiError> {
    let path = r.path.clone();
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        [] => Ok(discovery::root(sh)),
        ["version"] => Ok(json_response(200, &discovery::version())),
        ["healthz" | "livez" | "readyz", ..] => Ok(text_response(200, "ok")),
        ["openapi", "v3", rest @ ..] => openapi::v3(sh, rest),
        ["openapi", ..] => Err(ApiError::path_not_found(&path)),
        ["api"] => Ok(discovery::core_versions(sh, &r)),
        ["apis"] => Ok(discovery::groups(sh, &r)),
        ["api", v] => discovery::resource_list(sh, "", v),
        ["apis", g] => discovery::group(sh, g),
        ["apis", g, v] => discovery::resource_list(sh, g, v),
        ["api", v, rest @ ..] => resource(sh, r, "", v, rest).await,
        ["apis", g, v, rest @ ..] => resource(sh, r, g, v, rest).await,
        _ => Err(ApiError::path_not_found(&path)),
    }
}

async fn resource(
    sh: &Arc<Shared>,
    mut r: Req,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<Response, ApiError> {
    let mut rest = rest.to_vec();
    if rest.first() == Some(&"watch") {
        // Legacy /watch/ paths.
        rest.remove(0);
        r.query.insert("watch".into(), "true".into());
    }
    let (ns, res, name, sub): (Option<&str>, &str, Option<&str>, Option<&str>) = match rest
        .as_slice()
    {
        ["namespaces", n, s @ ("status" | "finalize")] => (None, "namespaces", Some(n), Some(s)),
        ["namespaces", ns, res] => (Some(ns), res, None, None),
        ["namespaces", ns, res, name] => (Some(ns), res, Some(name), None),
        ["namespaces", ns, res, name, sub] => (Some(ns), res, Some(name), Some(sub)),
        [res] => (None, res, None, None),
        [res, name] => (None, res, Some(name), None),
        [res, name, sub] => (None, res, Some(name), Some(sub)),
        _ => return Err(ApiError::path_not_found(&r.path)),
    };
    let rt = {
        let store = sh.lock();
        store.find(group, version, res).cloned()
    }
    .ok_or_else(|| ApiError::path_not_found(&r.path))?;
    if (!rt.namespaced && ns.is_some()) || (rt.namespaced && ns.is_none() && name.is_some()) {
        return Err(ApiError::path_not_found(&r.path));
    }
    if let Some(s) = sub {
        let ok =
            rt.subresources.iter().any(|x| x == s) || (rt.kind == "Namespace" && s == "finalize");
        if !ok {
            return Err(ApiError::path_not_found(&r.path));
        }
    }
    let t = Target {
        rt,
        namespace: ns.map(str::to_string),
        name: name.map(str::to_string),
        sub: sub.map(str::to_string),
    };
    if t.rt.is_review() && r.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            "access reviews only support create",
        ));
    }
    let watching = r.q_bool("watch");
    inject_faults(sh, &t).await?;
    match (&r.method, t.name.is_some(), watching) {
        (&Method::GET, false, true) => Ok(watch::serve(sh.clone(), &r, &t)),
        (&Method::GET, true, true) => {
            // Watching one object: a watch on the collection pinned by name.
            let name = t.name.clone().unwrap_or_default();
            r.query
                .insert("fieldSelector".into(), format!("metadata.name={name}"));
            let t2 = Target { name: None, ..t };
            Ok(watch::serve(sh.clone(), &r, &t2))
        }
        (&Method::GET, false, false) => handlers::list(sh, &r, &t),
        (&Method::GET, true, false) => handlers::get(sh, &r, &t),
        (&Method::POST, false, _) => handlers::create(sh, &r, &t),
        (&Method::PUT, true, _) => handlers::update(sh, &r, &t),
        (&Method::PATCH, true, _) => handlers::patch(sh, &r, &t),
        (&Method::DELETE, true, _) => handlers::delete(sh, &r, &t),
        (&Method::DELETE, false, _) => handlers::delete_collection(sh, &r, &t),
        (m, _, _) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow method {m} on this resource"
        ))),
    }
}

/// API faults and latency from rules. Label selectors cannot match requests.
async fn inject_faults(sh: &Arc<Shared>, t: &Target) -> Result<(), ApiError> {
    let mut latency = Duration::ZERO;
    let mut fail: Option<u16> = None;
    for (i, rule) in sh.config.rules.iter().enumerate() {
        let is_request_rule = matches!(
            rule.action,
            RuleAction::ApiError { .. } | RuleAction::Latency(_)
        );
        if !is_request_rule || !request_matches(rule, t) {
            continue;
        }
        match rule.action {
            RuleAction::Latency(d) => latency = latency.max(d),
            RuleAction::ApiError { code, trigger } if fail.is_none() => {
                let fire = match trigger {
                    Trigger::Always => true,
                    Trigger::Probability(p) => fastrand::f64() < p,
                    Trigger::Count(n) => {
                        let mut hits = sh.rule_hits.lock().unwrap_or_else(|p| p.into_inner());
                        match hits.get_mut(i) {
                            Some(h) if *h < n => {
                                *h += 1;
                                true
                            }
                            _ => false,
                        }
                    }
                };
                if fire {
                    fail = Some(code);
                }
            }
            _ => {}
        }
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fail {
        Some(code) => Err(ApiError::injected(code)),
        None => Ok(()),
    }
}

fn request_matches(rule: &crate::config::SimRule, t: &Target) -> bool {
    use crate::config::glob_match;
    let m = &rule.matcher;
    if m.labels.is_some() {
        return false;
    }
    if let Some(k) = &m.kind
        && !t.rt.matches_kind_glob(k)
    {
        return false;
    }
    if let Some(ns) = &m.namespace
        && !glob_match(ns, t.namespace.as_deref().unwrap_or_default())
    {
        return false;
    }
    if let Some(n) = &m.name
        && !glob_match(n, t.name.as_deref().unwrap_or_default())
    {
        return false;
    }
    true
}

pub fn json_response(code: u16, v: &Value) -> Response {
    json_response_typed(code, v, "application/json")
}

pub fn json_response_typed(code: u16, v: &Value, content_type: &str) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap_or_default()
}

pub fn text_response(code: u16, s: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(s.to_string()))
        .unwrap_or_default()
}

pub fn error_response(e: &ApiError) -> Response {
    let mut resp = json_response(e.code, &e.to_status());
    if e.code == 429
        && let Ok(v) = "1".parse()
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}
