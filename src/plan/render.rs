//! Plan renderers for `capstan plan` and `capstan graph`: text, Graphviz
//! dot, Mermaid and JSON.

use super::Plan;
use petgraph::visit::EdgeRef;
use serde_json::json;

impl Plan {
    /// Waves, one line per release with its needs:
    ///
    /// ```text
    /// wave 1
    ///   mariadb (openstack)
    /// wave 2
    ///   keystone (openstack) needs mariadb, memcached
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, wave) in self.waves().iter().enumerate() {
            out.push_str(&format!("wave {}\n", i + 1));
            for r in wave {
                out.push_str(&format!("  {} ({})", r.name, r.namespace));
                let needs = self.needs_of(&r.name);
                if !needs.is_empty() {
                    out.push_str(&format!(" needs {}", needs.join(", ")));
                }
                let assumed = self.assumed_ready(&r.name);
                if !assumed.is_empty() {
                    out.push_str(&format!(
                        "{}assumed ready: {}",
                        if needs.is_empty() { " " } else { "; " },
                        assumed.join(", ")
                    ));
                }
                out.push('\n');
            }
        }
        out
    }

    /// Graphviz dot; edges point from a need to its dependent.
    pub fn to_dot(&self) -> String {
        let mut out = format!("digraph {} {{\n", dot_quote(&self.stack_name));
        out.push_str("  rankdir=LR;\n  node [shape=box];\n");
        for r in self.releases() {
            out.push_str(&format!("  {};\n", dot_quote(&r.name)));
        }
        for e in self.sorted_edges() {
            out.push_str(&format!("  {} -> {};\n", dot_quote(e.0), dot_quote(e.1)));
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart. Node ids are generated (`r0`, `r1`, ...) because
    /// Mermaid ids cannot hold every character a release name can.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        let releases = self.releases();
        let id = |name: &str| {
            releases
                .iter()
                .position(|r| r.name == name)
                .map(|i| format!("r{i}"))
                .unwrap_or_default()
        };
        for (i, r) in releases.iter().enumerate() {
            out.push_str(&format!("  r{i}[\"{}\"]\n", r.name.replace('"', "#quot;")));
        }
        for (from, to) in self.sorted_edges() {
            out.push_str(&format!("  {} --> {}\n", id(from), id(to)));
        }
        out
    }

    /// JSON: releases in deployment order with wave (1-based), needs and
    /// assumed-ready needs; the waves as name lists; warnings.
    pub fn to_json(&self) -> String {
        let releases: Vec<_> = self
            .releases()
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "namespace": r.namespace,
                    "chart": r.chart.to_string(),
                    "version": r.version,
                    "wave": self.wave_of(&r.name).map(|w| w + 1),
                    "needs": self.needs_of(&r.name),
                    "assumedReady": self.assumed_ready(&r.name),
                })
            })
            .collect();
        let waves: Vec<Vec<&str>> = self
            .waves()
            .iter()
            .map(|w| w.iter().map(|r| r.name.as_str()).collect())
            .collect();
        let doc = json!({
            "stack": self.stack_name,
            "releases": releases,
            "waves": waves,
            "warnings": self.warnings,
        });
        // Serialising a json! value cannot fail.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// (need, dependent) pairs ordered by the dependent's deployment order,
    /// then the need's, so output is stable.
    fn sorted_edges(&self) -> Vec<(&str, &str)> {
        let mut rank = vec![0; self.releases.len()];
        for (pos, &n) in self.order.iter().enumerate() {
            rank[self.graph[n]] = pos;
        }
        let mut edges: Vec<(usize, usize)> = self
            .graph
            .edge_references()
            .map(|e| (self.graph[e.source()], self.graph[e.target()]))
            .collect();
        edges.sort_by_key(|&(from, to)| (rank[to], rank[from]));
        edges
            .into_iter()
            .map(|(from, to)| {
                (
                    self.releases[from].name.as_str(),
                    self.releases[to].name.as_str(),
                )
            })
            .collect()
    }
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
