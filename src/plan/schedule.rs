//! Schedule figures for a plan given how long each release takes: the
//! critical path (what an as-soon-as-ready executor can reach with enough
//! concurrency) and the wave-by-wave makespan (what a layered executor
//! takes). Releases without a weight count as zero.

use super::Plan;
use petgraph::Direction;
use std::collections::HashMap;
use std::time::Duration;

impl Plan {
    fn weight(&self, weights: &HashMap<String, Duration>, name: &str) -> Duration {
        weights.get(name).copied().unwrap_or(Duration::ZERO)
    }

    /// The longest chain of needs by total duration, and that chain from
    /// first to last release. Ties go to the release earlier in deployment
    /// order.
    pub fn critical_path(&self, weights: &HashMap<String, Duration>) -> (Duration, Vec<String>) {
        let n = self.releases.len();
        let mut rank = vec![0; n];
        for (pos, &node) in self.order.iter().enumerate() {
            rank[self.graph[node]] = pos;
        }
        let mut finish = vec![Duration::ZERO; n];
        let mut prev: Vec<Option<usize>> = vec![None; n];
        let mut best: Option<usize> = None;
        for &node in &self.order {
            let i = self.graph[node];
            let mut needs: Vec<usize> = self
                .graph
                .neighbors_directed(node, Direction::Incoming)
                .map(|m| self.graph[m])
                .collect();
            needs.sort_by_key(|&j| rank[j]);
            let mut start = Duration::ZERO;
            for j in needs {
                if prev[i].is_none() || finish[j] > start {
                    start = finish[j];
                    prev[i] = Some(j);
                }
            }
            finish[i] = start + self.weight(weights, &self.releases[i].name);
            if best.is_none_or(|b| finish[i] > finish[b]) {
                best = Some(i);
            }
        }
        let Some(end) = best else {
            return (Duration::ZERO, Vec::new());
        };
        let mut path = vec![self.releases[end].name.clone()];
        let mut cur = end;
        while let Some(p) = prev[cur] {
            path.push(self.releases[p].name.clone());
            cur = p;
        }
        path.reverse();
        (finish[end], path)
    }

    /// Time a wave-by-wave schedule takes: each wave starts when the
    /// slowest release of the previous wave is done.
    pub fn layered_makespan(&self, weights: &HashMap<String, Duration>) -> Duration {
        self.waves()
            .iter()
            .map(|wave| {
                wave.iter()
                    .map(|r| self.weight(weights, &r.name))
                    .max()
                    .unwrap_or(Duration::ZERO)
            })
            .sum()
    }
}
