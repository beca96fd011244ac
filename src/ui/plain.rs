//! Plain timestamped lines, for logs and CI where there is no terminal.

use std::io::Write;
use std::sync::Mutex;

use crate::run::events::{EventSink, Outcome, RunEvent};

pub struct PlainLines {
    out: Mutex<Box<dyn Write + Send>>,
}

impl PlainLines {
    pub fn stderr() -> Self {
        Self::new(Box::new(std::io::stderr()))
    }

    pub fn new(out: Box<dyn Write + Send>) -> Self {
        PlainLines {
            out: Mutex::new(out),
        }
    }
}

/// The text of an event without a timestamp; shared with the progress bars, which
/// print the same lines above the bars.
pub fn describe(event: &RunEvent) -> String {
    match event {
        RunEvent::Started { release } => format!("{release}: started"),
        RunEvent::Phase { release, phase } => format!("{release}: {phase}"),
        RunEvent::Note { release, message } => format!("{release}: {message}"),
        RunEvent::Finished(summary) => {
            let rev = summary
                .revision
                .map(|r| format!(" revision {r}"))
                .unwrap_or_default();
            match &summary.outcome {
                Outcome::Ok => format!(
                    "{}: {}{} ok in {:.1}s",
                    summary.release,
                    summary.action.as_str(),
                    rev,
                    summary.duration.as_secs_f64()
                ),
                Outcome::Failed { reason } => format!(
                    "{}: {}{} FAILED after {:.1}s\n{}",
                    summary.release,
                    summary.action.as_str(),
                    rev,
                    summary.duration.as_secs_f64(),
                    indent(reason)
                ),
                Outcome::Skipped { failed_need } => {
                    format!(
                        "{}: skipped, it needs {failed_need}, which did not succeed",
                        summary.release
                    )
                }
            }
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl EventSink for PlainLines {
    fn emit(&self, event: RunEvent) {
        let now = chrono::Utc::now().format("%H:%M:%S%.3f");
        let text = describe(&event);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{now} {text}");
    }
}
