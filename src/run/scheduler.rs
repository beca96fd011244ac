//! The eager DAG scheduler: a release starts the moment every release it needs has
//! succeeded, never waiting for unrelated releases of the same "wave". A failure stops
//! only the releases that (transitively) need the failed one; independent branches go on.
//!
//! The scheduler knows nothing of Helm or Kubernetes: it runs one future per node and
//! only looks at whether it succeeded. Whether "succeeded" means "applied" or "applied
//! and ready" is the caller's choice (`wait: false` releases finish right after apply).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

/// One unit of work and the names of the units it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub needs: Vec<String>,
}

/// How a node ended.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeOutcome<T, F = String> {
    Succeeded(T),
    Failed(F),
    /// Not started because a need failed or was itself skipped.
    Skipped {
        failed_need: String,
    },
}

/// What the scheduler reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedulerEvent {
    Started(String),
    Skipped { name: String, failed_need: String },
}

/// Errors in the graph given to the scheduler (the plan validates these earlier; the
/// scheduler re-checks so it can never wait forever).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("{node} needs {need}, which is not part of this run")]
    UnknownNeed { node: String, need: String },
    #[error("the needs of {0} form a cycle")]
    Cycle(String),
}

/// Runs `work(name)` for every node, at most `concurrency` at a time, each as soon as
/// all its needs succeeded. Needs that are not nodes of this run are errors: the caller
/// removes needs that are satisfied outside the run before calling.
pub async fn run_dag<T, F, W, Fut, E>(
    nodes: &[Node],
    concurrency: usize,
    mut work: W,
    mut on_event: E,
) -> Result<BTreeMap<String, NodeOutcome<T, F>>, ScheduleError>
where
    W: FnMut(String) -> Fut,
    Fut: Future<Output = Result<T, F>>,
    E: FnMut(SchedulerEvent),
{
    let concurrency = concurrency.max(1);
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut waiting_on = vec![0usize; nodes.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        for need in &node.needs {
            let Some(&j) = index.get(need.as_str()) else {
                return Err(ScheduleError::UnknownNeed {
                    node: node.name.clone(),
                    need: need.clone(),
                });
            };
            waiting_on[i] += 1;
            dependents[j].push(i);
        }
    }
    check_acyclic(nodes, &waiting_on, &dependents)?;

    // Ready nodes start in the order they were given (the plan's topological order),
    // so runs are reproducible when concurrency is the bottleneck.
    let mut ready: VecDeque<usize> = (0..nodes.len()).filter(|&i| waiting_on[i] == 0).collect();
    let mut outcomes: BTreeMap<String, NodeOutcome<T, F>> = BTreeMap::new();
    let mut in_flight = FuturesUnordered::new();

    loop {
        while in_flight.len() < concurrency {
            let Some(i) = ready.pop_front() else { break };
            let name = nodes[i].name.clone();
            on_event(SchedulerEvent::Started(name.clone()));
            let fut = work(name);
            in_flight.push(async move { (i, fut.await) });
        }
        let Some((i, result)) = in_flight.next().await else {
            break;
        };
        match result {
            Ok(value) => {
                outcomes.insert(nodes[i].name.clone(), NodeOutcome::Succeeded(value));
                for &d in &dependents[i] {
                    waiting_on[d] -= 1;
                    if waiting_on[d] == 0 && !outcomes.contains_key(&nodes[d].name) {
                        ready.push_back(d);
                    }
                }
            }
            Err(message) => {
                outcomes.insert(nodes[i].name.clone(), NodeOutcome::Failed(message));
                skip_dependents(nodes, &dependents, i, &mut outcomes, &mut on_event);
            }
        }
    }
    Ok(outcomes)
}

fn skip_dependents<T, F, E: FnMut(SchedulerEvent)>(
    nodes: &[Node],
    dependents: &[Vec<usize>],
    failed: usize,
    outcomes: &mut BTreeMap<String, NodeOutcome<T, F>>,
    on_event: &mut E,
) {
    let mut stack = vec![failed];
    while let Some(i) = stack.pop() {
        for &d in &dependents[i] {
            if outcomes.contains_key(&nodes[d].name) {
                continue;
            }
            let failed_need = nodes[i].name.clone();
            on_event(SchedulerEvent::Skipped {
                name: nodes[d].name.clone(),
                failed_need: failed_need.clone(),
            });
            outcomes.insert(nodes[d].name.clone(), NodeOutcome::Skipped { failed_need });
            stack.push(d);
        }
    }
}

/// Kahn's algorithm over the same counters the scheduler uses: any node left with
/// unmet needs sits on a cycle (or behind one).
fn check_acyclic(
    nodes: &[Node],
    waiting_on: &[usize],
    dependents: &[Vec<usize>],
) -> Result<(), ScheduleError> {
    let mut remaining = waiting_on.to_vec();
    let mut queue: Vec<usize> = (0..nodes.len()).filter(|&i| remaining[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = queue.pop() {
        seen += 1;
        for &d in &dependents[i] {
            remaining[d] -= 1;
            if remaining[d] == 0 {
                queue.push(d);
            }
        }
    }
    if seen == nodes.len() {
        return Ok(());
    }
    let stuck = (0..nodes.len())
        .find(|&i| remaining[i] > 0)
        .map(|i| nodes[i].name.clone())
        .unwrap_or_default();
    Err(ScheduleError::Cycle(stuck))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use tokio::time::Instant;

    fn node(name: &str, needs: &[&str]) -> Node {
        Node {
            name: name.to_string(),
            needs: needs.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Runs the graph with simulated durations (paused tokio clock) and returns each
    /// node's start offset in seconds.
    async fn simulate(
        nodes: &[Node],
        secs: &[(&str, u64)],
        fail: &[&str],
        concurrency: usize,
    ) -> (BTreeMap<String, NodeOutcome<()>>, BTreeMap<String, u64>) {
        let durations: HashMap<String, u64> =
            secs.iter().map(|(n, s)| (n.to_string(), *s)).collect();
        let fail: Vec<String> = fail.iter().map(|s| s.to_string()).collect();
        let starts = Arc::new(Mutex::new(BTreeMap::new()));
        let t0 = Instant::now();
        let outcomes = run_dag(
            nodes,
            concurrency,
            |name| {
                let d = durations.get(&name).copied().unwrap_or(1);
                let fails = fail.contains(&name);
                let starts = starts.clone();
                async move {
                    starts
                        .lock()
                        .unwrap()
                        .insert(name.clone(), t0.elapsed().as_secs());
                    tokio::time::sleep(Duration::from_secs(d)).await;
                    if fails {
                        Err(format!("{name} broke"))
                    } else {
                        Ok(())
                    }
                }
            },
            |_| {},
        )
        .await
        .unwrap();
        let starts = starts.lock().unwrap().clone();
        (outcomes, starts)
    }

    #[tokio::test(start_paused = true)]
    async fn starts_a_release_as_soon_as_its_own_needs_are_done() {
        // Waves would be {db, slow} then {api, other}: api must not wait for slow.
        let nodes = [
            node("db", &[]),
            node("slow", &[]),
            node("api", &["db"]),
            node("other", &["slow"]),
        ];
        let (outcomes, starts) = simulate(
            &nodes,
            &[("db", 1), ("slow", 10), ("api", 1), ("other", 1)],
            &[],
            8,
        )
        .await;
        assert_eq!(
            starts["api"], 1,
            "api starts when db is done, not when slow is"
        );
        assert_eq!(starts["other"], 10);
        assert!(outcomes.values().all(|o| *o == NodeOutcome::Succeeded(())));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_caps_releases_in_flight() {
        let nodes = [node("a", &[]), node("b", &[]), node("c", &[])];
        let (_, starts) = simulate(&nodes, &[("a", 2), ("b", 2), ("c", 2)], &[], 2).await;
        assert_eq!(starts["a"], 0);
        assert_eq!(starts["b"], 0);
        assert_eq!(starts["c"], 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_skips_only_its_dependents() {
        let nodes = [
            node("mariadb", &[]),
            node("keystone", &["mariadb"]),
            node("nova", &["keystone"]),
            node("memcached", &[]),
            node("horizon", &["memcached"]),
        ];
        let (outcomes, starts) = simulate(&nodes, &[], &["mariadb"], 8).await;
        assert_eq!(
            outcomes["mariadb"],
            NodeOutcome::Failed("mariadb broke".into())
        );
        assert_eq!(
            outcomes["keystone"],
            NodeOutcome::Skipped {
                failed_need: "mariadb".into()
            }
        );
        assert_eq!(
            outcomes["nova"],
            NodeOutcome::Skipped {
                failed_need: "keystone".into()
            }
        );
        assert_eq!(outcomes["horizon"], NodeOutcome::Succeeded(()));
        assert!(!starts.contains_key("keystone"));
    }

    #[tokio::test]
    async fn unknown_needs_and_cycles_are_errors_not_hangs() {
        let unknown = run_dag(
            &[node("a", &["zz"])],
            1,
            |_| async { Ok::<(), String>(()) },
            |_| {},
        )
        .await;
        assert_eq!(
            unknown.unwrap_err(),
            ScheduleError::UnknownNeed {
                node: "a".into(),
                need: "zz".into()
            }
        );
        let cycle = run_dag(
            &[node("a", &["b"]), node("b", &["a"])],
            1,
            |_| async { Ok::<(), String>(()) },
            |_| {},
        )
        .await;
        assert!(matches!(cycle, Err(ScheduleError::Cycle(_))));
    }
}
