//! Lock files: per environment, the exact chart version (and digest) each
//! release resolved to, plus a digest of its rendered values, so that what
//! was proven in `staging` can be compared with and promoted to `prod`.
//!
//! Resolution (repository index, OCI) happens elsewhere; this is the model,
//! its file format and the comparison.

use super::{ReleaseSpec, Stack, StackError, ValuesSource};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

const MAX_LOCK_FILE: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LockFile {
    pub stack: String,
    pub environment: String,
    pub releases: Vec<LockedRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LockedRelease {
    pub name: String,
    /// The chart as in the stack (`osh/keystone`, `oci://...`, a path).
    pub chart: String,
    /// The exact version the constraint resolved to.
    pub version: String,
    /// Digest of the chart archive, when known (`sha256:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// [`values_digest`] of the release's values.
    pub values_digest: String,
}

/// One difference between two lock files, `from` → `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockChange {
    Added(String),
    Removed(String),
    Changed {
        release: String,
        field: &'static str,
        from: String,
        to: String,
    },
}

impl std::fmt::Display for LockChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockChange::Added(n) => write!(f, "+ {n}"),
            LockChange::Removed(n) => write!(f, "- {n}"),
            LockChange::Changed {
                release,
                field,
                from,
                to,
            } => write!(f, "~ {release}: {field} {from} → {to}"),
        }
    }
}

/// A stable digest of everything that makes up a release's values: each
/// source's kind, origin and text, then the `set` pairs, length-prefixed so
/// that no two different inputs collide by concatenation.
pub fn values_digest(spec: &ReleaseSpec) -> String {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for source in &spec.values_sources {
        match source {
            // The path is where the file lives on this machine, not what it
            // says; only its text counts.
            ValuesSource::File { rendered_text, .. } => {
                part(b"file");
                part(rendered_text.as_bytes());
            }
            ValuesSource::Inline { yaml_text, .. } => {
                part(b"inline");
                part(yaml_text.as_bytes());
            }
        }
    }
    for (k, v) in &spec.set {
        part(b"set");
        part(k.as_bytes());
        part(v.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl LockFile {
    /// `<dir>/<stack file stem>.<environment>.lock.yaml`; the environment
    /// is `default` when none is selected.
    pub fn path_for(stack: &Stack) -> PathBuf {
        let stem = stack
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| stack.name.clone());
        let env = stack.environment.as_deref().unwrap_or("default");
        stack.dir.join(format!("{stem}.{env}.lock.yaml"))
    }

    /// Reads a lock file; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<LockFile>, StackError> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StackError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut text = String::new();
        file.take(MAX_LOCK_FILE + 1)
            .read_to_string(&mut text)
            .map_err(|source| StackError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if text.len() as u64 > MAX_LOCK_FILE {
            return Err(StackError::at(path, None, None, "lock file is too large"));
        }
        serde_saphyr::from_str(&text).map(Some).map_err(|e| {
            StackError::at(
                path,
                e.location().map(|l| l.line() as usize),
                None,
                e.without_snippet().to_string(),
            )
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), StackError> {
        let text = serde_saphyr::to_string(self).map_err(|e| {
            StackError::at(path, None, None, format!("cannot write lock file: {e}"))
        })?;
        std::fs::write(path, text).map_err(|source| StackError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn release(&self, name: &str) -> Option<&LockedRelease> {
        self.releases.iter().find(|r| r.name == name)
    }

    /// What changes going from `self` to `to`: releases in `self`'s order,
    /// then ones only in `to`.
    pub fn diff(&self, to: &LockFile) -> Vec<LockChange> {
        let mut out = Vec::new();
        for a in &self.releases {
            let Some(b) = to.release(&a.name) else {
                out.push(LockChange::Removed(a.name.clone()));
                continue;
            };
            let none = || "-".to_string();
            let fields: [(&'static str, String, String); 4] = [
                ("chart", a.chart.clone(), b.chart.clone()),
                ("version", a.version.clone(), b.version.clone()),
                (
                    "digest",
                    a.digest.clone().unwrap_or_else(none),
                    b.digest.clone().unwrap_or_else(none),
                ),
                ("values", a.values_digest.clone(), b.values_digest.clone()),
            ];
            for (field, from, to) in fields {
                if from != to {
                    out.push(LockChange::Changed {
                        release: a.name.clone(),
                        field,
                        from,
                        to,
                    });
                }
            }
        }
        for b in &to.releases {
            if self.release(&b.name).is_none() {
                out.push(LockChange::Added(b.name.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::ChartRef;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn locked(name: &str, version: &str, values: &str) -> LockedRelease {
        LockedRelease {
            name: name.into(),
            chart: format!("osh/{name}"),
            version: version.into(),
            digest: None,
            values_digest: values.into(),
        }
    }

    fn spec(sources: Vec<ValuesSource>, set: Vec<(String, String)>) -> ReleaseSpec {
        ReleaseSpec {
            name: "a".into(),
            namespace: "ns".into(),
            chart: ChartRef::Oci("oci://r/a".into()),
            version: None,
            labels: BTreeMap::new(),
            needs: vec![],
            values_sources: sources,
            set,
            installed: true,
            wait: true,
            timeout: Duration::from_secs(1),
            create_namespace: true,
            line: 1,
        }
    }

    #[test]
    fn round_trip_and_diff() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.staging.lock.yaml");
        assert_eq!(LockFile::load(&path).unwrap(), None);
        let staging = LockFile {
            stack: "s".into(),
            environment: "staging".into(),
            releases: vec![
                locked("keystone", "0.3.2", "sha256:1"),
                locked("nova", "0.5.0", "sha256:2"),
            ],
        };
        staging.save(&path).unwrap();
        assert_eq!(LockFile::load(&path).unwrap().as_ref(), Some(&staging));

        let prod = LockFile {
            stack: "s".into(),
            environment: "prod".into(),
            releases: vec![
                locked("keystone", "0.3.1", "sha256:1"),
                locked("glance", "0.1.0", "sha256:3"),
            ],
        };
        let changes: Vec<String> = prod.diff(&staging).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            changes,
            ["~ keystone: version 0.3.1 → 0.3.2", "- glance", "+ nova"]
        );
    }

    #[test]
    fn unknown_keys_in_lock_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock.yaml");
        std::fs::write(&path, "stack: s\nenvironment: e\nreleases: []\nextra: 1\n").unwrap();
        let err = LockFile::load(&path).unwrap_err().to_string();
        assert!(err.contains(":4: unknown field `extra`"), "{err}");
    }

    #[test]
    fn values_digest_tracks_text_not_paths() {
        let file = |p: &str, t: &str| ValuesSource::File {
            path: p.into(),
            rendered_text: t.into(),
        };
        let a = values_digest(&spec(vec![file("/x/v.yaml", "a: 1\n")], vec![]));
        let b = values_digest(&spec(vec![file("/y/v.yaml", "a: 1\n")], vec![]));
        let c = values_digest(&spec(vec![file("/x/v.yaml", "a: 2\n")], vec![]));
        let d = values_digest(&spec(
            vec![file("/x/v.yaml", "a: 1\n")],
            vec![("k".into(), "v".into())],
        ));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
    }

    #[test]
    fn lock_path_per_environment() {
        let stack = Stack {
            name: "openstack".into(),
            path: PathBuf::from("stacks/openstack.yaml"),
            dir: PathBuf::from("stacks"),
            environment: Some("prod".into()),
            kube_context: None,
            repositories: vec![],
            releases: vec![],
        };
        assert_eq!(
            LockFile::path_for(&stack),
            PathBuf::from("stacks/openstack.prod.lock.yaml")
        );
    }
}
