//! A Helm chart folder, rendered with its default values by `helm template` (the `helm` on
//! the `PATH`, or `$GEN_HELM`), and split into one artifact per template it came from.
//!
//! gen does not reimplement Helm's template language (Go templates, Sprig, Helm's own
//! functions): the chart a cluster receives is what Helm renders, so Helm renders it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::diag::Source;
use crate::lint::Artifact;

/// Most bytes of rendered manifests read from `helm template`.
const MAX_RENDERED: usize = 64 * 1024 * 1024;

/// The release name a chart is rendered under: its folder's name when Helm accepts it.
fn release_name(dir: &Path) -> String {
    let name = dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 53
                && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !n.starts_with('-')
                && !n.ends_with('-') =>
        {
            n
        }
        _ => "release".to_string(),
    }
}

/// Renders the chart at `dir` (shown as `shown`) into one artifact per template.
pub fn render(dir: &Path, shown: &str) -> Result<Vec<Artifact>, String> {
    let helm = std::env::var_os("GEN_HELM").unwrap_or_else(|| "helm".into());
    let output = Command::new(&helm)
        .arg("template")
        .arg(release_name(dir))
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot render the chart {shown}: `{} template` did not run ({e}); install Helm, or set GEN_HELM to its path",
                helm.to_string_lossy()
            )
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.trim().lines().last().unwrap_or("no message").to_string();
        return Err(format!("`helm template` could not render the chart {shown}: {reason}"));
    }
    if output.stdout.len() > MAX_RENDERED {
        return Err(format!("the chart {shown} renders more than {} MiB", MAX_RENDERED / (1024 * 1024)));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| format!("the chart {shown} renders text that is not UTF-8"))?;
    Ok(split(&text, shown))
}

/// Splits `helm template` output at its `# Source: CHART/PATH` comments: the documents of one
/// template become one artifact, named `SHOWN/PATH (rendered)`, all in one set.
pub fn split(text: &str, shown: &str) -> Vec<Artifact> {
    let set: Arc<str> = Arc::from(shown);
    let mut parts: Vec<(String, String)> = Vec::new();
    for doc in text.split("\n---").flat_map(|d| d.strip_prefix("---").or(Some(d))) {
        let body = doc.trim_start_matches('\n');
        let Some(first) = body.lines().next() else { continue };
        let Some(path) = first.strip_prefix("# Source: ") else { continue };
        let path = path.split_once('/').map_or(path, |(_, rest)| rest).trim().to_string();
        match parts.last_mut() {
            Some((p, text)) if *p == path => {
                text.push_str("---\n");
                text.push_str(body);
                text.push('\n');
            }
            _ => parts.push((path, format!("{body}\n"))),
        }
    }
    parts
        .into_iter()
        .filter(|(path, _)| !path.ends_with("NOTES.txt"))
        .map(|(path, text)| {
            let mut a = Artifact::hand_written(Source::new(format!("{shown}/{path} (rendered)"), text));
            a.set = Some(set.clone());
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_output_splits_by_template_into_one_set() {
        let out = "---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\n---\n# Source: shop/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n---\n# Source: shop/templates/deployment.yaml\napiVersion: v1\nkind: ConfigMap\n";
        let parts = split(out, "charts/shop");
        let names: Vec<&str> = parts.iter().map(|a| a.source.name()).collect();
        assert_eq!(
            names,
            ["charts/shop/templates/service.yaml (rendered)", "charts/shop/templates/deployment.yaml (rendered)"]
        );
        assert!(parts[1].source.text().contains("---\n# Source: shop/templates/deployment.yaml\napiVersion: v1"));
        assert!(parts.iter().all(|a| a.set_key() == "charts/shop"));
    }
}
