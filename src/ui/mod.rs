//! Showing a run: progress bars in a terminal, plain timestamped lines otherwise,
//! JSON lines with `--output json`, and the summary table at the end.

mod json;
mod plain;
mod progress;
pub mod table;

use std::io::IsTerminal;
use std::sync::Arc;

use crate::run::events::EventSink;

pub use json::JsonLines;
pub use plain::PlainLines;
pub use progress::ProgressBars;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// The sink for a run: JSON lines when asked, bars when stderr is a terminal,
/// plain lines otherwise (CI logs).
pub fn sink_for(format: OutputFormat, total_releases: usize) -> Arc<dyn EventSink> {
    match format {
        OutputFormat::Json => Arc::new(JsonLines::stdout()),
        OutputFormat::Text if std::io::stderr().is_terminal() => {
            Arc::new(ProgressBars::new(total_releases))
        }
        OutputFormat::Text => Arc::new(PlainLines::stderr()),
    }
}
