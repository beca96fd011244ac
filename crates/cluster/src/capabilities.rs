//! The cluster's API versions for `.Capabilities.APIVersions`, as Helm's
//! `action.GetVersionSet` builds them from discovery: every served group/version
//! (`v1`, `apps/v1`, a CRD's `example.com/v1`) and every `group/version/Kind` a resource
//! list names (`v1/Pod`, `apps/v1/Deployment`; subresources add their kinds, such as
//! `apps/v1/Scale`).

use std::collections::BTreeSet;

use futures::future::join_all;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;

use crate::client::Cluster;
use crate::error::{ClusterError, Result};

impl Cluster {
    /// The discovery set, sorted. Like client-go's `ServerGroupsAndResources`, a group
    /// version whose resource list cannot be read still counts as a version (Helm only
    /// logs such partial failures); failing to list the groups themselves is an error.
    pub async fn api_versions(&self) -> Result<Vec<String>> {
        let client = self.client();
        let core = client
            .list_core_api_versions()
            .await
            .map_err(|e| ClusterError::request("discovering the core API versions", &e))?;
        let groups = client
            .list_api_groups()
            .await
            .map_err(|e| ClusterError::request("discovering the API groups", &e))?;

        let mut group_versions: Vec<(bool, String)> =
            core.versions.iter().map(|v| (true, v.clone())).collect();
        for group in &groups.groups {
            for v in &group.versions {
                group_versions.push((false, v.group_version.clone()));
            }
        }
        let lists = join_all(group_versions.iter().map(|(core, gv)| async move {
            if *core {
                client.list_core_api_resources(gv).await
            } else {
                client.list_api_group_resources(gv).await
            }
        }))
        .await;

        let mut set = BTreeSet::new();
        for ((_, gv), list) in group_versions.iter().zip(lists) {
            set.insert(gv.clone());
            if let Ok(list) = list {
                add_kinds(&mut set, gv, &list);
            }
        }
        Ok(set.into_iter().collect())
    }
}

/// `path.Join(groupVersion, kind)` for each resource of a list.
fn add_kinds(set: &mut BTreeSet<String>, gv: &str, list: &APIResourceList) {
    for r in &list.resources {
        if r.kind.is_empty() {
            set.insert(gv.to_string());
        } else {
            set.insert(format!("{gv}/{}", r.kind));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResource;

    fn resource(name: &str, kind: &str) -> APIResource {
        APIResource {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn kinds_join_their_group_version_once() {
        let list = APIResourceList {
            group_version: "apps/v1".into(),
            resources: vec![
                resource("deployments", "Deployment"),
                resource("deployments/status", "Deployment"),
                resource("deployments/scale", "Scale"),
            ],
        };
        let mut set = BTreeSet::new();
        add_kinds(&mut set, "apps/v1", &list);
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            vec!["apps/v1/Deployment", "apps/v1/Scale"]
        );
    }
}
