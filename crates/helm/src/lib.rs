//! Helm charts as Helm 4 sees them: loading (`chart`), values semantics (`values`),
//! and native rendering on top of gotmpl (`engine`).

pub mod chart;
pub mod engine;
pub mod kind_order;
pub mod values;
