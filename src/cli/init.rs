//! `gen init`: a blueprint's example spec, checked through the whole pipeline before it is written.

use std::path::{Path, PathBuf};

use super::{EXIT_CLEAN, EXIT_FAILURE, session};
use crate::adopt;
use crate::diag::Severity;
use crate::output;
use crate::pipeline::{self, display};
use crate::render;
use crate::spec::{self, SpecError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The blueprint.
    #[arg(long, default_value = "flask")]
    blueprint: String,
    /// Project and service name (a DNS-1123 label) [default: shop; with --from, the repository's].
    #[arg(long)]
    name: Option<String>,
    /// Where the services run: a Kubernetes on Azure, or minikube/kind on this machine.
    #[arg(long, value_parser = platforms(), default_value = crate::platform::reference().name())]
    platform: String,
    /// On aws, what runs the services: `eks`, a Kubernetes cluster (the chart, the manifests),
    /// or `ecs`, ECS services on Fargate behind one load balancer, with no Kubernetes
    /// (`gen init --platform aws --runtime ecs`).
    #[arg(long, value_parser = crate::platform::aws::RUNTIMES, default_value = crate::platform::aws::EKS)]
    runtime: String,
    /// Where to write the spec [default: spec.yaml; with --from DIR, DIR/spec.yaml].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite an existing file (what it holds is lost).
    #[arg(long, alias = "force")]
    overwrite: bool,
    /// A folder of extra blueprints (repeatable).
    #[arg(long = "blueprints", value_name = "DIR")]
    blueprints: Vec<PathBuf>,
    /// Pin the service's base image at this digest (`docker buildx imagetools inspect
    /// IMAGE:TAG` prints it); without it, the base image follows its tag until a pin.
    #[arg(long, value_name = "sha256:HEX")]
    base_image_digest: Option<String>,
    /// How big the cloud platform's example is: `starter`, the smallest deployment that still
    /// closes and stays secure (no SLA, two system nodes, a Basic registry: a little over half
    /// the cost, what it gives up said in the spec's comments), or `production`.
    #[arg(long, value_enum, default_value_t = Footprint::Production)]
    footprint: Footprint,
    /// Write the spec of an existing repository: read its Dockerfiles, compose files,
    /// Kubernetes manifests, Helm chart, GitHub workflows, Terraform and code (nothing under DIR
    /// is written but the spec, and that only at DIR/spec.yaml when it is absent or with
    /// --overwrite); each value says which file and line it came from, and what cannot be read
    /// is a `# TODO(gen init --from)` at its place.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["platform", "footprint", "base_image_digest", "blueprints"])]
    from: Option<PathBuf>,
    /// With --from: print, family by family, the repository's files beside what the spec
    /// renders (in memory): the findings of yours that gen's version no longer has, and those
    /// it still has.
    #[arg(long, requires = "from")]
    compare: bool,
}

/// The sizes `gen init` writes a cloud platform's example at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Footprint {
    Starter,
    Production,
}

/// The platform targets `gen init` writes a spec for: every platform, with its summary.
fn platforms() -> clap::builder::PossibleValuesParser {
    crate::platform::PLATFORMS
        .iter()
        .map(|p| clap::builder::PossibleValue::new(p.name()).help(p.summary()))
        .collect::<Vec<_>>()
        .into()
}

pub fn run(args: Args) -> u8 {
    if let Some(dir) = &args.from {
        return adopt(&args, dir);
    }
    let name = args.name.clone().unwrap_or_else(|| "shop".into());
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("spec.yaml"));
    // The name is the project's and its one service's.
    if let Some(why) = spec::rules::service_name_problem(&name) {
        eprintln!("gen: error: --name `{name}` cannot name the service: {why}; nothing written");
        return EXIT_FAILURE;
    }
    if let Some(problem) = out_problem(&out) {
        eprintln!("gen: error: {problem}");
        return EXIT_FAILURE;
    }
    if let Some(digest) = &args.base_image_digest
        && !is_digest(digest)
    {
        eprintln!(
            "gen: error: --base-image-digest `{digest}` is not a digest: `sha256:` and 64 lowercase hex digits, as \
             `docker buildx imagetools inspect IMAGE:TAG` prints; nothing written"
        );
        return EXIT_FAILURE;
    }
    let session = match session(&args.blueprints) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The base image the blueprint's example builds on, and the param that pins it.
    let base = session.catalog.get(&args.blueprint).and_then(|bp| {
        let base = bp.runtime.base_image.as_ref()?;
        let params = bp.params.get("properties").and_then(|p| p.as_object());
        let default = |k: &str| params.and_then(|p| p.get(k)).and_then(|p| p.get("default")).cloned();
        let defaults = base.tag_params().into_iter().filter_map(|k| Some((k.to_string(), default(k)?))).collect();
        Some((base.for_params(&defaults), base.digest_param.clone()))
    });
    if args.base_image_digest.is_some() && !base.as_ref().is_some_and(|(_, param)| param.is_some()) {
        eprintln!(
            "gen: error: --base-image-digest: the blueprint `{}` has no param that pins its base image by digest; \
             nothing written",
            args.blueprint
        );
        return EXIT_FAILURE;
    }
    let on_this_machine = crate::platform::PLATFORMS.iter().any(|p| p.name() == args.platform && p.on_this_machine());
    if args.footprint == Footprint::Starter && on_this_machine {
        eprintln!(
            "gen: error: --footprint starter sizes a cloud platform's cluster; `{}` runs on this machine, whose size \
             is yours: nothing written",
            args.platform
        );
        return EXIT_FAILURE;
    }
    if args.runtime == crate::platform::aws::ECS && args.platform != crate::platform::aws::NAME {
        eprintln!(
            "gen: error: --runtime ecs runs the services on ECS, on aws; `{}` has no ECS: add `--platform aws`, \
             nothing written",
            args.platform
        );
        return EXIT_FAILURE;
    }
    let digest = args.base_image_digest.as_deref();
    let footprint = match args.footprint {
        Footprint::Starter => "starter",
        Footprint::Production => "production",
    };
    let text = match render::example_spec_sized(
        &session.catalog,
        &args.blueprint,
        &name,
        &args.platform,
        digest,
        footprint,
        &args.runtime,
    ) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("gen: error: {message}");
            return EXIT_FAILURE;
        }
    };
    // The example must pass gen's own checks, render included, before it is handed to the user.
    // Findings name it as what it is: text not written anywhere yet.
    let shown = display(&out);
    let unwritten = format!("{shown} (not written)");
    let problems = match spec::load(&unwritten, text.as_bytes()) {
        Ok(loaded) => {
            // The example must have written the digest where its blueprint reads it.
            if let (Some(digest), Some((_, Some(param)))) = (digest, &base)
                && !loaded.spec.services.iter().all(|s| s.params.get(param).and_then(|v| v.as_str()) == Some(digest))
            {
                eprintln!(
                    "gen: error: --base-image-digest: the example spec of `{}` does not pin its base image (its \
                     services' `params.{param}`); nothing written",
                    args.blueprint
                );
                return EXIT_FAILURE;
            }
            let rendered = pipeline::default_out(&out);
            let mut findings = session.check(&loaded, &pipeline::place(&out, &rendered), &display(&rendered)).findings;
            findings.diagnostics.retain(|d| d.severity == Severity::Error);
            findings
        }
        Err(SpecError::Invalid(findings)) => findings,
        Err(e @ SpecError::Read { .. }) => {
            eprintln!("gen: error: {e}");
            return EXIT_FAILURE;
        }
    };
    if !problems.diagnostics.is_empty() {
        // The findings are about names derived from --name in a file that was never written:
        // each is told as what --name gave, not at a line of that file.
        eprintln!(
            "gen: error: --name `{}` gives the example spec of `{}` names gen refuses; nothing written:",
            name, args.blueprint
        );
        for d in &problems.diagnostics {
            match &d.help {
                Some(help) => eprintln!("  - {} ({help})", d.message),
                None => eprintln!("  - {}", d.message),
            }
        }
        eprintln!(
            "gen: help: choose another --name: the project, its service and its cloud resources are named after it"
        );
        return EXIT_FAILURE;
    }
    if out.exists() && !args.overwrite {
        eprintln!("gen: error: {shown} exists; use --overwrite to replace it (what it holds is lost)");
        return EXIT_FAILURE;
    }
    match output::write_file(&out, text.as_bytes()) {
        Ok(()) => {
            outln!("wrote {shown}: edit it, then run `gen render {shown}`");
            // gen reads no network: the digest of the base image's tag is the user's to look up.
            if let (None, Some((image, Some(param)))) = (digest, &base)
                && crate::platform::PLATFORMS.iter().any(|p| {
                    p.name() == args.platform && p.capabilities().contains(&crate::platform::Capability::CloudPipeline)
                })
            {
                let image = &image.reference;
                outln!(
                    "next: the base image {image} follows its tag; pin it by writing the digest that `docker buildx \
                     imagetools inspect {image}` prints in the service's `params.{param}` (or run this again with \
                     `--base-image-digest DIGEST --overwrite`); until then the gen-refresh workflow proposes a pin each week"
                );
            }
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}

/// Why the spec cannot be written at `out` (a folder, or a file where a folder of its path must
/// be), said before anything is read or written.
fn out_problem(out: &Path) -> Option<String> {
    if out.is_dir() {
        return Some(format!(
            "--out {} is a folder: name the spec file to write, such as {}; nothing written",
            display(out),
            display(&out.join("spec.yaml"))
        ));
    }
    // A file where a folder of the path must be: said as such, not as the system's "Not a
    // directory" at the moment of writing.
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let file = parent.and_then(|p| p.ancestors().find(|a| std::fs::metadata(a).is_ok_and(|m| !m.is_dir())))?;
    Some(format!(
        "--out {}: {} is a file, not a folder: name a spec file in a folder (a missing folder is made); nothing written",
        display(out),
        display(file)
    ))
}

/// `gen init --from DIR`: the spec of an existing repository, settled through the pipeline.
/// DIR is only read; the one file written is the spec.
fn adopt(args: &Args, dir: &Path) -> u8 {
    if args.blueprint != "flask" {
        eprintln!(
            "gen: error: --from writes flask services (the blueprint its readers know); `{}` has no reader yet; nothing \
             written",
            args.blueprint
        );
        return EXIT_FAILURE;
    }
    if let Some(name) = &args.name
        && let Some(why) = spec::rules::service_name_problem(name)
    {
        eprintln!("gen: error: --name `{name}` cannot name the project: {why}; nothing written");
        return EXIT_FAILURE;
    }
    if let Err(e) = adopt::check_folder(dir) {
        return from_problem(&e);
    }
    // The spec belongs at the repository's root, where it is the one file gen adds; elsewhere
    // only where the user says.
    let out = args.out.clone().unwrap_or_else(|| dir.join("spec.yaml"));
    if let Some(problem) = out_problem(&out) {
        eprintln!("gen: error: {problem}");
        return EXIT_FAILURE;
    }
    // The spec's paths (`source:`) are read from its folder, in the repository it describes.
    let Some(spec_dir) = folder_within(dir, &out) else {
        eprintln!(
            "gen: error: --out {} is outside {}: the spec must sit inside the repository it describes (its source: \
             is read from the spec's folder, and gen's pipeline runs in that repository): name a file under it, such \
             as {}; nothing written",
            display(&out),
            display(dir),
            display(&dir.join("spec.yaml"))
        );
        return EXIT_FAILURE;
    };
    let shown = display(&out);
    if out.exists() && !args.overwrite {
        let hint = if args.out.is_none() { " or name another file with --out" } else { "" };
        eprintln!(
            "gen: error: {shown} exists; use --overwrite to replace it (what it holds is lost){hint}; nothing written"
        );
        return EXIT_FAILURE;
    }
    let repo = match adopt::read(dir, &[pipeline::default_out(&out)]) {
        Ok(repo) => repo,
        Err(e) => return from_problem(&e),
    };
    for note in &repo.notes {
        eprintln!("gen: note: {note}");
    }
    let from = display(dir);
    let doc = adopt::write(&repo, &adopt::Options { name: args.name.as_deref(), from: &from, spec_dir: &spec_dir });
    for conflict in &doc.conflicts {
        eprintln!("gen: note: {conflict}");
    }
    let session = match session(&[]) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The repository's own files as `gen lint` finds them, before the spec joins them.
    let before = args.compare.then(|| super::compare::before(session, dir));
    // The TODOs it writes are the point: they stop `gen render`, not `gen init`.
    let settled = adopt::settle(&doc, &session.settling(), &out);
    for refused in &settled.refused {
        eprintln!("gen: note: gen refuses {refused}: a TODO in the spec marks it");
    }
    if let Err(e) = output::write_file(&out, settled.text.as_bytes()) {
        eprintln!("gen: error: {e}");
        return EXIT_FAILURE;
    }
    let todos = settled.text.lines().filter(|l| l.trim_start().starts_with(&format!("# {}", adopt::TODO))).count();
    outln!(
        "wrote {shown}: {} values read from {} files of {from}, each with its file and line; {todos} TODOs to settle",
        doc.inferred,
        repo.read
    );
    if let Some(before) = &before
        && let Ok(prepared) = session.prepare(&out, None)
    {
        super::compare::print(session, &prepared, before);
    }
    if settled.remaining.diagnostics.is_empty() {
        outln!("next: settle the TODOs (`grep -n TODO {shown}`), then run `gen render {shown}`");
        EXIT_CLEAN
    } else {
        super::eprint_findings(&settled.remaining);
        eprintln!(
            "gen: error: the spec is written, but gen refuses it where no TODO could take a value's place (above): \
             edit {shown}, then `gen lint {shown}`"
        );
        super::EXIT_FINDINGS
    }
}

/// The folder of the spec `out` relative to the repository `dir` (`.` at its root, `/`
/// separators), or `None` when the spec would be outside it. Both are resolved as the system
/// will (links, `..`); a folder of `out` not made yet is taken as written.
fn folder_within(dir: &Path, out: &Path) -> Option<String> {
    let root = std::fs::canonicalize(dir).ok()?;
    let absolute = if out.is_absolute() { out.to_path_buf() } else { std::env::current_dir().ok()?.join(out) };
    let parent = absolute.parent()?;
    // The nearest folder that exists, resolved, and what is below it, taken lexically.
    let existing = parent.ancestors().find(|a| a.exists())?;
    let mut resolved = std::fs::canonicalize(existing).ok()?;
    for part in parent.strip_prefix(existing).ok()?.components() {
        match part {
            std::path::Component::ParentDir => {
                resolved.pop();
            }
            std::path::Component::Normal(p) => resolved.push(p),
            _ => {}
        }
    }
    let rel = resolved.strip_prefix(&root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

/// A folder `--from` cannot read: said, exit 2.
fn from_problem(e: &adopt::AdoptError) -> u8 {
    eprintln!("gen: error: --from {e}; nothing written");
    EXIT_FAILURE
}

/// `sha256:` and 64 lowercase hex digits: what a registry names an image's manifest by.
fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}
