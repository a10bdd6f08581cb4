//! The command line: arguments, commands, and the exit codes they map to.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::blueprint::Catalog;
use crate::diag::{Diagnostic, Diagnostics, Severity, Source, SourceMap};
use crate::output::{self, DRIFTED_OUTPUT, DriftKind};
use crate::render::{self, Plan};
use crate::spec::{self, Loaded};
use crate::{lint, registry, report};

/// Exit code: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at error level (or warnings with --strict), drift, or files to look at.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, I/O error, or a spec that cannot be loaded or rendered.
pub const EXIT_FAILURE: u8 = 2;

/// One declarative spec to a production path on Kubernetes, checked before it ships.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a spec and render every artifact into the output directory.
    Render {
        /// The spec file.
        spec: PathBuf,
        /// Output directory [default: `out` beside the spec].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 with a unified diff when managed files have drifted.
        #[arg(long)]
        check: bool,
        /// Also rewrite scaffold files, replace files gen does not own, and remove edited
        /// files the spec no longer renders.
        #[arg(long, conflicts_with = "check")]
        force: bool,
        /// A folder of extra blueprints (repeatable; overrides built-ins by name).
        #[arg(long = "blueprints", value_name = "DIR")]
        blueprints: Vec<PathBuf>,
    },
    /// Check specs (schema, rules, blueprints, rendered artifacts, drift), or Dockerfiles.
    Lint {
        /// Spec files, Dockerfiles, or folders whose Dockerfiles to check.
        #[arg(default_value = "spec.yaml")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Output directory to check for drift [default: `out` beside each spec, when it exists].
        #[arg(long)]
        out: Option<PathBuf>,
        /// A folder of extra blueprints (repeatable).
        #[arg(long = "blueprints", value_name = "DIR")]
        blueprints: Vec<PathBuf>,
    },
    /// Write a blueprint's commented example spec to start from.
    Init {
        /// The blueprint.
        #[arg(long, default_value = "flask")]
        blueprint: String,
        /// Project and service name (a DNS-1123 label).
        #[arg(long, default_value = "shop")]
        name: String,
        /// Where to write the spec.
        #[arg(long, default_value = "spec.yaml")]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// A folder of extra blueprints (repeatable).
        #[arg(long = "blueprints", value_name = "DIR")]
        blueprints: Vec<PathBuf>,
    },
    /// List the blueprints, or show one.
    Blueprints {
        #[command(subcommand)]
        action: Option<BlueprintsAction>,
        /// A folder of extra blueprints (repeatable).
        #[arg(long = "blueprints", value_name = "DIR", global = true)]
        blueprints: Vec<PathBuf>,
    },
    /// Print the spec's JSON Schema (for editors and yaml-language-server).
    Schema,
    /// Print a rule's documentation; without RULE, list every rule.
    Explain {
        /// A rule code (SPEC111) or name (request-exceeds-limit).
        rule: Option<String>,
        /// Print every rule's documentation as Markdown.
        #[arg(long, conflicts_with = "rule")]
        markdown: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BlueprintsAction {
    /// One line per blueprint.
    List,
    /// A blueprint's description, params and files.
    Show {
        /// The blueprint's name.
        name: String,
    },
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style text with the source line and a caret.
    Human,
    /// The versioned JSON report (schemas/lint-report.schema.json).
    Json,
}

/// Runs a command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Render { spec, out, check, force, blueprints } => render_cmd(&spec, out, check, force, &blueprints),
        Command::Lint { paths, format, strict, out, blueprints } => lint(&paths, format, strict, out, &blueprints),
        Command::Init { blueprint, name, out, force, blueprints } => init(&blueprint, &name, &out, force, &blueprints),
        Command::Blueprints { action, blueprints } => blueprints_cmd(action, &blueprints),
        Command::Schema => {
            print!("{}", spec::schema::SPEC_SCHEMA);
            EXIT_CLEAN
        }
        Command::Explain { rule, markdown } => explain(rule.as_deref(), markdown),
    }
}

fn explain(rule: Option<&str>, markdown: bool) -> u8 {
    if markdown {
        print!("{}", registry::markdown());
        return EXIT_CLEAN;
    }
    let Some(query) = rule else {
        for r in registry::all() {
            println!("{:<8} {:<32} {:<8} {}", r.code, r.name, r.severity, r.summary());
        }
        return EXIT_CLEAN;
    };
    match registry::find(query) {
        Some(r) => {
            println!("{} {} ({})\n\n{}", r.code, r.name, r.severity, r.documentation());
            EXIT_CLEAN
        }
        None => {
            eprintln!("gen: error: no rule is called `{query}`");
            let close = registry::similar(query);
            if !close.is_empty() {
                eprintln!("close matches:");
                for r in close {
                    eprintln!("  {} {}", r.code, r.name);
                }
            }
            eprintln!("list every rule with `gen explain`");
            EXIT_FAILURE
        }
    }
}

/// Reads a spec file, at most one byte over the size limit (so a huge file costs nothing).
pub fn read_spec(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(spec::yaml::MAX_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Prints findings to stderr the way a compiler does.
fn print_errors(sources: impl IntoIterator<Item = Arc<Source>>, diags: &[Diagnostic]) {
    let mut map = SourceMap::default();
    sources.into_iter().for_each(|s| map.add(s));
    eprint!("{}", report::human(diags, &map));
}

fn catalog(dirs: &[PathBuf]) -> Result<Catalog, u8> {
    Catalog::load(dirs).map_err(|(sources, diags)| {
        print_errors(sources, &diags);
        EXIT_FAILURE
    })
}

/// The default output directory: `out` beside the spec.
fn default_out(spec: &Path) -> PathBuf {
    spec.parent().unwrap_or(Path::new("")).join("out")
}

fn spec_name(spec: &Path) -> String {
    spec.file_name().map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned())
}

fn render_cmd(spec_path: &Path, out: Option<PathBuf>, check: bool, force: bool, dirs: &[PathBuf]) -> u8 {
    let name = spec_path.display().to_string();
    let bytes = match read_spec(spec_path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("gen: error: cannot read {name}: {e}");
            return EXIT_FAILURE;
        }
    };
    let loaded = match spec::load(&name, &bytes) {
        Ok(l) => l,
        Err((source, diags)) => {
            print_errors([source], &diags);
            return EXIT_FAILURE;
        }
    };
    let findings = registry::apply_ignores(&loaded, spec::check(&loaded));
    if !findings.is_empty() {
        print_errors([loaded.source.clone()], &findings);
    }
    if findings.iter().any(|d| d.severity == Severity::Error) {
        eprintln!("gen: nothing written: fix the errors above");
        return EXIT_FAILURE;
    }
    let catalog = match catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let plan = match render::render(&loaded, &catalog, &spec_name(spec_path)) {
        Ok(p) => p,
        Err((mut sources, diags)) => {
            sources.push(loaded.source.clone());
            print_errors(sources, &diags);
            eprintln!("gen: nothing written: fix the errors above");
            return EXIT_FAILURE;
        }
    };
    let out = out.unwrap_or_else(|| default_out(spec_path));
    if check {
        return check_drift(&plan, &out);
    }
    let spec_rel = output::relative_path(&out, spec_path);
    match output::apply(&plan, &out, &spec_rel, &bytes, force) {
        Ok(outcome) => {
            let shown = out.display();
            for path in &outcome.overwrote_edits {
                eprintln!("note: {shown}/{path} had been edited by hand; it is managed, so it was rewritten");
            }
            for path in &outcome.conflicts {
                eprintln!(
                    "error: {shown}/{path} exists and gen does not own it: not written (move it away, or use --force)"
                );
            }
            for path in &outcome.kept_edited {
                eprintln!(
                    "error: {shown}/{path} is no longer rendered but was edited by hand: kept (delete it, or use --force)"
                );
            }
            if outcome.changed_anything() {
                println!(
                    "{shown}: wrote {} managed file(s), created {} scaffold file(s), removed {}, {} unchanged",
                    outcome.written.len(),
                    outcome.scaffolded.len(),
                    outcome.removed.len(),
                    outcome.unchanged
                );
            } else {
                println!("{shown}: up to date, no file written ({} files)", outcome.unchanged);
            }
            if outcome.needs_attention() { EXIT_FINDINGS } else { EXIT_CLEAN }
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}

fn check_drift(plan: &Plan, out: &Path) -> u8 {
    match output::drift(plan, out) {
        Ok(drifts) if drifts.is_empty() => {
            println!("{}: in sync with the spec", out.display());
            EXIT_CLEAN
        }
        Ok(drifts) => {
            for d in &drifts {
                print!("{}", d.diff);
            }
            eprintln!(
                "{}: {} managed file(s) differ from the spec; run `gen render` to update them",
                out.display(),
                drifts.len()
            );
            EXIT_FINDINGS
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}

/// Lints a hand-written Dockerfile, or every Dockerfile under a folder (a rendered tree).
fn lint_dockerfiles(path: &Path, sources: &mut SourceMap) -> Result<Diagnostics, u8> {
    let files: Vec<PathBuf> = if path.is_dir() {
        walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.file_name() != ".git")
            .flatten()
            .filter(|e| e.file_type().is_file() && lint::dockerfile::is_dockerfile(&e.file_name().to_string_lossy()))
            .map(|e| e.into_path())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mut diags = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let text = std::fs::read(&file).map_err(|e| {
            eprintln!("gen: error: cannot read {name}: {e}");
            EXIT_FAILURE
        })?;
        let text = String::from_utf8_lossy(&text).into_owned();
        diags.extend(lint::dockerfile::lint(&name, &text, None));
        sources.add(Source::new(name, text));
    }
    Ok(diags)
}

/// Whether `gen lint` treats a path as a Dockerfile (or a folder of them) rather than a spec.
fn is_artifact_path(path: &Path) -> bool {
    path.is_dir() || path.file_name().is_some_and(|n| lint::dockerfile::is_dockerfile(&n.to_string_lossy()))
}

/// Lints one spec: load, rules, blueprint params and templates, the rendered artifacts, and
/// drift when `out` exists. A Dockerfile or a folder is linted as artifacts instead.
fn lint_one(
    path: &Path,
    out: Option<&Path>,
    catalog: &Catalog,
    sources: &mut SourceMap,
) -> Result<(Diagnostics, bool), u8> {
    if is_artifact_path(path) {
        return lint_dockerfiles(path, sources).map(|d| (d, false));
    }
    let name = path.display().to_string();
    let bytes = read_spec(path).map_err(|e| {
        eprintln!("gen: error: cannot read {name}: {e}");
        EXIT_FAILURE
    })?;
    let loaded: Loaded = match spec::load(&name, &bytes) {
        Ok(loaded) => loaded,
        Err((source, errors)) => {
            sources.add(source);
            return Ok((errors, true));
        }
    };
    let mut diags = spec::check(&loaded);
    sources.add(loaded.source.clone());
    match render::render(&loaded, catalog, &spec_name(path)) {
        Ok(plan) => {
            let out = out.map_or_else(|| default_out(path), Path::to_path_buf);
            let (rendered, found) = lint::lint_plan(&plan, &loaded, &out.display().to_string());
            rendered.into_iter().for_each(|s| sources.add(s));
            diags.extend(found);
            if out.is_dir() {
                let drifts = output::drift(&plan, &out).map_err(|e| {
                    eprintln!("gen: error: {e}");
                    EXIT_FAILURE
                })?;
                for d in drifts {
                    let file = format!("{}/{}", out.display(), d.path);
                    let what = match d.kind {
                        DriftKind::Missing => "is missing: the spec renders it",
                        DriftKind::Changed => "differs from what the spec renders",
                        DriftKind::Stale => "is left over: the spec no longer renders it",
                    };
                    let help = format!("run `gen render {name}`; `--check` shows the diff");
                    diags
                        .push(Diagnostic::new(&DRIFTED_OUTPUT, &file, None, format!("managed file {what}")).help(help));
                }
            }
        }
        Err((more_sources, errors)) => {
            more_sources.into_iter().for_each(|s| sources.add(s));
            diags.extend(errors);
        }
    }
    Ok((registry::apply_ignores(&loaded, diags), false))
}

fn lint(paths: &[PathBuf], format: Format, strict: bool, out: Option<PathBuf>, dirs: &[PathBuf]) -> u8 {
    let catalog = match catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut sources = SourceMap::default();
    let mut diags: Diagnostics = Vec::new();
    let mut unloadable = false;
    for path in paths {
        match lint_one(path, out.as_deref(), &catalog, &mut sources) {
            Ok((found, failed)) => {
                diags.extend(found);
                unloadable |= failed;
            }
            Err(code) => return code,
        }
    }
    let text = match format {
        Format::Human => report::human(&diags, &sources),
        Format::Json => report::json(&diags, &sources),
    };
    print!("{text}");
    if unloadable {
        EXIT_FAILURE
    } else if diags.iter().any(|d| d.severity == Severity::Error || strict) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn init(blueprint: &str, name: &str, out: &Path, force: bool, dirs: &[PathBuf]) -> u8 {
    if let Some(why) = spec::rules::dns1123_label_problem(name) {
        eprintln!("gen: error: --name `{name}` is not a Kubernetes name: {why}");
        return EXIT_FAILURE;
    }
    let catalog = match catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let text = match render::example_spec(&catalog, blueprint, name) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("gen: error: {message}");
            return EXIT_FAILURE;
        }
    };
    // The example must pass gen's own checks before it is handed to the user.
    let shown = out.display().to_string();
    let (sources, problems) = match spec::load(&shown, text.as_bytes()) {
        Ok(loaded) => {
            let mut d = spec::check(&loaded);
            let mut sources = vec![loaded.source.clone()];
            if let Err((more, errors)) = render::render(&loaded, &catalog, &spec_name(out)) {
                sources.extend(more);
                d.extend(errors);
            }
            (sources, d.into_iter().filter(|d| d.severity == Severity::Error).collect::<Vec<_>>())
        }
        Err((source, errors)) => (vec![source], errors),
    };
    if !problems.is_empty() {
        print_errors(sources, &problems);
        eprintln!("gen: error: the example spec of `{blueprint}` does not pass with --name `{name}`; nothing written");
        return EXIT_FAILURE;
    }
    if out.exists() && !force {
        eprintln!("gen: error: {shown} exists; use --force to overwrite it");
        return EXIT_FAILURE;
    }
    match output::write_file(out, text.as_bytes()) {
        Ok(()) => {
            println!("wrote {shown}: edit it, then run `gen render {shown}`");
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}

fn blueprints_cmd(action: Option<BlueprintsAction>, dirs: &[PathBuf]) -> u8 {
    let catalog = match catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match action.unwrap_or(BlueprintsAction::List) {
        BlueprintsAction::List => {
            for bp in catalog.all() {
                let kind = match bp.kind {
                    crate::blueprint::Kind::Service => "service",
                    crate::blueprint::Kind::Base => "base",
                };
                println!("{:<16} {:<8} {:<8} {:<10} {}", bp.name, bp.version, kind, bp.origin, bp.description);
            }
            EXIT_CLEAN
        }
        BlueprintsAction::Show { name } => match catalog.get(&name) {
            Some(bp) => {
                print!("{}", crate::blueprint::describe(bp));
                EXIT_CLEAN
            }
            None => {
                let names: Vec<&str> = catalog.all().map(|b| b.name.as_str()).collect();
                eprintln!("gen: error: no blueprint is called `{name}` (available: {})", names.join(", "));
                EXIT_FAILURE
            }
        },
    }
}
