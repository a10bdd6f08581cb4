use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::ingress::nginx_class;
use crate::lint::kubernetes::{Document, objects};

declare_rule! {
    /// ## What it does
    /// Notes, once per set of files (a folder, or a chart), the Ingresses of class `nginx`
    /// (`spec.ingressClassName: nginx`, or the legacy annotation
    /// `kubernetes.io/ingress.class: nginx`), at the first one, with how many there are.
    ///
    /// ## Why it matters
    /// The upstream ingress-nginx controller was retired: it stopped receiving releases and
    /// security fixes in March 2026. The Ingresses keep working on the controller already
    /// installed, but the next vulnerability in it will not be fixed. This is news, not a
    /// defect of the files: the finding never fails a run.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   ingressClassName: nginx
    /// ```
    ///
    /// ## How to fix
    /// Move the routes to the Gateway API: an HTTPRoute attached to a Gateway of a maintained
    /// implementation (in a gen spec, `ingress.route: httproute`). Until then, silence the
    /// note for the file with `# gen:ignore-file K8S047 reason`.
    pub static RULE = ("K8S047", "ingress-nginx-retired", Info);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let nginx: Vec<_> = objects(docs).filter_map(|(_, o)| nginx_class(o).map(|route| (o, route))).collect();
    let Some((first, route)) = nginx.first() else { return };
    let count = match nginx.len() {
        1 => format!("{} uses", first.title()),
        n => format!("{n} Ingresses in these files, starting with {}, use", first.title()),
    };
    let message = format!(
        "{count} the upstream ingress-nginx controller, which stopped receiving fixes in March 2026; the Gateway API is the way forward"
    );
    out.push(first.at(&RULE, route, message).help(
        "route with an HTTPRoute on a maintained Gateway implementation (`ingress.route: httproute` in a gen spec)",
    ));
}
