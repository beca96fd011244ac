//! Errors of cluster operations, worded for the operator who reads them.

use std::fmt;

use thiserror::Error;

use crate::manifest::ManifestError;
use crate::objref::ObjectRef;

/// What the API server answered, reduced to what an operator needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status code, 0 when the request never got an answer.
    pub code: u16,
    /// The Status reason (`Invalid`, `NotFound`, `Conflict`, ...), empty when unknown.
    pub reason: String,
    pub message: String,
}

impl ApiFailure {
    pub fn from_kube(err: &kube::Error) -> Self {
        match err {
            kube::Error::Api(status) => ApiFailure {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            other => ApiFailure {
                code: 0,
                reason: String::new(),
                message: other.to_string(),
            },
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code == 404
    }

    pub fn is_already_exists(&self) -> bool {
        self.code == 409 && self.reason == "AlreadyExists"
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.reason.is_empty()) {
            (0, _) => write!(f, "{}", self.message),
            (code, true) => write!(f, "{code}: {}", self.message),
            (code, false) => write!(f, "{code} {}: {}", self.reason, self.message),
        }
    }
}

/// An error of a cluster operation.
#[derive(Debug, Error)]
pub enum ClusterError {
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    #[error("kubernetes client: {0}")]
    Client(#[source] kube::Error),
    /// The server does not serve this kind (a CRD not installed, a removed API version).
    #[error("the server has no kind {kind} in {api_version}{hint}")]
    UnknownKind {
        api_version: String,
        kind: String,
        hint: &'static str,
    },
    #[error("discovery of {api_version}: {failure}")]
    Discovery {
        api_version: String,
        failure: ApiFailure,
    },
    /// An API call on one object failed: `apply Deployment/openstack/keystone-api: 422 Invalid: ...`.
    #[error("{action} {object}: {failure}")]
    Object {
        action: &'static str,
        object: ObjectRef,
        failure: ApiFailure,
    },
    /// An API call on a collection failed (list, watch).
    #[error("{action}: {failure}")]
    Request { action: String, failure: ApiFailure },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{0}")]
    Invalid(String),
}

impl ClusterError {
    pub(crate) fn object(action: &'static str, object: &ObjectRef, err: &kube::Error) -> Self {
        ClusterError::Object {
            action,
            object: object.clone(),
            failure: ApiFailure::from_kube(err),
        }
    }

    pub(crate) fn request(action: impl Into<String>, err: &kube::Error) -> Self {
        ClusterError::Request {
            action: action.into(),
            failure: ApiFailure::from_kube(err),
        }
    }

    /// The API failure this error carries, if it came from the API server.
    pub fn api_failure(&self) -> Option<&ApiFailure> {
        match self {
            ClusterError::Object { failure, .. }
            | ClusterError::Request { failure, .. }
            | ClusterError::Discovery { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

/// The error of `apply_objects`: names the object and the API's reason.
pub type ApplyError = ClusterError;

pub type Result<T, E = ClusterError> = std::result::Result<T, E>;

/// True when a kube error is the API's 404.
pub(crate) fn is_not_found(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(s) if s.code == 404)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_error_reads_like_kubectl() {
        let err = ClusterError::Object {
            action: "apply",
            object: ObjectRef::new("apps/v1", "Deployment", Some("openstack"), "keystone-api"),
            failure: ApiFailure {
                code: 422,
                reason: "Invalid".into(),
                message: "spec.template.metadata.labels: Invalid value".into(),
            },
        };
        assert_eq!(
            err.to_string(),
            "apply Deployment/openstack/keystone-api: 422 Invalid: spec.template.metadata.labels: Invalid value"
        );
    }
}
