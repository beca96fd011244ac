//! The state file: loaded at start, saved (debounced, atomically) after changes.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::error::SimError;
use crate::state::Shared;
use crate::store::Store;

/// How often the saver looks for changes; writes are coalesced within this window.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Loads a store from `path`, or a fresh one if the file does not exist.
pub fn load(path: &Path) -> Result<Store, SimError> {
    let mut store = Store::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
        Err(source) => {
            return Err(SimError::ReadState {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let snap: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| SimError::CorruptState {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    store
        .restore(&snap)
        .map_err(|message| SimError::CorruptState {
            path: path.to_path_buf(),
            message,
        })?;
    Ok(store)
}

/// Writes the snapshot to a temp file beside `path`, then renames it over `path`.
pub fn save(path: &Path, snapshot: &serde_json::Value) -> Result<(), SimError> {
    let err = |source| SimError::WriteState {
        path: path.to_path_buf(),
        source,
    };
    let bytes = serde_json::to_vec(snapshot).map_err(|e| err(std::io::Error::other(e)))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "state".into());
    let tmp = path.with_file_name(format!(".{file_name}.tmp.{}", std::process::id()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Saves the state whenever it changed, until shutdown; then saves a last time.
pub async fn run_saver(sh: Arc<Shared>, path: std::path::PathBuf) {
    let mut saved_writes = sh.lock().writes;
    let mut shutdown = sh.shutdown.subscribe();
    let mut tick = tokio::time::interval(DEBOUNCE);
    loop {
        let stop = tokio::select! {
            _ = tick.tick() => false,
            _ = shutdown.changed() => true,
        };
        let snapshot = {
            let store = sh.lock();
            (store.writes != saved_writes).then(|| (store.writes, store.snapshot()))
        };
        if let Some((writes, snap)) = snapshot {
            match save(&path, &snap) {
                Ok(()) => saved_writes = writes,
                Err(e) => tracing::warn!("kubesim: {e}"),
            }
        }
        if stop {
            return;
        }
    }
}

/// Saves now (used by shutdown so the caller knows the file is complete).
pub fn save_now(sh: &Shared, path: &Path) -> Result<(), SimError> {
    let snap = sh.lock().snapshot();
    save(path, &snap)
}
