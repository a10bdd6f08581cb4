//! Which platforms a blueprint file belongs to and which capabilities it needs: declared per
//! file entry or per source folder (`folders:`), so that gen, not a condition in the file's
//! `when`, decides from the spec which files apply.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::platform::Capability;

/// Whose platform a file rendered once per project or per service is judged by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Judged {
    /// Any of the spec's environments: the file serves them all (the workflow, Terraform).
    #[default]
    Environments,
    /// The spec as written: the file is its rendering alone (the chart's defaults, the plain
    /// manifests), not an environment's.
    Spec,
}

/// What a file entry or a folder declares. Every field is optional: an entry's own field
/// replaces its folder's, and a blueprint that declares nothing renders on every platform.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// The platform targets it belongs to; absent: every platform.
    #[serde(default)]
    pub platforms: Option<Vec<String>>,
    /// The capabilities the platform must have; absent: none.
    #[serde(default)]
    pub requires: Option<Vec<Capability>>,
    /// For a file rendered per project or per service: whose platform decides (a file
    /// rendered per environment is judged by the environment's).
    #[serde(default, rename = "for")]
    pub judged: Option<Judged>,
}

impl Selector {
    /// The entry's selector with its folder's fields filling what it leaves out.
    pub fn over(&self, folder: &Selector) -> Selector {
        Selector {
            platforms: self.platforms.clone().or_else(|| folder.platforms.clone()),
            requires: self.requires.clone().or_else(|| folder.requires.clone()),
            judged: self.judged.or(folder.judged),
        }
    }

    /// Whether a platform `target` with `capabilities` may render the file.
    pub fn admits(&self, target: &str, capabilities: &[Capability]) -> bool {
        self.platforms.as_ref().is_none_or(|p| p.iter().any(|p| p == target))
            && self.requires.as_ref().is_none_or(|r| r.iter().all(|c| capabilities.contains(c)))
    }

    /// Whether it declares anything (a file that does renders only where it is admitted).
    pub fn is_open(&self) -> bool {
        self.platforms.is_none() && self.requires.is_none()
    }
}

/// The folder whose declaration applies to `source`: the longest `folders:` key it lies under.
pub fn folder_of<'f>(folders: &'f BTreeMap<String, Selector>, source: &str) -> Option<&'f Selector> {
    folders.iter().filter(|(dir, _)| lies_under(source, dir)).max_by_key(|(dir, _)| dir.len()).map(|(_, s)| s)
}

/// Whether the file `source` lies under the folder `dir` (written with or without its `/`).
pub fn lies_under(source: &str, dir: &str) -> bool {
    source.strip_prefix(dir.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    use Capability::{CloudPipeline, Gitops, Kubernetes, Terraform};

    fn sel(platforms: Option<&[&str]>, requires: Option<&[Capability]>) -> Selector {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Selector { platforms: platforms.map(v), requires: requires.map(<[Capability]>::to_vec), judged: None }
    }

    #[test]
    fn a_file_needing_kubernetes_is_refused_by_a_platform_without_it() {
        let chart = sel(None, Some(&[Kubernetes]));
        assert!(chart.admits("cloud", &[Kubernetes, Terraform]));
        // ECS on Fargate, say: a container platform with no Kubernetes.
        assert!(!chart.admits("containers-only", &[CloudPipeline]));
    }

    #[test]
    fn a_file_of_one_platform_is_refused_by_another() {
        let tf = sel(Some(&["cloud"]), None);
        assert!(tf.admits("cloud", &[]));
        assert!(!tf.admits("laptop", &[Kubernetes]));
    }

    #[test]
    fn a_file_declaring_nothing_renders_everywhere() {
        assert!(Selector::default().admits("anything", &[]));
        assert!(Selector::default().is_open());
    }

    #[test]
    fn an_entry_overrides_its_folder_field_by_field() {
        let folder = sel(Some(&["cloud"]), Some(&[Kubernetes]));
        let entry = sel(None, Some(&[Kubernetes, Gitops])).over(&folder);
        assert_eq!(entry, sel(Some(&["cloud"]), Some(&[Kubernetes, Gitops])));
    }

    #[test]
    fn the_longest_folder_a_source_lies_under_applies() {
        let folders = BTreeMap::from([
            ("templates/".to_string(), sel(Some(&["a"]), None)),
            ("templates/terraform/".to_string(), sel(Some(&["b"]), None)),
            ("templates/terra".to_string(), sel(Some(&["c"]), None)),
        ]);
        assert_eq!(folder_of(&folders, "templates/terraform/main.tf"), Some(&sel(Some(&["b"]), None)));
        assert_eq!(folder_of(&folders, "templates/README.md"), Some(&sel(Some(&["a"]), None)));
        assert_eq!(folder_of(&folders, "other/x"), None);
    }
}
