use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service port below 1024.
    ///
    /// ## Why it matters
    /// gen's containers run as a non-root user with every capability dropped, and only root
    /// (or `NET_BIND_SERVICE`) may bind a port below 1024: the server would fail to start with
    /// "permission denied". The Service can still expose port 80; the container port is what
    /// the process binds.
    ///
    /// ## How to fix
    /// Use a port such as `8080` or `5000`.
    pub static RULE = ("SPEC112", "privileged-port", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        if svc.port < 1024 {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["port"]),
                    false,
                    format!("port {} is below 1024, which a non-root container cannot bind", svc.port),
                )
                .help("use a port of 1024 or above, such as 8080"),
            );
        }
    }
}
