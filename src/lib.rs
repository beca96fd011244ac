//! capstan: deploy whole stacks of Helm charts in one command.
//!
//! The binary's commands are defined in [`cli`] and carried out by [`run`]; a stack
//! file is read by [`stack`] and turned into a dependency graph by [`plan`]; [`ui`]
//! shows progress. Charts are rendered by `capstan-helm`, applied and recorded by
//! `capstan-cluster`, and `kubesim` is the embedded cluster.

pub mod cli;
pub mod plan;
pub mod run;
pub mod stack;
pub mod ui;
