//! A Helm chart folder, rendered with its default values by `helm template` (the `helm` on
//! the `PATH`, or `$GEN_HELM`), and split into one artifact per template it came from.
//!
//! gen does not reimplement Helm's template language (Go templates, Sprig, Helm's own
//! functions): the chart a cluster receives is what Helm renders, so Helm renders it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::diag::Source;
use crate::lint::Artifact;
use crate::lint::process::{self, Bounds, RunError};

/// Most characters of Helm's error message quoted in a finding: its last line says what is
/// wrong, and a template can make that line as long as it likes.
const MAX_QUOTED: usize = 400;

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

/// `text` cut to [`MAX_QUOTED`] characters, saying how much was left out.
fn quote(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} more characters)", &text[..at], text[at..].chars().count()),
    }
}

/// Renders the chart at `dir` (shown as `shown`) into one artifact per template, running
/// `helm template` within [`Bounds::from_env`].
pub fn render(dir: &Path, shown: &str) -> Result<Vec<Artifact>, String> {
    let helm = std::env::var_os("GEN_HELM").unwrap_or_else(|| "helm".into());
    let bounds = Bounds::from_env().map_err(|e| format!("cannot render the chart {shown}: {e}"))?;
    let mut cmd = Command::new(&helm);
    cmd.arg("template").arg(release_name(dir)).arg(dir);
    let output = process::run(cmd, bounds).map_err(|e| match e {
        RunError::Spawn(e) => format!(
            "cannot render the chart {shown}: `{} template` did not run ({e}); install Helm, or set GEN_HELM to its path (in a checkout of gen, `scripts/install-validators` installs a stand-in and prints the PATH that finds it)",
            helm.to_string_lossy()
        ),
        RunError::TimedOut(_) => format!(
            "`helm template` did not finish rendering the chart {shown} within {} s, and gen stopped it: a template \
             that loops too long (`range` over `until`, nested) does this; fix the template, or, on a slow machine, \
             allow more seconds with {}",
            bounds.time.as_secs(),
            process::TIME_VAR
        ),
        RunError::TooMuchOutput { stream, limit } => format!(
            "`helm template` wrote more than {} MiB of {stream} for the chart {shown}, and gen stopped it: a \
             template that repeats without end does this; fix the template, or, for a chart that large, allow more \
             MiB with {}",
            limit / (1024 * 1024),
            process::OUTPUT_VAR
        ),
        RunError::Wait(e) => format!("cannot render the chart {shown}: gen lost track of `helm template` ({e})"),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.trim().lines().last().unwrap_or("no message");
        return Err(format!("`helm template` could not render the chart {shown}: {}", quote(reason)));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| format!("the chart {shown} renders text that is not UTF-8"))?;
    Ok(split(&text, shown))
}

/// Splits `helm template` output at its `# Source: CHART/PATH` comments: the documents of one
/// template become one artifact, named `SHOWN/PATH (rendered)`, all in one set. A document of
/// comments alone is dropped: it is what a template switched off by a value renders when a
/// comment stands outside its `{{ if }}` (Helm prints it; it holds no object, and `kubectl
/// apply` skips it).
pub fn split(text: &str, shown: &str) -> Vec<Artifact> {
    let set: Arc<str> = Arc::from(shown);
    let mut parts: Vec<(String, String)> = Vec::new();
    for doc in text.split("\n---").flat_map(|d| d.strip_prefix("---").or(Some(d))) {
        let body = doc.trim_start_matches('\n');
        let Some(first) = body.lines().next() else { continue };
        let Some(path) = first.strip_prefix("# Source: ") else { continue };
        let blank_or_comment = |l: &str| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        };
        if body.lines().skip(1).all(blank_or_comment) {
            continue;
        }
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

    #[test]
    fn a_template_that_renders_only_comments_is_no_manifest() {
        // `# The Ingress, when enabled.` above `{{- if .Values.ingress.enabled }}`, switched off;
        // and one whose comment is indented, with blank lines around it.
        let out = "---\n# Source: shop/templates/ingress.yaml\n# The Ingress, when enabled.\n---\n# Source: \
                   shop/templates/hpa.yaml\n\n  # autoscaling off\n\n---\n# Source: shop/templates/cm.yaml\n\
                   apiVersion: v1\nkind: ConfigMap\n";
        let names: Vec<String> = split(out, "charts/shop").iter().map(|a| a.source.name().to_string()).collect();
        assert_eq!(names, ["charts/shop/templates/cm.yaml (rendered)"]);
    }
}
