//! Executing a plan: the eager DAG scheduler, per-release actions, and events.

pub mod events;
pub mod scheduler;
