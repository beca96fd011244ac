//! Executing commands: loading and preparing, the eager DAG scheduler, per-release
//! actions (deploy, uninstall), and the events they report.

pub mod apply;
pub mod deploy;
pub mod destroy;
pub mod events;
pub mod prepare;
pub mod scheduler;
pub mod sim_serve;
pub mod status;
pub mod summary;
pub mod target;
pub mod template;
pub mod values;
