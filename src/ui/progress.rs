//! Progress bars in a terminal: one line per release in flight with its phase, and an
//! overall bar. Finished releases become plain lines printed above the bars.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::plain::describe;
use crate::run::events::{EventSink, RunEvent};

pub struct ProgressBars {
    multi: MultiProgress,
    overall: ProgressBar,
    lines: Mutex<HashMap<String, ProgressBar>>,
}

impl ProgressBars {
    pub fn new(total: usize) -> Self {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(total as u64));
        // The template is a literal checked by indicatif at run time; fall back to the
        // default style rather than fail a deployment over a progress bar.
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise:.dim} [{bar:30.cyan/blue}] {pos}/{len} releases",
        ) {
            overall.set_style(style.progress_chars("=> "));
        }
        ProgressBars {
            multi,
            overall,
            lines: Mutex::new(HashMap::new()),
        }
    }

    fn line_for(&self, release: &str) -> ProgressBar {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines
            .entry(release.to_string())
            .or_insert_with(|| {
                let bar = self
                    .multi
                    .insert_before(&self.overall, ProgressBar::new_spinner());
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner:.green} {prefix:.bold} {msg} {elapsed:.dim}",
                ) {
                    bar.set_style(style);
                }
                bar.set_prefix(release.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .clone()
    }
}

impl EventSink for ProgressBars {
    fn emit(&self, event: RunEvent) {
        match &event {
            RunEvent::Started { release } => self.line_for(release).set_message("starting"),
            RunEvent::Phase { release, phase } => {
                self.line_for(release).set_message(phase.to_string())
            }
            RunEvent::Note { .. } => {
                let text = describe(&event);
                self.multi.suspend(|| eprintln!("{text}"));
            }
            RunEvent::Finished(summary) => {
                let bar = self
                    .lines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&summary.release);
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
                let text = describe(&event);
                self.multi.suspend(|| eprintln!("{text}"));
                self.overall.inc(1);
                if self.overall.position() >= self.overall.length().unwrap_or(0) {
                    self.overall.finish_and_clear();
                }
            }
        }
    }
}
