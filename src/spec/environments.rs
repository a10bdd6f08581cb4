//! Environments: each one's spec, built by merging its overrides over the platform and the
//! services as written, then loaded through the same schema and model as the spec itself.
//!
//! The merge works on the YAML tree, so every value of an environment's spec keeps the place
//! it was written: an error in an override is reported there, with the same rules and
//! messages as an error anywhere else in the spec.

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Route};
use crate::route;
use crate::yaml::{Document, Entry, Node, Value};

use super::{Loaded, schema};
use crate::platform::Known;

declare_rule! {
    /// ## What it does
    /// Reports a platform that names no target or more than one (`azure`, `local`), in the
    /// spec's `platform` or in an environment's.
    ///
    /// ## Why it matters
    /// An environment runs in exactly one place: gen will not guess which of two was meant.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure: {...}
    ///   local: {}
    /// ```
    ///
    /// ## How to fix
    /// Keep one target under `platform`; give another environment its own in
    /// `environments[].platform` (`- {name: dev, platform: {local: {}}}`).
    pub static PLATFORM_TARGET = ("SPEC015", "platform-target", Error, unignorable);
}

/// One environment of a loaded spec.
#[derive(Debug)]
pub struct Environment {
    /// The name the spec gives it; `default` for the one environment of a spec that lists none.
    pub name: String,
    /// Whether the spec lists it under `environments`.
    pub declared: bool,
    /// Its platform target's name (`azure`, `local`): the platform that read its block
    /// (`spec(top).spec.platform.on()`).
    pub target: &'static str,
    /// Its whole spec; `None` for the one environment of a spec that lists none, whose spec
    /// is the spec itself.
    pub loaded: Option<Box<Loaded>>,
}

impl Environment {
    /// The environment's spec.
    pub fn spec<'a>(&'a self, top: &'a Loaded) -> &'a Loaded {
        self.loaded.as_deref().unwrap_or(top)
    }
}

/// The target a platform node names, or a finding at it.
pub fn target_of(doc: &Document, at: &Route, known: Known<'_>) -> Result<&'static str, Box<Diagnostic>> {
    let named = targets_named(doc.root.lookup(at), known);
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Box::new(
            doc.at(&PLATFORM_TARGET, at, true, "the platform names no target: where do the services run?").help(
                format!(
                    "add one of: {}{}",
                    known.all().map(|p| p.name()).collect::<Vec<_>>().join(", "),
                    on_this_machine_hint(known)
                ),
            ),
        )),
        many => {
            let second = at.clone().with(many[1]);
            Err(Box::new(doc
                .at(&PLATFORM_TARGET, &second, true, format!("the platform names both `{}` and `{}`; an environment runs on exactly one", many[0], many[1]))
                .help("keep one here and give the other to an environment: `environments: [{name: dev, platform: {local: {}}}]`")))
        }
    }
}

/// How the message for a platform with no target shows the platform that needs nothing
/// written (`local: {}` for minikube with every default).
fn on_this_machine_hint(known: Known<'_>) -> String {
    known
        .all()
        .find(|p| p.on_this_machine())
        .map_or_else(String::new, |p| format!(" (`{}: {{}}` for minikube with every default)", p.name()))
}

/// The targets a platform node names, in the order they are written.
fn targets_named(node: Option<&Node>, known: Known<'_>) -> Vec<&'static str> {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => entries.iter().filter_map(|e| known.by_name(&e.key).map(|p| p.name())).collect(),
        _ => Vec::new(),
    }
}

/// `over` merged into `base`: mappings key by key, anything else replaced.
fn merge(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (Value::Map(b), Value::Map(o)) => {
            let mut entries = b.clone();
            for e in o {
                match entries.iter_mut().find(|x| x.key == e.key) {
                    Some(x) => x.value = merge(&x.value, &e.value),
                    None => entries.push(e.clone()),
                }
            }
            Node { span: base.span, value: Value::Map(entries) }
        }
        _ => over.clone(),
    }
}

fn entries_mut(node: &mut Node) -> Option<&mut Vec<Entry>> {
    match &mut node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

/// The platform of an environment: its override merged over the spec's, where naming another
/// target drops the spec's.
fn merge_platform(base: &Node, over: &Node, known: Known<'_>) -> Node {
    let mut base = base.clone();
    let names_one = known.all().any(|t| over.get(t.name()).is_some());
    if names_one && let Some(entries) = entries_mut(&mut base) {
        entries.retain(|e| known.by_name(&e.key).is_none() || over.get(&e.key).is_some());
    }
    merge(&base, over)
}

/// Sets `key` in a mapping node unless it is there, at the mapping's place.
fn default_key(node: &mut Node, key: &str, value: Value) {
    let span = node.span;
    if let Some(entries) = entries_mut(node)
        && !entries.iter().any(|e| e.key == key)
    {
        entries.push(Entry { key: key.to_string(), key_span: span, value: Node { span, value } });
    }
}

/// Whether the key at `path` is written in `node`.
fn has(node: Option<&Node>, path: &[&str]) -> bool {
    node.is_some_and(|o| path.iter().try_fold(o, |n, k| n.get(k)).is_some())
}

/// Removes the key at `path` from `node` (the last segment from the mapping the others lead
/// to), unless `over`, the environment's own override of the service, writes it.
fn drop_unwritten(node: &mut Node, over: Option<&Node>, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else { return };
    if has(over, path) {
        return;
    }
    let mut at = node;
    for key in parents {
        let Some(next) = entries_mut(at).and_then(|e| e.iter_mut().find(|e| e.key == *key)) else { return };
        at = &mut next.value;
    }
    if let Some(entries) = entries_mut(at) {
        entries.retain(|e| e.key != *last);
    }
}

/// What a service written for one platform leaves behind in an environment on another, unless
/// that environment writes it itself: the names of storage and snapshot classes, which each
/// platform's clusters have their own of (`azurefile-csi` exists on AKS, not on kind).
const PLATFORM_NAMES: &[&[&str]] = &[&["persistence", "storageClass"], &["persistence", "backup", "snapshotClass"]];

/// What a local cluster changes in a service written for the cloud, unless the environment
/// says otherwise: the image is built on the laptop (`<project>/<service>:dev`); the ingress
/// host is the local domain's, without TLS (no certificate issuer runs locally), and is served
/// by the local ingress controller (no Gateway runs there: an HTTPRoute becomes an Ingress);
/// a volume is the one node's (`ReadWriteOnce` serves every replica on one node; the cloud's
/// `ReadWriteMany` is a file share the laptop has not).
const LOCAL_DEFAULTS: &[&[&str]] =
    &[&["image"], &["ingress", "host"], &["ingress", "tls"], &["ingress", "route"], &["persistence", "accessMode"]];

/// A service of an environment (`over`: the environment's override of it) on a platform other
/// than the spec's (`switched`), moved to this machine (`local`) or not: what the spec wrote
/// for the other platform is dropped ([`PLATFORM_NAMES`], and on this machine
/// [`LOCAL_DEFAULTS`]); on this machine an ingress without TLS written says so.
fn localize(service: &mut Node, over: Option<&Node>, switched: bool, local: bool) {
    if switched {
        for path in PLATFORM_NAMES.iter().chain(if local { LOCAL_DEFAULTS } else { &[] }) {
            drop_unwritten(service, over, path);
        }
    }
    if local && let Some(ingress) = entries_mut(service).and_then(|e| e.iter_mut().find(|e| e.key == "ingress")) {
        default_key(&mut ingress.value, "tls", Value::Bool(false));
    }
}

/// Applies the defaults of a target on this machine to the spec's own services (a spec whose
/// platform is one); returns the tree as it was written when it changed it.
pub fn localize_spec(root: &mut Node, known: Known<'_>) -> Option<Node> {
    let platform = root.get("platform")?;
    known.all().find(|p| p.on_this_machine() && platform.get(p.name()).is_some())?;
    let written = root.clone();
    if let Some(Value::Seq(services)) =
        entries_mut(root).and_then(|e| e.iter_mut().find(|e| e.key == "services")).map(|e| &mut e.value.value)
    {
        for service in services {
            localize(service, None, false, true);
        }
    }
    Some(written)
}

/// The environments of a spec that loaded; the load's findings when one of them does not.
/// `written` is the spec's tree before a local target's defaults, when it had them.
pub fn resolve(
    top: &Loaded,
    written: Option<&Node>,
    typed: &dyn Fn(Document) -> Result<Loaded, Diagnostics>,
    known: Known<'_>,
) -> Result<Vec<Environment>, Diagnostics> {
    let doc = &top.doc;
    let written = written.unwrap_or(&doc.root);
    let top_target = target_of(doc, &route!["platform"], known).map_err(|d| vec![*d])?;
    let spec = &top.spec;
    if spec.environments.is_empty() {
        return Ok(vec![Environment { name: "default".into(), declared: false, target: top_target, loaded: None }]);
    }
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let (Some(platform), Some(Value::Seq(services))) =
        (written.get("platform"), written.get("services").map(|s| &s.value))
    else {
        return Ok(out);
    };
    for (i, env) in spec.environments.iter().enumerate() {
        let at = route!["environments", i];
        if let Some(first) = spec.environments[..i].iter().position(|e| e.name == env.name) {
            let d = doc.at(
                &schema::INVALID_VALUE,
                &at.clone().with("name"),
                false,
                format!("environment `{}` is listed twice (also environments[{first}])", env.name),
            );
            errors.push(d.help("give each environment its own name"));
            continue;
        }
        let over = doc.root.lookup(&at);
        let over_platform = over.and_then(|o| o.get("platform"));
        let named = targets_named(over_platform, known);
        if named.len() > 1 {
            let second = at.clone().with("platform").with(named[1]);
            let msg = format!(
                "environment `{}` names both `{}` and `{}`; an environment runs on exactly one",
                env.name, named[0], named[1]
            );
            errors.push(doc.at(&PLATFORM_TARGET, &second, true, msg).help("keep the one this environment runs on"));
            continue;
        }
        let switched = named.first().is_some_and(|t| *t != top_target);
        let merged_platform = over_platform.map_or_else(|| platform.clone(), |o| merge_platform(platform, o, known));
        let over_services = over.and_then(|o| o.get("services"));
        if let Some(Value::Map(entries)) = over_services.map(|s| &s.value) {
            for e in entries {
                if !spec.services.iter().any(|s| s.name == e.key) {
                    let guess = schema::did_you_mean(&e.key, spec.services.iter().map(|s| s.name.as_str()));
                    let msg =
                        format!("environment `{}` overrides `{}`, which is no service of this spec", env.name, e.key);
                    let help = guess.map_or_else(
                        || "name a service from `services`".to_string(),
                        |g| format!("did you mean `{g}`?"),
                    );
                    errors.push(
                        doc.at(&schema::UNKNOWN_KEY, &at.clone().with("services").with(e.key.as_str()), true, msg)
                            .help(help),
                    );
                }
            }
        }
        if let Some(Value::Map(entries)) = over_services.map(|s| &s.value) {
            for e in entries {
                let Some(service) = services.iter().zip(&spec.services).find(|(_, s)| s.name == e.key).map(|(n, _)| n)
                else {
                    continue;
                };
                for path in [&["autoscaling"][..], &["ingress"], &["persistence"], &["persistence", "backup"]] {
                    let written = |n: &Node| path.iter().try_fold(n, |n, k| n.get(k)).is_some();
                    if written(&e.value) && !written(service) {
                        let what = path.join(".");
                        let msg = format!(
                            "environment `{}` gives `{}` {what}, which the service as written does not have",
                            env.name, e.key
                        );
                        let route =
                            path.iter().fold(at.clone().with("services").with(e.key.as_str()), |r, k| r.with(*k));
                        let help = format!(
                            "declare `{what}` on the service: an environment changes values, not which objects exist"
                        );
                        errors.push(doc.at(&schema::INVALID_VALUE, &route, true, msg).help(help));
                    }
                }
            }
        }
        let local = known.by_name(named.first().copied().unwrap_or(top_target)).is_some_and(|p| p.on_this_machine());
        let merged_services: Vec<Node> = services
            .iter()
            .zip(&spec.services)
            .map(|(node, svc)| {
                let o = over_services.and_then(|s| s.get(&svc.name));
                let mut merged = o.map_or_else(|| node.clone(), |o| merge(node, o));
                localize(&mut merged, o, switched, local);
                merged
            })
            .collect();
        let mut root = written.clone();
        if let Some(entries) = entries_mut(&mut root) {
            entries.retain(|e| e.key != "environments");
            for e in entries.iter_mut() {
                match e.key.as_str() {
                    "platform" => e.value = merged_platform.clone(),
                    "services" => e.value = Node { span: e.value.span, value: Value::Seq(merged_services.clone()) },
                    _ => {}
                }
            }
        }
        let virtual_doc = Document { source: doc.source.clone(), root };
        let target = match target_of(&virtual_doc, &route!["platform"], known) {
            Ok(t) => t,
            Err(d) => {
                errors.push(*d);
                continue;
            }
        };
        match typed(virtual_doc) {
            Ok(mut loaded) => {
                if local && switched {
                    drop_backups_not_taken(&mut loaded, over_services);
                }
                out.push(Environment { name: env.name.clone(), declared: true, target, loaded: Some(Box::new(loaded)) })
            }
            Err(diags) => {
                for mut d in diags {
                    // What every environment shares fails in each the same way: once is enough.
                    if !seen.iter().any(|(span, message)| *span == d.span && *message == d.message) {
                        seen.push((d.span, d.message.clone()));
                        d.message = format!("{} (in environment `{}`)", d.message, env.name);
                        errors.push(d);
                    }
                }
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The backups, written for the cloud, that a cluster on this machine cannot take (kind's
/// storage has no snapshots): not kept there, unless the environment asks for them itself
/// (SPEC124 then says why it cannot have them). SPEC138 says so at the spec's line.
fn drop_backups_not_taken(loaded: &mut Loaded, over_services: Option<&Node>) {
    if loaded.spec.platform.target.spec().snapshots_default_storage() {
        return;
    }
    let spec = std::sync::Arc::make_mut(&mut loaded.spec);
    for service in &mut spec.services {
        let asked = has(over_services.and_then(|o| o.get(&service.name)), &["persistence", "backup"]);
        if let Some(volume) = &mut service.persistence
            && volume.storage_class.is_none()
            && !asked
        {
            volume.backup = None;
        }
    }
}

/// What each platform the environments run on requires of the spec (the cloud needs what a
/// laptop does not: where the workflow runs, where Terraform keeps its state...).
pub fn requirements(top: &Loaded, envs: &[Environment], known: Known<'_>) -> Diagnostics {
    let mut errors = Vec::new();
    let mut clouds = Vec::new();
    for platform in known.all() {
        let on: Vec<&Environment> = envs.iter().filter(|e| e.target == platform.name()).collect();
        if !on.is_empty() {
            errors.extend(platform.requirements(top, &on));
            if platform.capabilities().contains(&crate::platform::Capability::Terraform) {
                clouds.push((platform.name(), on[0].name.as_str()));
            }
        }
    }
    // One project's Terraform is one set of roots (terraform/): two clouds would write the
    // same files.
    if let [(first, first_env), (second, second_env), ..] = clouds[..] {
        let msg = format!(
            "environments run on two clouds, {first} (`{first_env}`) and {second} (`{second_env}`): gen renders one cloud's Terraform per project"
        );
        errors.push(
            top.doc
                .at(&crate::spec::schema::INVALID_VALUE, &crate::route!["environments"], true, msg)
                .help("keep one cloud per spec (a local cluster may sit beside it), and describe the other cloud's environments in a spec of their own"),
        );
    }
    errors
}
