//! The budget of a render: how much template work and how many bytes one file and a whole
//! render may take, and the finding when a template takes more.

use minijinja::Value;

use super::TEMPLATE_ERROR;
use super::files::Renderer;
use crate::diag::{Diagnostic, Source};

/// Most fuel one file may burn: minijinja charges one per step and one per 64 bytes of data a
/// template makes, and refuses to make a value the fuel left cannot pay for (a flask
/// service's largest file burns a few thousand).
pub const FILE_FUEL: u64 = 5_000_000;
/// Most fuel a whole render may burn.
pub const RENDER_FUEL: u64 = 500_000_000;
/// Most bytes one rendered file may hold.
pub const FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes a whole render may hold: a spec of about 5,800 flask services (each renders
/// about 180 KiB: its workflows, chart, manifests and hashed locks). A render is checked and
/// written batch by batch, never held whole (`gen render` keeps at most 32 MiB of checked files
/// for writing), so this bounds the disk a render fills and the time it takes, not memory.
pub const RENDER_BYTES: usize = 1024 * 1024 * 1024;

/// An `io::Write` that refuses to grow past a limit, so a template cannot print without end.
struct Capped {
    buf: Vec<u8>,
    limit: usize,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + bytes.len() > self.limit {
            self.over = true;
            return Err(std::io::Error::other("over the size limit"));
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a template stopped.
pub(super) enum Stop {
    Error(minijinja::Error),
    /// Out of fuel: the file's ([`FILE_FUEL`]), or the whole render's ([`RENDER_FUEL`]) when
    /// `true`.
    Fuel(bool),
    /// Over a size limit: the file's ([`FILE_BYTES`]), or the whole render's
    /// ([`RENDER_BYTES`]) when `true`.
    Size(bool),
}

impl Renderer<'_> {
    /// Renders a compiled template within what is left of the render's steps and bytes.
    pub(super) fn run(&mut self, name: &str, ctx: &Value) -> Result<String, Stop> {
        let fuel = FILE_FUEL.min(self.fuel_left);
        let limit = FILE_BYTES.min(self.bytes_left);
        self.env.set_fuel(Some(fuel));
        let mut out = Capped { buf: Vec::new(), limit, over: false };
        let used = match self.env.get_template(name).and_then(|t| t.render_captured_to(ctx, &mut out)) {
            Ok(captured) => captured.state().fuel_levels().map_or(0, |(used, _)| used),
            Err(_) if out.over => return Err(Stop::Size(limit < FILE_BYTES)),
            Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => return Err(Stop::Fuel(fuel < FILE_FUEL)),
            Err(e) => return Err(Stop::Error(e)),
        };
        self.fuel_left = self.fuel_left.saturating_sub(used);
        self.bytes_left = self.bytes_left.saturating_sub(out.buf.len());
        let mut text = String::from_utf8(out.buf)
            .map_err(|e| Stop::Error(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())))?;
        // A plan of thousands of files keeps only what they hold.
        text.shrink_to_fit();
        Ok(text)
    }

    /// Reports why a template stopped. `own` says whether the template is the user's (from
    /// `--blueprints`) rather than gen's, which never loop or print without end on their own:
    /// there the spec's values are what is too large.
    pub(super) fn stopped(&mut self, name: &str, text: &str, stop: Stop, own: bool) {
        let mib = |bytes: usize| bytes / (1024 * 1024);
        let (message, help) = match stop {
            Stop::Error(e) => return self.template_error(name, text, &e),
            Stop::Fuel(false) => (
                format!(
                    "`{name}` takes more than {FILE_FUEL} units of template work (a step, or 64 bytes of data), the \
                     most one file may take: a loop without end, loops nested too deep, or a string grown without end"
                ),
                "render less per file; gen stops a template that does that much work".to_string(),
            ),
            Stop::Size(false) => (
                format!("`{name}` would render more than {} MiB, the most one file may hold", mib(FILE_BYTES)),
                if own {
                    "check the template for a string repeated or joined without end, or make the spec's values it \
                     prints smaller"
                        .to_string()
                } else {
                    "the spec's values this file holds are too large together: make them smaller".to_string()
                },
            ),
            Stop::Fuel(true) | Stop::Size(true) => {
                // One finding for the whole render, at the spec, and nothing more is rendered.
                self.exhausted = true;
                let what = match stop {
                    Stop::Fuel(_) => format!("takes more than {RENDER_FUEL} units of template work"),
                    _ => format!("would hold more than {} MiB of files", mib(RENDER_BYTES)),
                };
                let message = format!(
                    "the whole render {what}, the most gen allows one render; it stopped at `{name}`, and rendered \
                     nothing more"
                );
                let mut help = "the spec's values are written into many files, for every service and environment: \
                                make the largest smaller, or split the services among several specs"
                    .to_string();
                if own {
                    help.push_str("; or check the blueprint's templates for a string repeated without end");
                }
                let spec = self.spec.clone();
                self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, spec.name(), None, message).help(help));
                self.sources.push(spec);
                return;
            }
        };
        // A template that stops for every service is reported once.
        if self.errors.iter().any(|d| d.file == name && d.span.is_none() && d.message == message) {
            return;
        }
        self.sources.push(Source::new(name, text));
        self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, name, None, message).help(help));
    }
}
