//! `gen render`: check, then write or compare.

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_FAILURE, EXIT_FINDINGS, eprint_findings, session};
use crate::output::{
    Allow, Drift, DriftKind, Inputs, Layout, ManifestChange, Outcome, OutputError, Unlisted, Why, Writer, shown as at,
};
use crate::pipeline::{self, Prepared, Session, Unprepared, display};
use crate::render::{self, PlannedFile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    spec: PathBuf,
    /// Output directory [default: `out` beside the spec].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 with a unified diff when managed files have drifted.
    #[arg(long)]
    check: bool,
    /// Take gen's version of managed files edited by hand (their edits are lost), and remove
    /// edited files the spec no longer renders.
    #[arg(long, conflicts_with_all = ["check", "keep_edits"])]
    discard_edits: bool,
    /// Keep managed files edited by hand as they are, and make them yours: gen no longer
    /// writes or drift-checks them (delete one to hand it back).
    #[arg(long, conflicts_with = "check")]
    keep_edits: bool,
    /// Replace files gen does not own that stand where it writes (their content is lost).
    #[arg(long, conflicts_with = "check")]
    overwrite_unowned: bool,
    /// Render into an output folder whose manifest names another spec (or this one before it
    /// was moved or renamed): the folder becomes this spec's, and the other spec's files this
    /// one does not render are removed, as stale files are.
    #[arg(long, conflicts_with = "check")]
    take_over: bool,
    /// The spec's new services replace those the output records and the spec no longer has:
    /// not renames (which `renamedFrom:` says), so nothing of the old ones carries over.
    #[arg(long, conflicts_with = "check")]
    replace_services: bool,
    /// Gone: it did several things at once. Use --discard-edits, --keep-edits or
    /// --overwrite-unowned, which each say what they may lose.
    #[arg(long, hide = true)]
    force: bool,
    /// Where `.github/` (workflows, Dependabot) goes: `root`, the repository's root, where
    /// GitHub reads it; or `output`, the output folder, where GitHub never reads it (a
    /// repository that only shows an example). The output folder's manifest remembers the
    /// choice for later renders and checks [default: what the manifest says, else `root`].
    #[arg(long, value_enum, conflicts_with = "check")]
    github_at: Option<GithubAt>,
    /// A folder of extra blueprints (repeatable; overrides built-ins by name).
    #[arg(long = "blueprints", value_name = "DIR")]
    blueprints: Vec<PathBuf>,
}

/// Where `.github/` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum GithubAt {
    Root,
    Output,
}

pub fn run(args: Args) -> u8 {
    if args.force {
        eprintln!(
            "gen: error: --force is gone; say what may be lost: --discard-edits (take gen's version of files edited by \
             hand), --keep-edits (keep your edits, gen stops managing those files), --overwrite-unowned (replace files \
             gen does not own); to start a scaffold file over, delete it"
        );
        return EXIT_FAILURE;
    }
    let session = match session(&args.blueprints) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let prepared = match session.prepare(&args.spec, args.out.as_deref()) {
        Ok(p) => p,
        Err(Unprepared::Unreadable(reason)) => {
            eprintln!("gen: error: cannot read {}: {reason}", display(&args.spec));
            return EXIT_FAILURE;
        }
        Err(Unprepared::Invalid(findings)) => {
            eprint_findings(&findings);
            eprintln!("gen: nothing written: fix the errors above");
            return EXIT_FAILURE;
        }
    };
    // A rename the spec does not say: refused before anything renders.
    if !prepared.renamed.diagnostics.is_empty() && !args.replace_services {
        eprint_findings(&prepared.renamed);
        eprintln!("gen: {}: fix the errors above", if args.check { "nothing compared" } else { "nothing written" });
        return EXIT_FAILURE;
    }
    // Said before the spec is checked and rendered, which can take a while.
    if let Err(e) = crate::output::check_folder(&prepared.out) {
        eprintln!("gen: error: {e}{}", if args.check { "" } else { "; nothing was written" });
        return EXIT_FAILURE;
    }
    if args.check {
        return check_drift(session, &prepared);
    }
    let Prepared { bytes, out, loaded, place, removed, .. } = prepared;
    let (bytes, out, place) = (&bytes, &out, &place);
    let allow = Allow {
        discard_edits: args.discard_edits,
        keep_edits: args.keep_edits,
        overwrite_unowned: args.overwrite_unowned,
        take_over: args.take_over,
    };
    // Checked whole first, and only then written: a render that fails (an error-level
    // finding, a blueprint out of fuel or memory) stops before the first byte is written. The
    // checked batches are kept for the writer while they fit in KEPT_BYTES; past that (a spec
    // of thousands of services, never held whole) they are rendered again batch by batch.
    let (mut kept, limit) = (Some((Vec::new(), 0usize)), kept_bytes());
    // The user's files in the output (kept with --keep-edits, and the scaffold's as they are
    // now), reported with the spec's findings: they are deployed with what gen writes.
    let mut yours = crate::pipeline::Yours::read(out, place, args.keep_edits);
    let mut checked = session.check_each(&loaded, place, &display(out), &mut |batch: &[PlannedFile]| {
        yours.note(batch);
        if let Some((batches, bytes)) = &mut kept {
            *bytes += batch.iter().map(|f| f.bytes.len() + f.path.len()).sum::<usize>();
            if *bytes > limit { kept = None } else { batches.push(batch.to_vec()) }
        }
    });
    // gen's own files decide whether it writes them; the user's are theirs to mend.
    let refused = !checked.rendered || checked.findings.has_errors();
    // An error in them does not stop the render, but its exit code says so (1, as `gen lint`).
    let mut yours_fail = false;
    if checked.rendered {
        let found = yours.findings(&loaded, &session.catalog, &display(out));
        yours_fail = found.has_errors();
        checked.findings.extend(found);
    }
    drop(yours);
    eprint_findings(&checked.findings);
    if let Some(assumed) = &place.assumed {
        eprintln!("gen: note: {assumed}");
    }
    if refused {
        eprintln!("gen: nothing written: fix the errors above");
        return EXIT_FAILURE;
    }
    drop(checked);
    // What this render reads, which it never writes over or removes.
    let mut inputs = Inputs::new(&args.spec, &display(&args.spec));
    for (folder, file) in session.catalog.files_read() {
        inputs.add_blueprint_file(folder, file);
    }
    let mut in_output = false;
    let finished = Writer::open(out, allow, &inputs).and_then(|mut writer| {
        in_output = match args.github_at {
            Some(at) => at == GithubAt::Output,
            None => writer.github_in_output(),
        };
        writer.layout(Layout::of(place).in_output(in_output));
        // A renamed service's folder of gen's scaffold moves with it: the code in it is the
        // user's, and stays theirs under the new name.
        for svc in &loaded.spec.services {
            if let (Some(from), None) = (&svc.renamed_from, &svc.source) {
                let (from, to) = (crate::render::service_folder(from), crate::render::service_folder(&svc.name));
                if writer.move_folder(&from, &to)? {
                    eprintln!("gen: moved {}/{from} to {}/{to} (renamedFrom)", display(out), display(out));
                }
            }
        }
        let loaded = loaded;
        writer.renames(
            loaded.spec.services.iter().filter_map(|s| Some((s.name.clone(), s.renamed_from.clone()?))).collect(),
        );
        writer.environments(
            loaded
                .environments
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let cluster_id = e.spec(&loaded).spec.platform.target.spec().cluster_id();
                    let creator = &loaded.environments[crate::platform::cluster_creator(&loaded, i)];
                    crate::output::EnvironmentRecord {
                        name: e.name.clone(),
                        platform: e.target.to_string(),
                        cluster_creator: cluster_id.as_ref().map(|_| creator.name.clone()),
                        cluster_id,
                    }
                })
                .collect(),
        );
        let mut failed = None;
        // Writes a batch; false once a write has failed (the rest is not written).
        let mut write = |batch: Vec<PlannedFile>| {
            if let Err(e) = writer.add(&batch) {
                failed = Some(e);
            }
            failed.is_none()
        };
        let rendered = match kept {
            Some((batches, _)) => {
                for batch in batches {
                    if !write(batch) {
                        break;
                    }
                }
                Ok(())
            }
            // Rendered again on another thread while this one writes what it already has: a
            // plan too big to keep was checked whole, and nothing is written before that.
            None => std::thread::scope(|scope| {
                let (send, batches) = std::sync::mpsc::sync_channel::<Vec<PlannedFile>>(4);
                let (loaded, catalog) = (&loaded, &session.catalog);
                let renderer = scope.spawn(move || {
                    // A closed channel means the writer failed: what is rendered after is dropped.
                    render::render_each_again(loaded, catalog, place, &mut |batch| {
                        let _ = send.send(batch);
                    })
                });
                // A failed write ends the loop, and with it this end of the channel.
                for batch in batches {
                    if !write(batch) {
                        break;
                    }
                }
                renderer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }),
        };
        // The spec's tree is not needed to record what was written: a spec of thousands of
        // services holds tens of MiB, at the moment the manifest is serialized.
        drop(loaded);
        match (rendered, failed) {
            (_, Some(e)) => Err(e),
            // The same spec rendered a moment ago: only a blueprint that is not deterministic
            // gets here.
            (Err(_), None) => Err(OutputError::Unstable),
            (Ok(()), None) => writer.finish(bytes),
        }
    });
    match finished {
        Ok(outcome) => {
            moved_note(&outcome, place, &display(out), in_output);
            // Nothing gen renders removes what a removed service runs: said once, here.
            for name in &removed {
                eprintln!(
                    "gen: note: `{name}` is no longer rendered, but it still runs where it was deployed: once what \
                     replaces it serves, remove it in each cluster (`helm uninstall {name} --namespace NAMESPACE`); the \
                     next `terraform apply` destroys its identity and vault"
                );
            }
            let code = report(&outcome, &display(out), &display(&args.spec));
            if code == EXIT_CLEAN && yours_fail {
                eprintln!("gen: written; your files above (yours, not gen's) have errors to fix");
                return EXIT_FINDINGS;
            }
            code
        }
        Err(e) => {
            match e.wrote_nothing() {
                (true, false) => eprintln!("gen: error: {e}; nothing was written"),
                _ => eprintln!("gen: error: {e}"),
            }
            EXIT_FAILURE
        }
    }
}

/// The most bytes of checked files `gen render` keeps for writing instead of rendering them
/// again (the reference project renders 0.3 MB; a spec of thousands of services, hundreds).
const KEPT_BYTES: usize = 32 * 1024 * 1024;

/// [`KEPT_BYTES`]; in a build with debug assertions (the tests'), `GEN_TEST_KEPT_BYTES` when
/// set, so that a test takes the path of a plan too big to keep with a spec of a few services
/// rather than 400 (a release build never reads it).
fn kept_bytes() -> usize {
    #[cfg(debug_assertions)]
    if let Some(bytes) = std::env::var("GEN_TEST_KEPT_BYTES").ok().and_then(|v| v.parse().ok()) {
        return bytes;
    }
    KEPT_BYTES
}

/// How many paths a note names before it only counts the rest.
const NAMED: usize = 5;

/// Says so when a render removed the `.github/` files earlier renders wrote inside the output
/// folder, where GitHub never reads them: they are at the repository root now.
fn moved_note(o: &Outcome, place: &render::Place, out: &str, in_output: bool) {
    if place.depth() == 0 || in_output {
        return;
    }
    let moved = o.removed.iter().filter(|p| render::is_repository_file(p)).count();
    if moved > 0 {
        let root = at(out, &"../".repeat(place.depth()));
        let root = root.trim_end_matches('/');
        let github = if root.is_empty() { ".github/".to_string() } else { format!("{root}/.github/") };
        eprintln!(
            "note: gen renders `.github/` at the repository root now, where GitHub reads it ({github}); it removed the \
             {moved} file(s) earlier renders wrote in {out}/.github/ (commit the move as one change)"
        );
    }
}

/// Says what a render did, and what the user must decide; the exit code.
fn report(o: &Outcome, out: &str, spec: &str) -> u8 {
    let list = |paths: &[String]| paths.iter().map(|p| at(out, p)).collect::<Vec<_>>().join(", ");
    if o.recovered {
        eprintln!(
            "note: the last render into {out} stopped part way; this one went on from there (the files that render \
             had put in place were taken as gen's, not as edits)"
        );
    }
    if !o.cleaned.is_empty() {
        // An interrupted render of thousands of services leaves thousands: a few name them.
        let more = o.cleaned.len().saturating_sub(NAMED);
        let more = if more > 0 { format!(", and {more} more") } else { String::new() };
        eprintln!(
            "note: removed {} temporary file(s) an interrupted render left: {}{more}",
            o.cleaned.len(),
            list(&o.cleaned[..o.cleaned.len().min(NAMED)])
        );
    }
    for (path, what) in &o.forgot_inputs {
        eprintln!("note: {} is no longer rendered and is {what}: kept, and no longer recorded as gen's", at(out, path));
    }
    for kept in &o.kept_edits {
        eprint!("{}", kept.diff);
        eprintln!(
            "error: {} was edited by hand; gen kept your version (the diff above is from it to the spec's). Either:\n  \
             - move the change into the spec or its blueprint, then take gen's version: gen render {spec} --discard-edits\n  \
             - or keep yours, and gen stops managing the file: gen render {spec} --keep-edits",
            at(out, &kept.path)
        );
    }
    for kept in &o.kept_unowned {
        eprint!("{}", kept.diff);
        eprintln!(
            "error: {} exists and gen does not own it: kept, not written (move it away, or replace it: gen render \
             {spec} --overwrite-unowned)",
            at(out, &kept.path)
        );
    }
    for path in &o.kept_scaffold {
        eprintln!(
            "note: {} was already there where gen starts a scaffold file: kept as yours (delete it for gen's)",
            at(out, path)
        );
    }
    // Files gen did not write where they matter: named one a line, then what to do, once.
    let (owned, others): (Vec<&Unlisted>, Vec<&Unlisted>) =
        o.kept_unlisted.iter().partition(|k| matches!(k.why, Why::Owned(_)));
    let (look_alike, claimed): (Vec<&Unlisted>, Vec<&Unlisted>) =
        others.into_iter().partition(|k| k.why == Why::LookAlike);
    for kept in &owned {
        if let Why::Owned(tool) = kept.why {
            eprintln!("error: {}: not gen's, in {}", at(out, &kept.path), tool.folder());
        }
    }
    if !owned.is_empty() {
        eprintln!("  kept: gen removes no file it did not write; remove them, or move them out of the folder");
    }
    for kept in &claimed {
        eprintln!("error: {}: says it is generated by gen, but the manifest does not list it", at(out, &kept.path));
    }
    if !claimed.is_empty() {
        eprintln!("  kept: if an earlier render wrote it, delete it; if it is yours, remove the marker line");
    }
    for kept in &look_alike {
        eprintln!(
            "error: {}: symbolic link named like gen's temporary files (`.gen-tmp-*`), which are never links",
            at(out, &kept.path)
        );
    }
    if !look_alike.is_empty() {
        eprintln!("  kept: gen removes no link; remove it, or rename it if it is yours");
    }
    // Keys the pipeline does not write, in the files it rewrites: at their lines.
    eprint_findings(&crate::output::override_findings(out, &o.overrides));
    for path in &o.kept_stale_edits {
        eprintln!(
            "error: {} is no longer rendered but was edited by hand: kept (delete it, or: gen render {spec} \
             --discard-edits; or keep it and stop tracking it: --keep-edits)",
            at(out, path)
        );
    }
    if !o.discarded_edits.is_empty() {
        eprintln!("note: --discard-edits discarded the hand edits of {}", list(&o.discarded_edits));
    }
    if !o.overwrote_unowned.is_empty() {
        eprintln!("note: --overwrite-unowned replaced {}", list(&o.overwrote_unowned));
    }
    if !o.released.is_empty() {
        eprintln!("note: yours now, gen no longer manages them: {}", list(&o.released));
    }
    let manifest = match o.manifest {
        ManifestChange::Unchanged => "",
        ManifestChange::Created => "; manifest written",
        ManifestChange::Updated => "; manifest updated",
    };
    if o.changed_anything() {
        outln!(
            "{out}: created {}, updated {}, removed {}, {} unchanged{manifest}",
            o.created,
            o.updated.len(),
            o.removed.len(),
            o.unchanged
        );
    } else {
        // The first thing a newcomer sees of a committed output folder: say what it is.
        outln!(
            "{out}: up to date, no file changed ({} files in step with {spec}; gen lint {spec} checks them){manifest}",
            o.unchanged
        );
    }
    if o.needs_attention() { EXIT_FINDINGS } else { EXIT_CLEAN }
}

/// `--check`: the spec rendered and compared with the output directory, batch by batch.
fn check_drift(session: &Session, prepared: &Prepared) -> u8 {
    let shown = pipeline::display(&prepared.out);
    let (checked, result) = session.compare_with(prepared, false, &mut |_| {});
    eprint_findings(&checked.findings);
    if !checked.rendered || checked.findings.has_errors() {
        eprintln!("gen: nothing compared: fix the errors above");
        return EXIT_FAILURE;
    }
    let spec = display(&prepared.spec);
    match result {
        Ok(drifts) if drifts.is_empty() => {
            outln!("{shown}: in sync with the spec");
            EXIT_CLEAN
        }
        Ok(drifts) => {
            for d in drifts.iter().filter(|d| !d.diff.is_empty()) {
                out!("{}", d.diff);
            }
            // Keys the pipeline does not write, in the files it rewrites: at their lines.
            let (overrides, drifts): (Vec<Drift>, Vec<Drift>) =
                drifts.into_iter().partition(|d| d.kind == DriftKind::Overrides);
            eprint_findings(&crate::output::override_findings(
                &shown,
                overrides.iter().filter_map(|d| d.at.as_deref()),
            ));
            // What `gen render` settles is said in one line; what it keeps until the user
            // decides, file by file, then the way out, once for each kind.
            let mut settled = 0;
            let mut kept: Vec<(DriftKind, Vec<&Drift>)> = Vec::new();
            for d in &drifts {
                if d.kind == DriftKind::Interrupted {
                    eprintln!(
                        "error: the last render into {shown} stopped part way; run `gen render {spec}` to finish it"
                    );
                } else if d.kind.render_settles() && !d.diff.is_empty() {
                    // Its diff above names it.
                    settled += 1;
                } else {
                    match kept.iter_mut().find(|(k, _)| *k == d.kind) {
                        Some((_, files)) => files.push(d),
                        None => kept.push((d.kind, vec![d])),
                    }
                }
            }
            for (_, files) in &kept {
                let mut help = String::new();
                for d in files {
                    let (_, what, h) = d.explain(&shown, &spec);
                    eprintln!("error: {}: {what}", at(&shown, &d.path));
                    help = h;
                }
                eprintln!("  {help}");
            }
            if settled > 0 {
                eprintln!(
                    "{shown}: {settled} file(s) differ from what the spec renders; run `gen render {spec}` to update them"
                );
            }
            EXIT_FINDINGS
        }
        // Not this spec's folder: said once, instead of a diff for each of its files.
        Err(e @ OutputError::OtherSpec { .. }) => {
            eprintln!("error: {e}");
            EXIT_FINDINGS
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}
