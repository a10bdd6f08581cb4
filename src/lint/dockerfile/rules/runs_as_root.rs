use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Instruction;
use crate::lint::dockerfile::{Document, expand_vars};

declare_rule! {
    /// ## What it does
    /// Reports an image whose final stage runs as root: `USER root` / `USER 0`, also through
    /// a variable (`ARG U=root` then `USER $U`), or no `USER` at all on a base image that runs
    /// as root. A stage that starts `FROM` an earlier stage takes that stage's `USER`, as
    /// Docker builds it. A base image known to run as a non-root user needs no `USER`:
    /// distroless `:nonroot` tags (UID 65532, `gcr.io/distroless`, Azure Linux's), Chainguard's
    /// images but their `-dev` variants (65532), `nginxinc/nginx-unprivileged` (101), .NET's
    /// `-chiseled` images (1654). A base written as a variable gen cannot resolve is not
    /// judged. hadolint's DL3002 reports only a last `USER root`; trivy's DS002 and checkov's
    /// CKV_DOCKER_3 a missing `USER` too.
    ///
    /// ## Why it matters
    /// A process that escapes its container as root owns the node. Kubernetes'
    /// `runAsNonRoot` refuses to start such an image, and a numeric non-root UID is what lets
    /// it check.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["gunicorn", "app:app"]
    /// ```
    ///
    /// ## How to fix
    /// Create a user with a fixed UID and switch to it: `USER 10001:10001`.
    pub static RULE = ("DF001", "runs-as-root", Error);
}

/// One build stage: its `FROM`, the image it starts from (build arguments expanded) and the
/// name later stages know it by.
struct Stage<'a> {
    from: &'a Instruction,
    image: String,
    name: Option<String>,
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let stages = stages(doc);
    let Some(last) = stages.len().checked_sub(1) else { return };
    // Follow the final stage back through the stages it starts from: the last `USER` of the
    // nearest one is the user the image runs as.
    let mut at = last;
    let mut chain = Vec::new();
    loop {
        let stage = &stages[at];
        if let Some(user) = doc.dockerfile.instructions.iter().rev().find(|i| i.stage == at && i.keyword == "USER") {
            return judge_user(doc, user, out);
        }
        let image = stage.image.to_ascii_lowercase();
        match stages[..at].iter().rposition(|s| s.name.as_deref() == Some(image.as_str())) {
            Some(earlier) => {
                chain.push(image);
                at = earlier;
            }
            None => break,
        }
    }
    let base = &stages[at].image;
    if base.contains('$') || non_root_image(base).is_some() {
        return;
    }
    let message = match chain.as_slice() {
        [] => "the image runs as root: its final stage has no USER instruction".to_string(),
        names => format!(
            "the image runs as root: neither its final stage nor the stage{} it starts from ({}) has a USER instruction",
            if names.len() > 1 { "s" } else { "" },
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" then ")
        ),
    };
    let from = stages[last].from;
    out.push(
        doc.at(&RULE, from, None, message)
            .help("add `USER 10001:10001` (a user created in the image) before CMD, or start from an image that runs as a non-root user"),
    );
}

/// The stages of the file, in order; none when it has no `FROM` (DF010 says BuildKit refuses
/// it).
fn stages(doc: &Document) -> Vec<Stage<'_>> {
    let mut scope = doc.scope();
    let mut found = Vec::new();
    for from in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "FROM") {
        let image = from.args.first().map(|w| expand_vars(w, scope.before(from))).unwrap_or_default();
        let name = match (from.args.get(1), from.args.get(2)) {
            (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
            _ => None,
        };
        found.push(Stage { from, image, name });
    }
    found
}

fn judge_user(doc: &Document, user: &Instruction, out: &mut Diagnostics) {
    let Some(written) = user.args.first() else { return };
    // `USER $U` runs as whatever `U` holds: an ARG default or an ENV of the stage.
    let mut scope = doc.scope();
    let value = expand_vars(written, scope.before(user));
    let who = value.split(':').next().unwrap_or_default().trim();
    if who == "root" || who == "0" {
        let shown =
            if &value == written { format!("`USER {written}`") } else { format!("`USER {written}` (= `{value}`)") };
        out.push(
            doc.at(&RULE, user, Some(written.trim()), format!("{shown} runs the image as root"))
                .help("switch to a non-root user with a fixed UID, such as `USER 10001:10001`"),
        );
    }
}

/// The UID a well-known base image runs as when it is not root, by its publisher's
/// documentation; `None` for any other image (most run as root: Docker's official images,
/// `scratch`, distroless without `:nonroot`).
pub fn non_root_image(image: &str) -> Option<u32> {
    let image = image.to_ascii_lowercase();
    let image = image.split('@').next().unwrap_or_default();
    let image = ["docker.io/", "index.docker.io/", "registry-1.docker.io/"]
        .iter()
        .find_map(|p| image.strip_prefix(p))
        .unwrap_or(image);
    // The tag follows the last `:` after the last `/` (a registry's port comes before it).
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match image[slash..].rfind(':') {
        Some(i) => (&image[..slash + i], &image[slash + i + 1..]),
        None => (image, "latest"),
    };
    let distroless = repo.starts_with("gcr.io/distroless/")
        || repo.starts_with("mcr.microsoft.com/azurelinux/distroless/")
        || repo.starts_with("mcr.microsoft.com/cbl-mariner/distroless/");
    if distroless && tag.split('-').any(|part| part == "nonroot") {
        return Some(65532);
    }
    if repo.starts_with("cgr.dev/chainguard/") && !tag.split('-').any(|part| part == "dev") {
        return Some(65532);
    }
    if matches!(repo, "nginxinc/nginx-unprivileged" | "ghcr.io/nginxinc/nginx-unprivileged") {
        return Some(101);
    }
    if repo.starts_with("mcr.microsoft.com/dotnet/") && tag.split('-').any(|part| part == "chiseled") {
        return Some(1654);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::non_root_image;

    #[test]
    fn well_known_non_root_images_are_told_by_name_and_tag() {
        assert_eq!(non_root_image("gcr.io/distroless/static-debian12:nonroot"), Some(65532));
        assert_eq!(non_root_image("gcr.io/distroless/python3-debian12:debug-nonroot@sha256:ab"), Some(65532));
        assert_eq!(non_root_image("gcr.io/distroless/static-debian12"), None);
        assert_eq!(non_root_image("gcr.io/distroless/static-debian12:latest"), None);
        assert_eq!(non_root_image("docker.io/nginxinc/nginx-unprivileged:1.27-alpine"), Some(101));
        assert_eq!(non_root_image("nginx:1.27"), None);
        assert_eq!(non_root_image("cgr.dev/chainguard/python:latest"), Some(65532));
        assert_eq!(non_root_image("cgr.dev/chainguard/python:latest-dev"), None);
        assert_eq!(non_root_image("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled"), Some(1654));
        assert_eq!(non_root_image("mcr.microsoft.com/dotnet/aspnet:8.0"), None);
        assert_eq!(non_root_image("localhost:5000/nonroot"), None);
    }
}
