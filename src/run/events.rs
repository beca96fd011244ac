//! What a run reports while it works, for the terminal, log lines or JSON lines.

use std::time::Duration;

use serde::Serialize;

/// What happened to a release in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Install,
    Upgrade,
    /// Chart, values and rendered manifest equal the deployed revision: nothing applied.
    Unchanged,
    Uninstall,
    /// Not installed (destroy of a release that has no record).
    Absent,
    Skipped,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Install => "install",
            Action::Upgrade => "upgrade",
            Action::Unchanged => "unchanged",
            Action::Uninstall => "uninstall",
            Action::Absent => "absent",
            Action::Skipped => "skipped",
        }
    }
}

/// The step a release is in, shown next to its name while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum Phase {
    Rendering,
    Comparing,
    Hooks { event: String },
    Applying { objects: usize },
    Pruning { objects: usize },
    Waiting { on: String },
    Deleting { objects: usize },
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::Rendering => write!(f, "rendering"),
            Phase::Comparing => write!(f, "comparing with the deployed revision"),
            Phase::Hooks { event } => write!(f, "running {event} hooks"),
            Phase::Applying { objects } => write!(f, "applying {objects} objects"),
            Phase::Pruning { objects } => write!(f, "pruning {objects} objects"),
            Phase::Waiting { on } => write!(f, "waiting for {on}"),
            Phase::Deleting { objects } => write!(f, "deleting {objects} objects"),
        }
    }
}

/// How a release ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    Failed { reason: String },
    Skipped { failed_need: String },
}

/// One line of the end-of-run summary.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSummary {
    pub release: String,
    pub namespace: String,
    pub action: Action,
    pub revision: Option<i64>,
    #[serde(serialize_with = "serialize_secs")]
    pub duration: Duration,
    #[serde(flatten)]
    pub outcome: Outcome,
}

fn serialize_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// An event of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RunEvent {
    Started {
        release: String,
    },
    Phase {
        release: String,
        #[serde(flatten)]
        phase: Phase,
    },
    Note {
        release: String,
        message: String,
    },
    Finished(ReleaseSummary),
}

/// Receives events; implemented by the UI. Shared across the tasks of a run.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: RunEvent);
}
