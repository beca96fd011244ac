//! State shared by the HTTP server, the controllers and the persister.

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use crate::config::SimConfig;
use crate::store::Store;

pub struct Shared {
    store: Mutex<Store>,
    pub config: SimConfig,
    /// Hits so far of each rule with a `Count` trigger (indexed like `config.rules`).
    pub rule_hits: Mutex<Vec<u32>>,
    pub addr: SocketAddr,
    /// Flips to true when the simulator shuts down; watches and tasks end.
    pub shutdown: watch::Sender<bool>,
}

impl Shared {
    pub fn new(store: Store, config: SimConfig, addr: SocketAddr) -> Shared {
        let hits = vec![0; config.rules.len()];
        Shared {
            store: Mutex::new(store),
            config,
            rule_hits: Mutex::new(hits),
            addr,
            shutdown: watch::channel(false).0,
        }
    }

    /// Locks the store. A panic while holding the lock cannot leave the map half-written
    /// (every write is a single insert/remove), so a poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}
