//! The table printed at the end of a run.

use super::events::{Outcome, ReleaseSummary};
use crate::ui::table;

/// Prints one row per release: what was done, the revision, how long, and the result.
pub fn print_summary(summaries: &[ReleaseSummary]) {
    print!("{}", render_summary(summaries));
}

pub fn render_summary(summaries: &[ReleaseSummary]) -> String {
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.release.clone(),
                s.namespace.clone(),
                s.action.as_str().to_string(),
                s.revision
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "-".into()),
                format!("{:.1}s", s.duration.as_secs_f64()),
                match &s.outcome {
                    Outcome::Ok => "ok".to_string(),
                    Outcome::Failed { reason } => {
                        format!("FAILED: {}", reason.lines().next().unwrap_or_default())
                    }
                    Outcome::Skipped { failed_need } => format!("skipped (needs {failed_need})"),
                },
            ]
        })
        .collect();
    table::render(
        &[
            "RELEASE",
            "NAMESPACE",
            "ACTION",
            "REVISION",
            "DURATION",
            "RESULT",
        ],
        &rows,
    )
}
