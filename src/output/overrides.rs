//! The files a workflow rewrites in the output (GitOps' release file), held to the keys the
//! workflow writes: the file is the user's once written, so its values are not compared, but a
//! key the workflow never writes is a value of another kind, which Argo CD deploys all the same.

use std::sync::Arc;

use crate::declare_rule;
use crate::diag::{Diagnostic, Findings, Source, Span};
use crate::yaml::{self, Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a key in a file the pipeline rewrites that the pipeline never writes, a value
    /// there that is not of the form the pipeline writes (a revision that is not a full commit
    /// SHA, an image digest that is not `sha256:` and 64 hex digits), and a second YAML
    /// document in it. With `pipeline.deploy: gitops`,
    /// `argocd/<service>.release.yaml` (and `argocd/<environment>/<service>.release.yaml`)
    /// hold the release the pipeline promoted: the commit Argo CD deploys the chart and values
    /// at (`spec.source.targetRevision`), the chart's folder and values file in that commit
    /// (`spec.source.path` and `spec.source.helm.valueFiles`: the project's `chart` and the
    /// service's `../values/<service>[.<environment>].yaml`, or for a release from before the
    /// one chart `charts/<service>` and its `values[-<environment>].yaml`, and no other
    /// value), the image's `tag` and `digest` under
    /// `spec.source.helm.valuesObject`, and, for a service that reads Key Vault, the workload
    /// identity and the checksum of the vault's values (`secretEnv.keyVault.tenantId`,
    /// `clientId`, `secretEnv.checksum`). The folder's kustomization patches the service's
    /// Application with it.
    ///
    /// ## Why it matters
    /// gen does not compare the file's values (the pipeline changes them on each release), so
    /// any other key written there would deploy unseen: another image
    /// (`image.repository`), no network policy (`networkPolicy.enabled: false`), another
    /// source or sync policy for the Application, or a second document, which kustomize
    /// applies as a patch of its own to whatever object it names. It would reach the cluster
    /// without the spec, its review, or the pipeline's check of the image's signature, and the
    /// next release would erase it from git but not from what it had already deployed. A
    /// `targetRevision` of `main`, a tag or a short SHA makes Argo CD follow whatever that
    /// name points to later (the branch again, a tag someone moves); an image digest that is
    /// not one makes the chart fall back to the tag, which anyone with push rights moves.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   source:
    ///     targetRevision: "0123456789abcdef0123456789abcdef01234567"
    ///     repoURL: https://evil.example/x.git   # reported
    ///     helm:
    ///       valuesObject:
    ///         image:
    ///           tag: "1.4.2"
    ///           repository: evil.example/shop   # reported
    /// ```
    ///
    /// ## How to fix
    /// Remove the key or the document; give the revision as the release tag's full commit SHA
    /// (`git rev-parse <tag>^{commit}`) and the digest as the registry reports it. A value the service needs belongs in the spec, which
    /// gen renders into the chart's values and the Application; the release's commit and
    /// image are the pipeline's to write.
    pub static PIPELINE_FILE_OVERRIDES = ("DRIFT003", "pipeline-file-overrides", Error, unignorable);
}

/// A key in a file a workflow rewrites that it does not write there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The file, relative to the output folder, `/`-separated.
    pub path: String,
    /// What is wrong at `span`.
    pub problem: Problem,
    pub span: Span,
    /// The file's text, which the finding quotes.
    text: Arc<str>,
    /// The keys the file may hold, dotted.
    holds: Arc<[String]>,
}

/// What an override is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A key, dotted from the root, that the workflow does not write.
    Key(String),
    /// A value that is not a mapping where the workflow writes keys under it (`image: null`
    /// drops the chart's whole `image`).
    NotAMapping(String),
    /// Not YAML Helm reads as values (a mapping), with why.
    Unreadable(String),
    /// A value, at the dotted key, that is not of the form the pipeline writes there.
    Format(String, Format),
    /// A document after the first: kustomize applies each document of a patch file as a
    /// patch of its own, to whatever object it names.
    Document,
    /// A value, at the dotted key, that is none of those the pipeline writes there (a key held
    /// as `key=one|other`): a string, or a list of strings, each one of them.
    Value(String, Vec<String>),
}

/// A held key (`spec.source.path`) and, when it is written `key=one|other`, the values the
/// pipeline writes there.
fn hold(entry: &str) -> (&str, Option<Vec<&str>>) {
    match entry.split_once('=') {
        Some((key, values)) => (key, Some(values.split('|').collect())),
        None => (entry, None),
    }
}

/// The form of a value the pipeline writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A full git commit SHA: 40 lowercase hex digits (what `targetRevision` pins).
    Commit,
    /// An image digest: `sha256:` and 64 lowercase hex digits.
    Digest,
}

impl Format {
    /// The form the pipeline writes at the dotted `key`, if it writes one there: Argo CD
    /// resolves any other revision (a branch, a tag, a short SHA) again on each sync, and the
    /// chart takes an image by its tag where the digest is empty.
    pub fn of(key: &str) -> Option<Format> {
        let last = |suffix: &str| key == suffix || key.ends_with(&format!(".{suffix}"));
        if last("targetRevision") {
            Some(Format::Commit)
        } else if last("image.digest") {
            Some(Format::Digest)
        } else {
            None
        }
    }

    /// Whether `value` has this form.
    pub fn holds(self, value: &str) -> bool {
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        match self {
            Format::Commit => hex(value, 40),
            Format::Digest => value.strip_prefix("sha256:").is_some_and(|d| hex(d, 64)),
        }
    }

    /// What the form is, for a message.
    fn describe(self) -> &'static str {
        match self {
            Format::Commit => {
                "a full commit SHA (40 lowercase hex digits): Argo CD resolves a branch, a tag or a short SHA again \
                 on every sync, so the cluster would follow whatever that name points to next, not the release"
            }
            Format::Digest => {
                "an image digest (`sha256:` and 64 lowercase hex digits): anything else leaves the chart to pull \
                 the image by its tag, which anyone with push rights can move"
            }
        }
    }
}

impl Override {
    /// A file the workflow writes that is not a regular file (`kind`: a symbolic link, a
    /// folder), which Argo CD would read from elsewhere or not at all.
    pub fn not_a_file(path: &str, kind: &str, holds: &[String]) -> Override {
        Override {
            path: path.to_string(),
            problem: Problem::Unreadable(format!("it is a {kind}, where the pipeline writes a file")),
            span: Span::default(),
            text: Arc::from(""),
            holds: holds.into(),
        }
    }

    /// What is wrong, and what to do.
    pub fn explain(&self) -> (String, String) {
        let holds = self.holds.iter().map(|k| format!("`{}`", hold(k).0)).collect::<Vec<_>>().join(", ");
        let message = match &self.problem {
            Problem::Key(key) => {
                format!("`{key}` is not a key the pipeline writes: this file holds only {holds}")
            }
            Problem::NotAMapping(key) => format!(
                "`{key}` is not a mapping: the pipeline writes keys under it ({holds}), and a value in its place \
                 replaces the chart's"
            ),
            Problem::Unreadable(why) => {
                format!("the file is not a mapping of values Helm can read ({why}): it holds only {holds}")
            }
            Problem::Format(key, format) => {
                format!("`{key}` is not what the pipeline writes there: it must be {}", format.describe())
            }
            Problem::Value(key, values) => format!(
                "`{key}` is not what the pipeline writes there: {}",
                match values.as_slice() {
                    [one] => format!("`{one}`"),
                    _ => format!("one of {}", values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")),
                }
            ),
            Problem::Document => format!(
                "a second YAML document: the pipeline writes one, holding only {holds}, and kustomize would apply \
                 this one as a patch of its own, to whatever object it names"
            ),
        };
        let help = "the release job rewrites this file with these keys alone, and Argo CD deploys the service with it: \
                    any other value here reaches the cluster without the spec, its review or the pipeline's signature \
                    check. Remove it; a value the service needs belongs in the spec, which gen renders into the \
                    chart's values and the Application";
        (message, help.to_string())
    }

    /// The finding, at the file in `out` (as shown), with the text it quotes.
    pub fn finding(&self, out: &str) -> (Diagnostic, Arc<Source>) {
        let file = format!("{out}/{}", self.path);
        let (message, help) = self.explain();
        let span = (!self.text.is_empty()).then_some(self.span);
        let mut diag = Diagnostic::new(&PIPELINE_FILE_OVERRIDES, &file, span, message).help(help);
        diag.subject.artifact = Some(self.path.clone());
        (diag, Source::new(file, self.text.to_string()))
    }
}

/// The findings of `overrides` in `out` (as shown), with the texts they quote.
pub fn findings<'a>(out: &str, overrides: impl IntoIterator<Item = &'a Override>) -> Findings {
    let (diagnostics, sources): (Vec<Diagnostic>, Vec<Arc<Source>>) =
        overrides.into_iter().map(|o| o.finding(out)).unzip();
    Findings::new(sources, diagnostics)
}

/// The overrides in `bytes`, the file at `path` that may hold the dotted keys `holds` (and
/// the mappings above them), in the file's order. An empty file, or one of comments, holds
/// nothing and is fine.
pub fn check(path: &str, bytes: &[u8], holds: &[String]) -> Vec<Override> {
    let holds: Arc<[String]> = holds.into();
    // Nothing but comments (or nothing): no value, which the loader would call empty.
    let blank = |line: &str| matches!(line.trim(), "" | "---" | "...") || line.trim_start().starts_with('#');
    if std::str::from_utf8(bytes).is_ok_and(|text| text.trim_start_matches('\u{feff}').lines().all(blank)) {
        return Vec::new();
    }
    let loaded = yaml::load(path, bytes, &crate::lint::kubernetes::POLICY);
    let text: Arc<str> = loaded.source.text().into();
    let at = |problem: Problem, span: Span| Override {
        path: path.to_string(),
        problem,
        span,
        text: Arc::clone(&text),
        holds: Arc::clone(&holds),
    };
    let documents = match loaded.documents {
        Ok(documents) => documents,
        Err(diags) => {
            let (why, span) = diags
                .first()
                .map_or(("not YAML".to_string(), Span::new(0, 0)), |d| (d.message.clone(), d.span.unwrap_or_default()));
            return vec![at(Problem::Unreadable(why), span)];
        }
    };
    let mut found = Vec::new();
    // Helm reads the first document of a values file, kustomize every document of a patch
    // file (the loader drops empty ones, so a first document of nothing shows the next: more
    // is reported, never less): the pipeline writes one.
    let mut documents = documents.into_iter();
    let first = documents.next();
    for extra in documents {
        found.push(at(Problem::Document, extra.root.span));
    }
    match first.map(|d| d.root) {
        None => {}
        Some(Node { value: Value::Null, .. }) => {}
        Some(root @ Node { value: Value::Map(_), .. }) => walk(&root, "", &holds, &mut |p, s| found.push(at(p, s))),
        Some(root) => found.push(at(Problem::Unreadable(format!("it holds {}", root.type_name())), root.span)),
    }
    found.sort_by_key(|o| o.span.start);
    found
}

/// Reports each key under the mapping `node` (at the dotted `prefix`) that is neither one of
/// `holds` nor above one.
fn walk(node: &Node, prefix: &str, holds: &[String], found: &mut dyn FnMut(Problem, Span)) {
    let Value::Map(entries) = &node.value else { return };
    for entry in entries {
        let key = if prefix.is_empty() { entry.key.clone() } else { format!("{prefix}.{}", entry.key) };
        if let Some(allowed) = holds.iter().map(|h| hold(h)).find_map(|(k, values)| (k == key).then_some(values)) {
            if let Some(format) = Format::of(&key) {
                match &entry.value.value {
                    Value::Str(value) if format.holds(value) => {}
                    _ => found(Problem::Format(key, format), entry.value.span),
                }
            } else if let Some(allowed) = allowed {
                let one = |n: &Node| matches!(&n.value, Value::Str(v) if allowed.contains(&v.as_str()));
                let fine = match &entry.value.value {
                    Value::Seq(items) => !items.is_empty() && items.iter().all(one),
                    _ => one(&entry.value),
                };
                if !fine {
                    let values = allowed.iter().map(|v| v.to_string()).collect();
                    found(Problem::Value(key, values), entry.value.span);
                }
            }
            continue;
        }
        let above =
            holds.iter().any(|h| hold(h).0.strip_prefix(key.as_str()).is_some_and(|rest| rest.starts_with('.')));
        if !above {
            found(Problem::Key(key), entry.key_span);
        } else if matches!(entry.value.value, Value::Map(_)) {
            walk(&entry.value, &key, holds, found);
        } else {
            found(Problem::NotAMapping(key), entry.key_span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str, holds: &[&str]) -> Vec<(Problem, usize, usize)> {
        let holds: Vec<String> = holds.iter().map(|h| h.to_string()).collect();
        check("v.yaml", text.as_bytes(), &holds)
            .into_iter()
            .map(|o| {
                let source = Source::new("v.yaml", text);
                let at = source.position(o.span);
                (o.problem, at.line, at.column)
            })
            .collect()
    }

    const IMAGE: &[&str] = &["image.tag", "image.digest"];

    #[test]
    fn a_key_held_with_values_takes_those_alone() {
        let holds =
            &["spec.source.path=chart|charts/shop", "spec.source.helm.valueFiles=../values/shop.yaml|values.yaml"];
        let fine = "spec:\n  source:\n    path: charts/shop\n    helm:\n      valueFiles: [values.yaml]\n";
        assert_eq!(problems(fine, holds), []);
        let other =
            "spec:\n  source:\n    path: charts/cart\n    helm:\n      valueFiles: [values.yaml, ../../x.yaml]\n";
        let values = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            problems(other, holds),
            [
                (Problem::Value("spec.source.path".into(), values(&["chart", "charts/shop"])), 3, 11),
                (
                    Problem::Value(
                        "spec.source.helm.valueFiles".into(),
                        values(&["../values/shop.yaml", "values.yaml"])
                    ),
                    5,
                    19
                ),
            ]
        );
        let (message, _) = check("v.yaml", other.as_bytes(), &holds.map(String::from))[0].explain();
        assert_eq!(message, "`spec.source.path` is not what the pipeline writes there: one of `chart`, `charts/shop`");
        assert_eq!(problems("spec:\n  source:\n    helm:\n      valueFiles: []\n", holds).len(), 1, "an empty list");
    }

    #[test]
    fn what_the_pipeline_writes_passes() {
        let digest = format!("sha256:{}", "0".repeat(64));
        assert_eq!(problems(&format!("# c\nimage:\n  tag: \"1\"\n  digest: \"{digest}\"\n"), IMAGE), []);
        assert_eq!(problems("", IMAGE), []);
        assert_eq!(problems("# only a comment\n", IMAGE), []);
        assert_eq!(problems("image: {tag: \"1\"}\n", IMAGE), []);
    }

    #[test]
    fn any_other_key_is_reported_at_its_line() {
        let text = "image:\n  tag: \"1\"\n  repository: evil.io/x\nnetworkPolicy:\n  enabled: false\n";
        assert_eq!(
            problems(text, IMAGE),
            [(Problem::Key("image.repository".into()), 3, 3), (Problem::Key("networkPolicy".into()), 4, 1)]
        );
    }

    #[test]
    fn a_value_in_place_of_the_mapping_the_pipeline_writes_into_is_reported() {
        assert_eq!(problems("image: null\n", IMAGE), [(Problem::NotAMapping("image".into()), 1, 1)]);
        assert_eq!(problems("image: evil.io/x:1\n", IMAGE), [(Problem::NotAMapping("image".into()), 1, 1)]);
    }

    #[test]
    fn a_merge_key_does_not_hide_what_it_merges() {
        let text = "base: &b {repository: evil.io/x}\nimage:\n  <<: *b\n  tag: \"1\"\n";
        let found = problems(text, IMAGE);
        assert!(found.iter().any(|(p, _, _)| *p == Problem::Key("base".into())), "{found:?}");
        assert!(found.iter().any(|(p, _, _)| *p == Problem::Key("image.repository".into())), "{found:?}");
    }

    const RELEASE: &[&str] = &["spec.source.targetRevision", "spec.source.helm.valuesObject.image.digest"];

    #[test]
    fn a_revision_that_is_not_a_full_commit_is_reported_at_its_value() {
        let commit = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(problems(&format!("spec:\n  source:\n    targetRevision: \"{commit}\"\n"), RELEASE), []);
        for revision in ["main", "v1.2.3", "0123456", "0123456789ABCDEF0123456789ABCDEF01234567", "HEAD", "null"] {
            let text = format!("spec:\n  source:\n    targetRevision: {revision}\n");
            assert_eq!(
                problems(&text, RELEASE),
                [(Problem::Format("spec.source.targetRevision".into(), Format::Commit), 3, 21)],
                "{revision}"
            );
        }
    }

    #[test]
    fn an_image_digest_that_is_not_sha256_is_reported_at_its_value() {
        let key = "spec.source.helm.valuesObject.image.digest";
        let text = |d: &str| {
            format!("spec:\n  source:\n    helm:\n      valuesObject:\n        image:\n          digest: {d}\n")
        };
        assert_eq!(problems(&text(&format!("\"sha256:{}\"", "a".repeat(64))), RELEASE), []);
        for digest in ["\"\"", "latest", "\"sha256:abc\"", &format!("\"sha512:{}\"", "a".repeat(64))] {
            assert_eq!(
                problems(&text(digest), RELEASE),
                [(Problem::Format(key.into(), Format::Digest), 6, 19)],
                "{digest}"
            );
        }
    }

    #[test]
    fn a_second_document_is_reported_where_it_starts() {
        let text = "image: {tag: \"1\"}\n---\nkind: AppProject\n";
        assert_eq!(problems(text, IMAGE), [(Problem::Document, 3, 1)]);
        assert_eq!(problems("image: {tag: \"1\"}\n---\n", IMAGE), []);
    }

    #[test]
    fn a_file_helm_cannot_read_as_values_is_reported() {
        let found = problems("- a\n- b\n", IMAGE);
        assert!(matches!(found.as_slice(), [(Problem::Unreadable(_), 1, 1)]), "{found:?}");
        let found = problems("image: [\n", IMAGE);
        assert!(matches!(found.as_slice(), [(Problem::Unreadable(_), _, _)]), "{found:?}");
    }
}
