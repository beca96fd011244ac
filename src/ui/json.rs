//! `--output json`: one JSON object per event on stdout.

use std::io::Write;
use std::sync::Mutex;

use crate::run::events::{EventSink, RunEvent};

pub struct JsonLines {
    out: Mutex<Box<dyn Write + Send>>,
}

impl JsonLines {
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    pub fn new(out: Box<dyn Write + Send>) -> Self {
        JsonLines {
            out: Mutex::new(out),
        }
    }
}

impl EventSink for JsonLines {
    fn emit(&self, event: RunEvent) {
        let Ok(line) = serde_json::to_string(&event) else {
            return;
        };
        // A poisoned lock only means another thread panicked mid-write; keep reporting.
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
