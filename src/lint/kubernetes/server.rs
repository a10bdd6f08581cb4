//! What the rules read of a container's server from its manifest alone: gunicorn's flags in
//! `command`/`args` (or a `sh -c` script), in `GUNICORN_CMD_ARGS`, and `WEB_CONCURRENCY`.
//! A setting in a config file or in the image is not seen: those rules stay silent on it.

use k8s_openapi::api::core::v1::Container;

use crate::diag::Route;

/// A gunicorn setting written in the manifest, with where it is written.
pub struct Setting {
    pub value: u64,
    pub route: Route,
}

/// The gunicorn settings of a container that its manifest shows.
#[derive(Default)]
pub struct Gunicorn {
    /// `--workers`/`-w`, else `WEB_CONCURRENCY` (gunicorn's own default for it).
    pub workers: Option<Setting>,
    /// `--timeout`/`-t`: the longest a request may take before its worker is restarted.
    pub timeout: Option<Setting>,
    /// `--graceful-timeout`: how long workers get to finish their requests after SIGTERM.
    pub graceful_timeout: Option<Setting>,
}

/// The gunicorn settings a container's manifest shows; `None` when it shows no gunicorn (no
/// `gunicorn` word in its command, its args or a `GUNICORN_CMD_ARGS` variable).
pub fn gunicorn(container: &Container, route: &Route) -> Option<Gunicorn> {
    let mut words: Vec<(String, Route)> = Vec::new();
    for (field, list) in [("command", &container.command), ("args", &container.args)] {
        for (i, word) in list.iter().flatten().enumerate() {
            let at = route.clone().with(field).with(i);
            // A shell script (`sh -c "gunicorn ..."`) is read word by word.
            words.extend(word.split_whitespace().map(|w| (w.to_string(), at.clone())));
        }
    }
    let env = |name: &str| {
        container.env.iter().flatten().enumerate().find(|(_, e)| e.name == name).and_then(|(i, e)| {
            e.value.as_deref().map(|v| (v.to_string(), route.clone().with("env").with(i).with("value")))
        })
    };
    let start = words.iter().position(|(w, _)| is_gunicorn(w));
    let cmd_args = env("GUNICORN_CMD_ARGS");
    if start.is_none() && cmd_args.is_none() {
        return None;
    }
    let mut found = Gunicorn::default();
    // The command line wins over GUNICORN_CMD_ARGS: read it last.
    if let Some((text, at)) = &cmd_args {
        let words: Vec<(String, Route)> = text.split_whitespace().map(|w| (w.to_string(), at.clone())).collect();
        read_flags(&words, &mut found);
    }
    if let Some(start) = start {
        read_flags(&words[start + 1..], &mut found);
    }
    if found.workers.is_none()
        && let Some((text, at)) = env("WEB_CONCURRENCY")
        && let Ok(value) = text.trim().parse()
    {
        found.workers = Some(Setting { value, route: at });
    }
    Some(found)
}

/// `gunicorn`, `/opt/venv/bin/gunicorn`, `exec gunicorn` (the word itself).
fn is_gunicorn(word: &str) -> bool {
    word.rsplit('/').next() == Some("gunicorn")
}

fn read_flags(words: &[(String, Route)], found: &mut Gunicorn) {
    let mut i = 0;
    while i < words.len() {
        let (word, route) = &words[i];
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        // `-w4`: a short flag with its value attached.
        let (flag, inline) = match (flag, inline) {
            (f, None) if f.len() > 2 && (f.starts_with("-w") || f.starts_with("-t")) && !f.starts_with("--") => {
                (&f[..2], Some(f[2..].to_string()))
            }
            other => other,
        };
        let slot = match flag {
            "-w" | "--workers" => Some(&mut found.workers),
            "-t" | "--timeout" => Some(&mut found.timeout),
            "--graceful-timeout" => Some(&mut found.graceful_timeout),
            _ => None,
        };
        if let Some(slot) = slot {
            let (value, at) = match inline {
                Some(v) => (Some(v), route),
                None => {
                    i += 1;
                    (words.get(i).map(|(w, _)| w.clone()), words.get(i).map_or(route, |(_, r)| r))
                }
            };
            if let Some(value) = value.and_then(|v| v.trim_matches(['"', '\'']).parse().ok()) {
                *slot = Some(Setting { value, route: at.clone() });
            }
        }
        i += 1;
    }
}

/// The seconds a container's preStop hook waits, with where they are written: the `sleep`
/// action, or an `exec` of `sleep N` (directly or in a `sh -c` script that only sleeps).
pub fn pre_stop_sleep(container: &Container, route: &Route) -> Option<Setting> {
    let pre_stop = container.lifecycle.as_ref()?.pre_stop.as_ref()?;
    let at = route.clone().with("lifecycle").with("preStop");
    if let Some(sleep) = &pre_stop.sleep {
        let value = u64::try_from(sleep.seconds).ok()?;
        return Some(Setting { value, route: at.with("sleep").with("seconds") });
    }
    let command = pre_stop.exec.as_ref()?.command.as_ref()?;
    let words: Vec<&str> = command.iter().flat_map(|w| w.split_whitespace()).collect();
    let sleep = words.iter().position(|w| w.rsplit('/').next() == Some("sleep"))?;
    let value = words.get(sleep + 1)?.trim_matches(['"', '\'', ';']).trim_end_matches('s').parse().ok()?;
    Some(Setting { value, route: at.with("exec").with("command") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(yaml: serde_json::Value) -> Container {
        serde_json::from_value(yaml).expect("a container")
    }

    #[test]
    fn flags_are_read_in_each_spelling_and_the_command_line_wins() {
        let c = container(serde_json::json!({
            "name": "app",
            "command": ["sh", "-c", "exec gunicorn -w4 --timeout=60 --graceful-timeout 20 app:app"],
            "env": [{"name": "GUNICORN_CMD_ARGS", "value": "--workers 9 --graceful-timeout 99"}],
        }));
        let g = gunicorn(&c, &Route::root()).expect("gunicorn");
        assert_eq!(g.workers.map(|s| s.value), Some(4));
        assert_eq!(g.timeout.map(|s| s.value), Some(60));
        assert_eq!(g.graceful_timeout.map(|s| s.value), Some(20));
    }

    #[test]
    fn web_concurrency_counts_when_no_flag_says_otherwise() {
        let c = container(serde_json::json!({
            "name": "app", "args": ["gunicorn", "app:app"],
            "env": [{"name": "WEB_CONCURRENCY", "value": "8"}],
        }));
        assert_eq!(gunicorn(&c, &Route::root()).and_then(|g| g.workers).map(|s| s.value), Some(8));
        let other = container(serde_json::json!({"name": "app", "args": ["uwsgi", "--processes", "4"]}));
        assert!(gunicorn(&other, &Route::root()).is_none());
    }

    #[test]
    fn a_pre_stop_sleep_is_read_as_an_action_or_a_command() {
        let native = container(serde_json::json!({"name": "a", "lifecycle": {"preStop": {"sleep": {"seconds": 7}}}}));
        assert_eq!(pre_stop_sleep(&native, &Route::root()).map(|s| s.value), Some(7));
        let exec = container(
            serde_json::json!({"name": "a", "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 15"]}}}}),
        );
        assert_eq!(pre_stop_sleep(&exec, &Route::root()).map(|s| s.value), Some(15));
    }
}
