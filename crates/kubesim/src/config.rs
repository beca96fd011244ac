//! Simulator configuration: global ready delay, state file and rules.
//!
//! Rule strings have the form `MATCHER=ACTION` (or `MATCHER:ACTION`); see
//! [`SimRule::parse`] for the grammar.

use std::path::PathBuf;
use std::time::Duration;

use crate::selector::LabelSelector;

/// Annotation that overrides the ready delay of one object (e.g. `"3s"`).
pub const ANNOTATION_READY_DELAY: &str = "kubesim.capstan.dev/ready-delay";
/// Annotation that injects a [`Fault`] into one workload (e.g. `CrashLoopBackOff`).
pub const ANNOTATION_FAULT: &str = "kubesim.capstan.dev/fault";

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Time a workload, PVC, pod or LoadBalancer takes to become ready after its spec changes.
    pub ready_delay: Duration,
    /// Where the state is kept between processes (loaded at start, saved after changes).
    pub state_file: Option<PathBuf>,
    /// Per-object delays and faults, and API faults.
    pub rules: Vec<SimRule>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            ready_delay: Duration::from_secs(1),
            state_file: None,
            rules: Vec::new(),
        }
    }
}

/// A workload fault the simulated controllers inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Containers start then crash; restartCount climbs; never ready.
    CrashLoopBackOff,
    /// The image cannot be pulled; pods stay Pending.
    ImagePullBackOff,
    /// Jobs fail with BackoffLimitExceeded.
    JobFails,
    /// Pods run but their readiness probe never passes.
    NeverReady,
}

impl Fault {
    /// Parses a fault name (case-insensitive).
    pub fn parse(s: &str) -> Option<Fault> {
        match s.trim().to_ascii_lowercase().as_str() {
            "crashloopbackoff" | "crashloop" => Some(Fault::CrashLoopBackOff),
            "imagepullbackoff" | "imagepull" | "errimagepull" => Some(Fault::ImagePullBackOff),
            "jobfails" | "jobfail" | "backofflimitexceeded" => Some(Fault::JobFails),
            "neverready" => Some(Fault::NeverReady),
            _ => None,
        }
    }
}

/// When an API error rule fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    /// Every matching request fails.
    Always,
    /// Each matching request fails with this probability (0.0..=1.0).
    Probability(f64),
    /// The first N matching requests fail, later ones succeed.
    Count(u32),
}

/// What a rule does to the objects or requests it matches.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleAction {
    /// Ready delay for matching objects (overrides [`SimConfig::ready_delay`]).
    ReadyDelay(Duration),
    /// Workload fault for matching objects.
    Fault(Fault),
    /// Matching API requests answer with this HTTP code (429, 500, 503, ...) as a Status.
    ApiError { code: u16, trigger: Trigger },
    /// Matching API requests are delayed by this long before being served.
    Latency(Duration),
    /// Matching watch streams are closed by the server after this long.
    DropWatch(Duration),
}

/// Which objects (or requests) a rule applies to. Every present part must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matcher {
    /// Glob over the kind, its plural or a short name, lower-case (`deployment`, `deploy`, `*`).
    pub kind: Option<String>,
    /// Glob over the namespace.
    pub namespace: Option<String>,
    /// Glob over the name.
    pub name: Option<String>,
    /// Label selector over the object's labels (object rules only; API rules ignore requests
    /// they cannot see labels for).
    pub labels: Option<LabelSelector>,
}

/// A matcher and an action.
#[derive(Clone, Debug, PartialEq)]
pub struct SimRule {
    pub matcher: Matcher,
    pub action: RuleAction,
}

/// A rule string could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid kubesim rule {rule:?}: {reason}")]
pub struct RuleParseError {
    pub rule: String,
    pub reason: String,
}

const ACTION_WORDS: &[&str] = &[
    "delay",
    "ready-delay",
    "fault",
    "error",
    "api-error",
    "latency",
    "drop-watch",
];

impl SimRule {
    /// Parses a rule from a string.
    ///
    /// Syntax: `MATCHER SEP ACTION` where SEP is `=` or `:` and ACTION starts with one of
    /// the action words below (the last separator followed by an action word splits):
    ///
    /// MATCHER is one of
    /// - `KIND/NAMESPACE/NAME`, `KIND/NAME`, `KIND` — globs with `*` and `?`; KIND is the
    ///   lower-case kind, plural or short name (`deployment`, `deployments`, `deploy`).
    /// - a label selector: `app.kubernetes.io/instance=keystone`, `tier in (db,cache)`, `!x`
    ///   (recognised by containing `=`, `!` or `(`); it matches the object's labels or
    ///   its pod template's labels. API fault rules with a selector never fire.
    /// - both: `deployment/openstack/*[app=nova]`.
    /// - `*` or empty: everything.
    ///
    /// ACTION is one of
    /// - `delay=3s` (also `ready-delay`): ready delay, Go duration syntax (`500ms`, `1m30s`).
    /// - `fault=CrashLoopBackOff|ImagePullBackOff|JobFails|NeverReady`.
    /// - `error=503` (every request), `error=500,p=0.25` (probability), `error=429,count=3`
    ///   (first 3 requests); also `api-error`.
    /// - `latency=200ms`: delay matching API requests.
    /// - `drop-watch=5s`: close matching watches after 5s.
    ///
    /// Precedence for an object: its annotations, then the first matching rule of each
    /// action kind, then [`SimConfig::ready_delay`]. API error rules: the first that fires.
    ///
    /// `:` may replace `=` after the action word. Examples:
    /// `deployment/openstack/nova-*=fault:CrashLoopBackOff`,
    /// `app.kubernetes.io/instance=keystone:delay=3s`, `secrets=error:503,count=2`.
    pub fn parse(s: &str) -> Result<SimRule, RuleParseError> {
        let err = |reason: &str| RuleParseError {
            rule: s.to_string(),
            reason: reason.to_string(),
        };
        let (matcher_str, action_str) = split_rule(s).ok_or_else(|| {
            err("no action found (expected e.g. `=delay=3s`, `=fault:CrashLoopBackOff`)")
        })?;
        let matcher = parse_matcher(matcher_str).map_err(|e| err(&e))?;
        let action = parse_action(action_str).map_err(|e| err(&e))?;
        Ok(SimRule { matcher, action })
    }
}

/// Finds the last `=`/`:` followed by an action word and `=`/`:`.
fn split_rule(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut found = None;
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'=' && *b != b':' {
            continue;
        }
        let rest = &s[i + 1..];
        if starts_with_action(rest) {
            found = Some(i);
        }
    }
    if found.is_none() && starts_with_action(s) {
        return Some(("", s));
    }
    found.map(|i| (&s[..i], &s[i + 1..]))
}

fn starts_with_action(rest: &str) -> bool {
    ACTION_WORDS.iter().any(|w| {
        rest.len() > w.len()
            && rest[..w.len()].eq_ignore_ascii_case(w)
            && matches!(rest.as_bytes()[w.len()], b'=' | b':')
    })
}

fn parse_matcher(s: &str) -> Result<Matcher, String> {
    let s = s.trim();
    if s.is_empty() || s == "*" {
        return Ok(Matcher::default());
    }
    let (path, labels) = if let Some(open) = s.find('[') {
        if !s.ends_with(']') {
            return Err("unterminated `[` in matcher".into());
        }
        (&s[..open], Some(&s[open + 1..s.len() - 1]))
    } else if s.contains(['=', '!', '(']) {
        ("", Some(s))
    } else {
        (s, None)
    };
    let mut m = Matcher::default();
    if let Some(l) = labels {
        m.labels = Some(LabelSelector::parse(l)?);
    }
    let parts: Vec<&str> = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/').collect()
    };
    let some = |p: &str| {
        if p.is_empty() || p == "*" {
            None
        } else {
            Some(p.to_ascii_lowercase())
        }
    };
    match parts.as_slice() {
        [] => {}
        [k] => m.kind = some(k),
        [k, n] => {
            m.kind = some(k);
            m.name = some(n);
        }
        [k, ns, n] => {
            m.kind = some(k);
            m.namespace = some(ns);
            m.name = some(n);
        }
        _ => return Err("matcher has more than three `/` parts".into()),
    }
    Ok(m)
}

fn parse_action(s: &str) -> Result<RuleAction, String> {
    let sep = s
        .find(['=', ':'])
        .ok_or_else(|| "action needs a value".to_string())?;
    let word = s[..sep].to_ascii_lowercase();
    let rest = &s[sep + 1..];
    match word.as_str() {
        "delay" | "ready-delay" => Ok(RuleAction::ReadyDelay(parse_duration(rest)?)),
        "latency" => Ok(RuleAction::Latency(parse_duration(rest)?)),
        "drop-watch" => Ok(RuleAction::DropWatch(parse_duration(rest)?)),
        "fault" => Fault::parse(rest)
            .map(RuleAction::Fault)
            .ok_or_else(|| format!("unknown fault {rest:?}")),
        "error" | "api-error" => {
            let mut parts = rest.split([',', ':']);
            let code_str = parts.next().unwrap_or_default().trim();
            let code: u16 = code_str
                .parse()
                .map_err(|_| format!("bad HTTP code {code_str:?}"))?;
            if !(400..=599).contains(&code) {
                return Err(format!("HTTP code {code} is not an error code"));
            }
            let mut trigger = Trigger::Always;
            for opt in parts {
                let (k, v) = opt
                    .split_once('=')
                    .ok_or_else(|| format!("bad error option {opt:?}"))?;
                match k.trim() {
                    "p" | "probability" => {
                        let p: f64 = v
                            .trim()
                            .parse()
                            .map_err(|_| format!("bad probability {v:?}"))?;
                        if !(0.0..=1.0).contains(&p) {
                            return Err("probability must be within 0..1".into());
                        }
                        trigger = Trigger::Probability(p);
                    }
                    "count" | "n" => {
                        let n: u32 = v.trim().parse().map_err(|_| format!("bad count {v:?}"))?;
                        trigger = Trigger::Count(n);
                    }
                    other => return Err(format!("unknown error option {other:?}")),
                }
            }
            Ok(RuleAction::ApiError { code, trigger })
        }
        other => Err(format!("unknown action {other:?}")),
    }
}

/// Parses a Go-style duration (`3s`, `500ms`, `1m30s`, `2h`); a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = s.parse::<f64>() {
        return secs_to_duration(secs).ok_or_else(|| format!("bad duration {s:?}"));
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("duration {s:?} lacks a unit"))?;
        if num_end == 0 {
            return Err(format!("bad duration {s:?}"));
        }
        let n: f64 = rest[..num_end]
            .parse()
            .map_err(|_| format!("bad duration {s:?}"))?;
        let after = &rest[num_end..];
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let factor = match &after[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            u => return Err(format!("unknown duration unit {u:?}")),
        };
        total += n * factor;
        rest = &after[unit_end..];
    }
    secs_to_duration(total).ok_or_else(|| format!("bad duration {s:?}"))
}

fn secs_to_duration(secs: f64) -> Option<Duration> {
    // Bound to a day: longer delays are certainly typos and would overflow timers.
    if secs.is_finite() && (0.0..=86_400.0).contains(&secs) {
        Some(Duration::from_secs_f64(secs))
    } else {
        None
    }
}

/// Matches `text` against a glob with `*` (any run) and `?` (one char).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with single backtrack point: linear memory, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_path_rule() {
        let r = SimRule::parse("deployment/openstack/nova-*=fault:CrashLoopBackOff").unwrap();
        assert_eq!(r.matcher.kind.as_deref(), Some("deployment"));
        assert_eq!(r.matcher.namespace.as_deref(), Some("openstack"));
        assert_eq!(r.matcher.name.as_deref(), Some("nova-*"));
        assert_eq!(r.action, RuleAction::Fault(Fault::CrashLoopBackOff));
    }

    #[test]
    fn parses_label_rule() {
        let r = SimRule::parse("app.kubernetes.io/instance=keystone:delay=3s").unwrap();
        assert!(r.matcher.kind.is_none());
        let sel = r.matcher.labels.unwrap();
        let mut labels = serde_json::Map::new();
        labels.insert("app.kubernetes.io/instance".into(), "keystone".into());
        assert!(sel.matches_map(Some(&labels)));
        assert_eq!(r.action, RuleAction::ReadyDelay(Duration::from_secs(3)));
    }

    #[test]
    fn parses_combined_and_errors() {
        let r = SimRule::parse("deploy/ns/*[tier=fault]=delay=1m30s").unwrap();
        assert_eq!(r.matcher.kind.as_deref(), Some("deploy"));
        assert!(r.matcher.labels.is_some());
        assert_eq!(r.action, RuleAction::ReadyDelay(Duration::from_secs(90)));
        let r = SimRule::parse("secrets=error:503,count=2").unwrap();
        assert_eq!(
            r.action,
            RuleAction::ApiError {
                code: 503,
                trigger: Trigger::Count(2)
            }
        );
        let r = SimRule::parse("*=error=500,p=0.5").unwrap();
        assert_eq!(
            r.action,
            RuleAction::ApiError {
                code: 500,
                trigger: Trigger::Probability(0.5)
            }
        );
        let r = SimRule::parse("latency=250ms").unwrap();
        assert_eq!(r.matcher, Matcher::default());
        assert_eq!(r.action, RuleAction::Latency(Duration::from_millis(250)));
        assert!(SimRule::parse("deployment/x").is_err());
        assert!(SimRule::parse("x=fault:Nope").is_err());
        assert!(SimRule::parse("x=error:200").is_err());
        assert!(SimRule::parse("a/b/c/d=delay=1s").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999h").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("nova-*", "nova-api"));
        assert!(!glob_match("nova-*", "keystone"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(glob_match("*a*b", "xxaxxb"));
        assert!(!glob_match("*a*b", "xxaxxbc"));
    }
}
