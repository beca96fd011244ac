//! The release graph: DAG, cycles, waves, selection.
//!
//! Rules (also in the docs):
//! - Releases with `installed: false` are not in the plan. A `needs` on such
//!   a release is dropped with a warning ([`Plan::warnings`]), as helmfile
//!   does: switching a component off per environment should not force edits
//!   to everything that uses it.
//! - A `needs` naming no release at all is an error, with the closest name
//!   suggested. `namespace/name` must match the release's namespace.
//! - Cycles are checked on all installed releases, whatever the selection.
//! - Selection: releases matching any selector. With `include_needs`, their
//!   transitive needs join the plan. Without it, needs outside the selection
//!   are assumed already deployed and ready ([`Plan::assumed_ready`]).

mod error;
mod render;
mod schedule;

pub use error::PlanError;

use crate::stack::{ReleaseSpec, Selector, Stack, matches_any};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};

/// An ordered, validated deployment plan.
#[derive(Debug, Clone)]
pub struct Plan {
    stack_name: String,
    /// Node weights are positions in `releases`; edges go need → dependent.
    graph: DiGraph<usize, ()>,
    /// Planned releases in stack file order.
    releases: Vec<ReleaseSpec>,
    by_name: HashMap<String, NodeIndex>,
    /// Topological order, ties broken by stack file order.
    order: Vec<NodeIndex>,
    /// Longest-path level of each node (0-based), indexed like `releases`.
    level: Vec<usize>,
    /// Needs outside the selection, per release, assumed ready.
    assumed: Vec<Vec<String>>,
    warnings: Vec<String>,
}

impl Plan {
    pub fn build(
        stack: &Stack,
        selectors: &[Selector],
        include_needs: bool,
    ) -> Result<Plan, PlanError> {
        let installed: Vec<&ReleaseSpec> = stack.releases.iter().filter(|r| r.installed).collect();
        let pos: HashMap<&str, usize> = installed
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();

        // Resolve needs over the whole stack, so typos are caught whatever
        // the selection and environment.
        let mut warnings = Vec::new();
        let mut needs: Vec<Vec<usize>> = vec![Vec::new(); installed.len()];
        for (i, r) in installed.iter().enumerate() {
            for need in &r.needs {
                let target = resolve_need(stack, r, need)?;
                match pos.get(target.name.as_str()) {
                    Some(&j) => {
                        if !needs[i].contains(&j) {
                            needs[i].push(j);
                        }
                    }
                    None => warnings.push(format!(
                        "release {} needs {need:?}, which is not installed in this environment; \
                         the need is ignored",
                        r.name
                    )),
                }
            }
        }
        if let Some(path) = find_cycle(&needs) {
            return Err(PlanError::Cycle {
                path: path
                    .into_iter()
                    .map(|i| installed[i].name.clone())
                    .collect(),
            });
        }

        // Selection, then the needs closure when asked for.
        let mut selected: Vec<bool> = installed
            .iter()
            .map(|r| matches_any(selectors, r))
            .collect();
        if !selected.iter().any(|s| *s) && !installed.is_empty() {
            return Err(PlanError::NothingSelected {
                selectors: selectors
                    .iter()
                    .map(|s| format!("-l {s}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        if include_needs {
            let mut queue: VecDeque<usize> =
                (0..installed.len()).filter(|&i| selected[i]).collect();
            while let Some(i) = queue.pop_front() {
                for &j in &needs[i] {
                    if !selected[j] {
                        selected[j] = true;
                        queue.push_back(j);
                    }
                }
            }
        }

        let mut graph = DiGraph::new();
        let mut releases = Vec::new();
        let mut node_of: HashMap<usize, NodeIndex> = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, r) in installed.iter().enumerate().filter(|(i, _)| selected[*i]) {
            let n = graph.add_node(releases.len());
            releases.push((*r).clone());
            node_of.insert(i, n);
            by_name.insert(r.name.clone(), n);
        }
        let mut assumed = vec![Vec::new(); releases.len()];
        for (i, r_needs) in needs.iter().enumerate() {
            let Some(&to) = node_of.get(&i) else { continue };
            for &j in r_needs {
                match node_of.get(&j) {
                    Some(&from) => {
                        graph.add_edge(from, to, ());
                    }
                    None => assumed[graph[to]].push(installed[j].name.clone()),
                }
            }
        }

        let order = topo_order(&graph);
        let mut level = vec![0; releases.len()];
        for &n in &order {
            level[graph[n]] = graph
                .neighbors_directed(n, Direction::Incoming)
                .map(|m| level[graph[m]] + 1)
                .max()
                .unwrap_or(0);
        }
        Ok(Plan {
            stack_name: stack.name.clone(),
            graph,
            releases,
            by_name,
            order,
            level,
            assumed,
            warnings,
        })
    }

    fn spec(&self, n: NodeIndex) -> &ReleaseSpec {
        &self.releases[self.graph[n]]
    }

    /// Planned releases in deployment (topological) order; among releases
    /// free to go at the same time, stack file order.
    pub fn releases(&self) -> Vec<&ReleaseSpec> {
        self.order.iter().map(|&n| self.spec(n)).collect()
    }

    pub fn release(&self, name: &str) -> Option<&ReleaseSpec> {
        self.by_name.get(name).map(|&n| self.spec(n))
    }

    pub fn len(&self) -> usize {
        self.releases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    /// Direct needs of `name` inside the plan, in stack file order. Empty
    /// for a name not in the plan.
    pub fn needs_of(&self, name: &str) -> Vec<&str> {
        self.neighbors(name, Direction::Incoming)
    }

    /// Releases that directly need `name`, in stack file order.
    pub fn direct_dependents_of(&self, name: &str) -> Vec<&str> {
        self.neighbors(name, Direction::Outgoing)
    }

    fn neighbors(&self, name: &str, dir: Direction) -> Vec<&str> {
        let Some(&n) = self.by_name.get(name) else {
            return Vec::new();
        };
        let mut ns: Vec<NodeIndex> = self.graph.neighbors_directed(n, dir).collect();
        ns.sort_by_key(|&m| self.graph[m]);
        ns.into_iter().map(|m| self.spec(m).name.as_str()).collect()
    }

    /// Everything that needs `name`, directly or not, in deployment order:
    /// what to skip when `name` fails.
    pub fn dependents_of(&self, name: &str) -> Vec<&str> {
        let Some(&start) = self.by_name.get(name) else {
            return Vec::new();
        };
        let mut seen = vec![false; self.releases.len()];
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            for m in self.graph.neighbors_directed(n, Direction::Outgoing) {
                if !seen[self.graph[m]] {
                    seen[self.graph[m]] = true;
                    stack.push(m);
                }
            }
        }
        self.order
            .iter()
            .filter(|&&n| seen[self.graph[n]])
            .map(|&n| self.spec(n).name.as_str())
            .collect()
    }

    /// Needs of `name` left out by the selection (without `include_needs`),
    /// assumed to be deployed and ready already.
    pub fn assumed_ready(&self, name: &str) -> &[String] {
        match self.by_name.get(name) {
            Some(&n) => &self.assumed[self.graph[n]],
            None => &[],
        }
    }

    /// Warnings found while planning (needs on releases not installed).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Releases grouped by longest-path level: wave 0 needs nothing, a
    /// release is in the wave after its latest need. Each wave in
    /// deployment order.
    pub fn waves(&self) -> Vec<Vec<&ReleaseSpec>> {
        let count = self.level.iter().max().map_or(0, |m| m + 1);
        let mut waves = vec![Vec::new(); count];
        for &n in &self.order {
            waves[self.level[self.graph[n]]].push(self.spec(n));
        }
        waves
    }

    /// Wave index (0-based) of a planned release.
    pub fn wave_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).map(|&n| self.level[self.graph[n]])
    }

    /// Teardown order for `destroy`: dependents before what they need.
    pub fn reverse_order(&self) -> Vec<&ReleaseSpec> {
        let mut v = self.releases();
        v.reverse();
        v
    }

    /// Names of all releases whose needs are a subset of `done`, that are
    /// not in `done` themselves and not in `exclude`: what an executor may
    /// start now. In deployment order.
    pub fn ready_to_start<'a>(
        &'a self,
        done: &BTreeSet<&str>,
        exclude: &BTreeSet<&str>,
    ) -> Vec<&'a str> {
        self.order
            .iter()
            .map(|&n| (n, self.spec(n).name.as_str()))
            .filter(|(_, name)| !done.contains(name) && !exclude.contains(name))
            .filter(|(n, _)| {
                self.graph
                    .neighbors_directed(*n, Direction::Incoming)
                    .all(|m| done.contains(self.spec(m).name.as_str()))
            })
            .map(|(_, name)| name)
            .collect()
    }
}

/// Resolves `name` or `namespace/name` to a release of the stack (installed
/// or not).
fn resolve_need<'s>(
    stack: &'s Stack,
    release: &ReleaseSpec,
    need: &str,
) -> Result<&'s ReleaseSpec, PlanError> {
    let (ns, name) = match need.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, need),
    };
    let Some(target) = stack.releases.iter().find(|r| r.name == name) else {
        return Err(PlanError::UnknownNeed {
            release: release.name.clone(),
            need: need.to_string(),
            suggestion: error::closest(name, stack.releases.iter().map(|r| r.name.as_str())),
        });
    };
    if let Some(ns) = ns
        && ns != target.namespace
    {
        return Err(PlanError::NamespaceMismatch {
            release: release.name.clone(),
            need: need.to_string(),
            name: target.name.clone(),
            namespace: target.namespace.clone(),
        });
    }
    Ok(target)
}

/// Finds a cycle in the "needs" relation and returns it as a path that
/// starts and ends with the same index, each needing the next. Iterative
/// colouring DFS (no recursion: stack files are untrusted input), visiting
/// in stack order so the reported cycle is deterministic.
fn find_cycle(needs: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; needs.len()];
    for start in 0..needs.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // (node, next child position); `path` mirrors the active nodes.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Active;
        while let Some(&mut (n, ref mut child)) = stack.last_mut() {
            if let Some(&m) = needs[n].get(*child) {
                *child += 1;
                match mark[m] {
                    Mark::New => {
                        mark[m] = Mark::Active;
                        stack.push((m, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(x, _)| x == m).unwrap_or(0);
                        let mut path: Vec<usize> = stack[from..].iter().map(|&(x, _)| x).collect();
                        path.push(m);
                        return Some(path);
                    }
                    Mark::Done => {}
                }
            } else {
                mark[n] = Mark::Done;
                stack.pop();
            }
        }
    }
    None
}

/// Kahn's algorithm with a min-heap on stack order. The graph is acyclic
/// (checked before), so every node is emitted.
fn topo_order(graph: &DiGraph<usize, ()>) -> Vec<NodeIndex> {
    let mut indegree: Vec<usize> = graph
        .node_indices()
        .map(|n| graph.neighbors_directed(n, Direction::Incoming).count())
        .collect();
    let mut heap: BinaryHeap<Reverse<(usize, NodeIndex)>> = graph
        .node_indices()
        .filter(|n| indegree[n.index()] == 0)
        .map(|n| Reverse((graph[n], n)))
        .collect();
    let mut order = Vec::with_capacity(graph.node_count());
    while let Some(Reverse((_, n))) = heap.pop() {
        order.push(n);
        for m in graph.neighbors_directed(n, Direction::Outgoing) {
            indegree[m.index()] -= 1;
            if indegree[m.index()] == 0 {
                heap.push(Reverse((graph[m], m)));
            }
        }
    }
    order
}

#[cfg(test)]
mod tests;
