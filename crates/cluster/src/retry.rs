//! Retries of idempotent API calls (GET, LIST, server-side apply, DELETE) on transient
//! failures. kube's client already retries 429, 503 and 504 (honouring Retry-After);
//! this adds 500, 502 and broken connections, a few times with a short backoff.

use std::future::Future;
use std::time::Duration;

const ATTEMPTS: u32 = 5;
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

fn transient(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(s) => matches!(s.code, 500 | 502),
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// Runs `call` until it succeeds, fails for good, or was tried [`ATTEMPTS`] times.
pub(crate) async fn idempotent<T, F, Fut>(mut call: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let mut delay = FIRST_DELAY;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tracing::debug!(attempt, error = %e, "retrying a transient API failure");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_DELAY);
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn api_error(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            ..Default::default()
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_only() {
        let calls = AtomicU32::new(0);
        let ok: Result<u32, _> = idempotent(|| async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n < 2 { Err(api_error(500)) } else { Ok(n) }
        })
        .await;
        assert_eq!(ok.unwrap(), 2);

        let calls = AtomicU32::new(0);
        let err: Result<(), _> = idempotent(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api_error(422))
        })
        .await;
        assert!(err.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = AtomicU32::new(0);
        let err: Result<(), _> = idempotent(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api_error(502))
        })
        .await;
        assert!(err.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
    }
}
