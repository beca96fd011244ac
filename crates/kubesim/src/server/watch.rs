//! Watch streams: newline-delimited JSON events over a chunked response.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::{Req, Target, table};
use crate::config::RuleAction;
use crate::error::ApiError;
use crate::present::present;
use crate::resources::ResourceType;
use crate::selector::{FieldSelector, LabelSelector};
use crate::state::Shared;
use crate::store::{EventType, WatchEvent};

/// Longest a watch lasts without timeoutSeconds (the real server picks 30–60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
const BOOKMARK_EVERY: Duration = Duration::from_secs(15);
/// Chunks buffered per watch before the writer waits for the client.
const CHANNEL_CAP: usize = 256;

struct Filter {
    rt: ResourceType,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, ev: &WatchEvent) -> bool {
        let (g, p) = self.rt.storage();
        ev.key.group == g
            && ev.key.plural == p
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| ev.key.namespace == ns)
    }

    fn selects(&self, shown: &Value) -> bool {
        self.labels.matches(shown) && self.fields.matches(shown)
    }

    /// The event a watcher with selectors sees: an object that starts matching is
    /// ADDED, one that stops matching is DELETED, like the real watch cache.
    fn event_type(
        &self,
        kind: EventType,
        shown: &Value,
        prev: Option<&Value>,
    ) -> Option<&'static str> {
        let now = self.selects(shown);
        match kind {
            EventType::Modified => {
                let before = prev.is_some_and(|p| self.selects(&present(&self.rt, p)));
                match (before, now) {
                    (true, true) => Some("MODIFIED"),
                    (false, true) => Some("ADDED"),
                    (true, false) => Some("DELETED"),
                    (false, false) => None,
                }
            }
            other => now.then_some(other.as_str()),
        }
    }
}

fn line(v: &Value) -> Bytes {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

pub fn serve(sh: Arc<Shared>, r: &Req, t: &Target) -> Response {
    match start(sh, r, t) {
        Ok(resp) => resp,
        Err(e) => super::error_response(&e),
    }
}

fn start(sh: Arc<Shared>, r: &Req, t: &Target) -> Result<Response, ApiError> {
    let labels = LabelSelector::parse(r.q("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
    let fields = FieldSelector::parse(r.q("fieldSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("invalid field selector: {e}")))?;
    let filter = Filter {
        rt: t.rt.clone(),
        namespace: t.namespace.clone(),
        labels,
        fields,
    };
    let mut timeout = r
        .q("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT)
        .min(DEFAULT_TIMEOUT);
    for rule in &sh.config.rules {
        if let RuleAction::DropWatch(d) = rule.action
            && rule.matcher.labels.is_none()
            && rule
                .matcher
                .kind
                .as_deref()
                .is_none_or(|k| t.rt.matches_kind_glob(k))
            && rule.matcher.namespace.as_deref().is_none_or(|ns| {
                crate::config::glob_match(ns, t.namespace.as_deref().unwrap_or_default())
            })
        {
            timeout = timeout.min(d);
        }
    }
    let bookmarks = r.q_bool("allowWatchBookmarks");
    let send_initial = r.q_bool("sendInitialEvents");
    let rv_param = r.q("resourceVersion").unwrap_or_default().to_string();
    let table = table::wants_table(r);

    // Under one lock: subscribe, and compute the initial events, so nothing is missed.
    let (rx, initial, start_rv, expired) = {
        let store = sh.lock();
        let rx = store.subscribe();
        let current = store.resource_version();
        let mut initial: Vec<(&'static str, Value)> = Vec::new();
        let mut expired = false;
        let from_scratch = rv_param.is_empty() || rv_param == "0" || send_initial;
        if from_scratch {
            let (g, p) = t.rt.storage();
            for (_, v) in store.list(g, p, t.namespace.as_deref()) {
                let shown = present(&t.rt, v);
                if filter.selects(&shown) {
                    initial.push(("ADDED", shown));
                }
            }
        } else {
            match rv_param.parse::<u64>() {
                Err(_) => {
                    return Err(ApiError::bad_request(format!(
                        "invalid resourceVersion {rv_param:?}"
                    )));
                }
                Ok(n) => match store.events_since(n) {
                    None => expired = true,
                    Some(evs) => {
                        for ev in evs.iter().filter(|e| filter.matches(e)) {
                            let shown = present(&t.rt, &ev.object);
                            if let Some(typ) = filter.event_type(ev.kind, &shown, ev.prev.as_ref())
                            {
                                initial.push((typ, shown));
                            }
                        }
                    }
                },
            }
        }
        (rx, initial, current, expired)
    };

    let (tx, out_rx) = mpsc::channel::<Bytes>(CHANNEL_CAP);
    let shutdown = sh.shutdown.subscribe();
    let sh2 = sh.clone();
    let r_query = r.query.clone();
    tokio::spawn(async move {
        let ctx = StreamCtx {
            filter,
            table,
            query: r_query,
        };
        if expired {
            let st = ApiError::gone(format!("too old resource version: {rv_param} ({start_rv})"))
                .to_status();
            let _ = tx.send(line(&json!({"type": "ERROR", "object": st}))).await;
            return;
        }
        run(
            sh2,
            ctx,
            tx,
            rx,
            initial,
            start_rv,
            bookmarks,
            send_initial,
            timeout,
            shutdown,
        )
        .await;
    });
    let stream = futures::stream::unfold(out_rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::convert::Infallible>(b), rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(stream))
        .map_err(|e| ApiError::new(500, "InternalError", e.to_string()))
}

struct StreamCtx {
    filter: Filter,
    /// Events carry Table rows (kubectl get -w).
    table: bool,
    query: std::collections::HashMap<String, String>,
}

impl StreamCtx {
    fn event(&self, typ: &str, obj: Value, first: &mut bool, rv: u64) -> Bytes {
        let object = match self.table {
            true => {
                let req = super::Req {
                    method: axum::http::Method::GET,
                    path: String::new(),
                    query: self.query.clone(),
                    headers: Default::default(),
                    body: Bytes::new(),
                };
                let t = table::table(&self.filter.rt, &[obj], rv, &req, *first);
                *first = false;
                t
            }
            false => obj,
        };
        line(&json!({"type": typ, "object": object}))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut md = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            md["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(&json!({"type": "BOOKMARK", "object": {
            "kind": self.filter.rt.kind, "apiVersion": self.filter.rt.api_version(), "metadata": md,
        }}))
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    _sh: Arc<Shared>,
    ctx: StreamCtx,
    tx: mpsc::Sender<Bytes>,
    mut rx: broadcast::Receiver<Arc<WatchEvent>>,
    initial: Vec<(&'static str, Value)>,
    start_rv: u64,
    bookmarks: bool,
    send_initial: bool,
    timeout: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut first = true;
    for (typ, obj) in initial {
        if tx
            .send(ctx.event(typ, obj, &mut first, start_rv))
            .await
            .is_err()
        {
            return;
        }
    }
    if send_initial && bookmarks && tx.send(ctx.bookmark(start_rv, true)).await.is_err() {
        return;
    }
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut ticker = tokio::time::interval(BOOKMARK_EVERY);
    ticker.tick().await;
    let mut seen = start_rv;
    loop {
        tokio::select! {
            _ = &mut deadline => return,
            _ = shutdown.changed() => return,
            _ = ticker.tick(), if bookmarks => {
                if tx.send(ctx.bookmark(seen, false)).await.is_err() {
                    return;
                }
            }
            ev = rx.recv() => {
                match ev {
                    Ok(ev) => {
                        if ev.rv <= start_rv {
                            continue;
                        }
                        seen = ev.rv;
                        if !ctx.filter.matches(&ev) {
                            continue;
                        }
                        let shown = present(&ctx.filter.rt, &ev.object);
                        let Some(typ) = ctx.filter.event_type(ev.kind, &shown, ev.prev.as_ref()) else {
                            continue;
                        };
                        if tx.send(ctx.event(typ, shown, &mut first, ev.rv)).await.is_err() {
                            return;
                        }
                    }
                    // A watcher that fell behind is closed; the client resumes from its
                    // last resourceVersion (or relists on 410).
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }
}
