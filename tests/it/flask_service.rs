//! The rendered reference service really runs: its pytest suite passes against the pinned
//! requirements from PyPI, and gunicorn with the rendered config starts the configured workers,
//! answers on a loopback port, passes the image's HEALTHCHECK, and stops cleanly on SIGTERM.
//! It survives its own rollout: a request as long as the spec allows finishes after SIGTERM,
//! redirects keep the scheme, host and prefix the proxy forwards, and it refuses to start
//! without a secret it declares.

use crate::common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Gen, root};

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// A raw HTTP/1.1 request; returns (status, body).
fn request(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).expect("bind").local_addr().expect("addr").port()
}

fn wait_for(log: &Path, needle: &str, count: usize) -> String {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.matches(needle).count() >= count {
            return text;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "waited for {count} x {needle:?}:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The exec-form argument list of a Dockerfile's `HEALTHCHECK ... CMD [...]` (continuation
/// lines joined).
fn healthcheck_command(dockerfile: &str) -> Vec<String> {
    let joined = dockerfile.replace("\\\n", " ");
    let line = joined.lines().find(|l| l.starts_with("HEALTHCHECK")).expect("a HEALTHCHECK instruction");
    let json = &line[line.find(" CMD ").expect("HEALTHCHECK CMD") + 5..];
    serde_json::from_str(json.trim()).expect("HEALTHCHECK CMD in exec form")
}

#[test]
fn the_rendered_flask_service_passes_its_tests_and_serves_requests_under_gunicorn() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(Gen::new().args(["init", "--name", "athletes"]).current_dir(dir.path()).run().code, 0);
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let service = dir.path().join("out/services/athletes");

    let venv = dir.path().join("venv");
    run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
    let bin = venv.join("bin");
    install_locked(&bin, &service, "requirements-dev.txt", &dir.path().join("wheels"));
    let tests = run_ok(
        Command::new(bin.join("python")).args(["-m", "pytest", "-q", "-p", "no:cacheprovider"]).current_dir(&service),
        "pytest",
    );
    assert!(tests.contains("passed") && !tests.contains("failed"), "{tests}");

    let port = free_port();
    let log = dir.path().join("gunicorn.log");
    let mut server = Command::new(bin.join("gunicorn"))
        .args(["--config", "gunicorn.conf.py", "app:create_app()"])
        .current_dir(&service)
        .env("PORT", port.to_string())
        // Tests run side by side: each server's metrics on a port of its own.
        .env("METRICS_PORT", free_port().to_string())
        .env("FAVORITE_ATHLETE", "Usain Bolt")
        .env("SECRET_KEY", "a-test-key")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.path().join("access.log")).expect("log"))
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start gunicorn");
    // The example spec sets `workers: 2`.
    let started = wait_for(&log, "Booting worker with pid", 2);
    assert!(started.contains(&format!("Listening at: http://0.0.0.0:{port}")), "{started}");

    let (status, body) = request(port, "GET", "/");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(json["favorite_athlete"], "Usain Bolt");
    assert_eq!(json["service"], "athletes");
    assert_eq!(request(port, "POST", "/"), (405, "Only GET method valid".to_string()));
    assert_eq!(request(port, "DELETE", "/").0, 405);
    assert_eq!(request(port, "GET", "/healthz").0, 200);
    assert_eq!(request(port, "GET", "/readyz").0, 200);
    assert_eq!(request(port, "GET", "/nothing-here").0, 404);
    // The image's HEALTHCHECK, run the way Docker runs its exec form, passes against the service
    // and fails against a port where nothing listens.
    let healthcheck = healthcheck_command(&std::fs::read_to_string(service.join("Dockerfile")).expect("Dockerfile"));
    let probe = |port: u16| {
        Command::new(bin.join(&healthcheck[0]))
            .args(&healthcheck[1..])
            .env("PORT", port.to_string())
            .output()
            .expect("run the HEALTHCHECK command")
    };
    let healthy = probe(port);
    assert!(healthy.status.success(), "HEALTHCHECK failed: {}", String::from_utf8_lossy(&healthy.stderr));
    assert!(!probe(free_port()).status.success(), "HEALTHCHECK passed with nothing listening");

    run_ok(Command::new("kill").args(["-TERM", &server.id().to_string()]), "kill -TERM");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = server.kill();
            panic!("gunicorn did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "gunicorn exited with {status}");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("Shutting down: Master"), "{text}");
    let access = std::fs::read_to_string(dir.path().join("access.log")).expect("access log");
    let first_json_line = access.lines().find(|l| l.contains("\"gunicorn.access\"")).expect("an access log line");
    let entry: serde_json::Value = serde_json::from_str(first_json_line).expect("access log lines are JSON");
    assert_eq!((&entry["status"], &entry["path"]), (&serde_json::json!(200), &serde_json::json!("/")));
}

/// The service's metrics are right across gunicorn's workers: with one worker held by a
/// request still arriving, the other answers N requests to each of two routes; the held one is
/// then answered by the first. `/metrics`, on the metrics port the blueprint declares (served by
/// the master), counts each route exactly, by its template, whichever worker answered; and
/// every line either stream carries is one JSON object, gunicorn's own included, the access
/// lines with the request id the proxy set.
#[test]
fn the_services_metrics_count_every_request_across_gunicorns_workers_and_every_log_line_is_json() {
    const N: usize = 6;
    let r = rendered(|spec| spec);
    let chart_values = std::fs::read_to_string(r.dir.path().join("out/values/athletes.yaml")).expect("values");
    assert!(chart_values.contains("metrics:\n  enabled: true\n  port: 9464\n"), "{chart_values}");
    let (port, metrics_port) = (free_port(), free_port());
    let (out, err) = (r.dir.path().join("stdout.log"), r.dir.path().join("stderr.log"));
    // A file an earlier run left in the metrics folder (not one prometheus_client can read):
    // wiped at start, never summed in.
    std::fs::create_dir_all(r.dir.path().join("metrics")).expect("metrics dir");
    std::fs::write(r.dir.path().join("metrics/counter_4242.db"), b"left by a run before").expect("write");
    let mut server = Server {
        child: Command::new(r.bin.join("gunicorn"))
            .args(["--config", "gunicorn.conf.py", "app:create_app()"])
            .current_dir(&r.service)
            .env("PORT", port.to_string())
            .env("METRICS_PORT", metrics_port.to_string())
            .env("PROMETHEUS_MULTIPROC_DIR", r.dir.path().join("metrics"))
            .env("SECRET_KEY", "a-test-key")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("log"))
            .stderr(std::fs::File::create(&err).expect("log"))
            .spawn()
            .expect("start gunicorn"),
        port,
        log: err.clone(),
    };
    wait_for(&server.log, "Booting worker with pid", 2);
    let mut held = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    held.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").expect("send");
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..N {
        let id = format!("request-{i}");
        assert!(get(port, "/", &[("X-Request-ID", &id)], Duration::from_secs(10)).starts_with("HTTP/1.1 200"));
        assert!(get(port, "/healthz", &[], Duration::from_secs(10)).starts_with("HTTP/1.1 200"));
    }
    assert!(get(port, "/no/such/route/42", &[], Duration::from_secs(10)).starts_with("HTTP/1.1 404"));
    // A method a client invents is counted as `other`, not as a series of its own; an id with a
    // quote and a backslash is logged as sent.
    for method in ["FOO1", "FOO2"] {
        assert_eq!(request(port, method, "/").0, 405);
    }
    let odd_id = r#"a"b\c"#;
    assert!(get(port, "/healthz", &[("X-Request-ID", odd_id)], Duration::from_secs(10)).starts_with("HTTP/1.1 200"));
    held.write_all(b"Connection: close\r\n\r\n").expect("send");
    held.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut answer = String::new();
    held.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let start = Instant::now();
    let metrics = loop {
        let text = get(metrics_port, "/metrics", &[], Duration::from_secs(10));
        if text.contains("http_requests_total") || start.elapsed() > Duration::from_secs(10) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let sample = |series: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no {series} in /metrics:\n{metrics}"))
    };
    assert_eq!(sample(r#"http_requests_total{method="GET",route="/",status="200"}"#), (N + 1) as f64);
    assert_eq!(sample(r#"http_requests_total{method="GET",route="/healthz",status="200"}"#), (N + 1) as f64);
    assert_eq!(sample(r#"http_requests_total{method="other",route="<unmatched>",status="405"}"#), 2.0);
    assert!(!metrics.contains("FOO"), "a client's method became a label:\n{metrics}");
    // The slowest request the service allows (the spec's timeout, 30 s) has a bucket of its own.
    let timeout = r.setting("timeout");
    let last = format!(r#"http_request_duration_seconds_bucket{{le="{timeout}.0",method="GET",route="/"}}"#);
    assert_eq!(sample(&last), (N + 1) as f64);
    assert_eq!(sample(r#"http_requests_total{method="GET",route="<unmatched>",status="404"}"#), 1.0);
    assert_eq!(sample(r#"http_request_duration_seconds_count{method="GET",route="/"}"#), (N + 1) as f64);
    assert_eq!(sample("http_requests_in_progress"), 0.0);
    assert!(!metrics.contains("/no/such/route"), "a raw path became a label:\n{metrics}");

    run_ok(Command::new("kill").args(["-TERM", &server.child.id().to_string()]), "kill -TERM");
    assert!(stopped(&mut server, Duration::from_secs(30)).success());
    // Both workers answered, and every line of both streams is a JSON object.
    let mut pids = std::collections::BTreeSet::new();
    let mut ids = Vec::new();
    for file in [&out, &err] {
        let text = std::fs::read_to_string(file).expect("log");
        assert!(!text.trim().is_empty(), "{} is empty", file.display());
        for line in text.lines() {
            let entry: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}\n{text}"));
            if entry["logger"] == "gunicorn.access" {
                pids.insert(entry["pid"].as_u64().expect("pid"));
                if let Some(id) = entry["request_id"].as_str() {
                    ids.push(id.to_string());
                }
            }
        }
    }
    assert_eq!(pids.len(), 2, "the requests were not answered by both workers: {pids:?}");
    let mut expected: Vec<String> = (0..N).map(|i| format!("request-{i}")).collect();
    expected.push(odd_id.to_string());
    assert_eq!(ids, expected);
}

/// Installs a lock as the image and the pipeline do (`--require-hashes`), offline: `pip
/// download` fills a wheel cache from PyPI first, and the install reads that cache alone, so
/// every file it installs is one the lock names with its hash.
fn install_locked(bin: &Path, service: &Path, lock: &str, wheels: &Path) {
    let pip = |args: &[&str]| {
        let mut cmd = Command::new(bin.join("pip"));
        cmd.args(args).env("PIP_FIND_LINKS", wheels).env("PIP_DISABLE_PIP_VERSION_CHECK", "1").current_dir(service);
        cmd
    };
    let wheels_arg = wheels.to_str().expect("a UTF-8 path");
    run_ok(&mut pip(&["download", "-q", "--require-hashes", "-r", lock, "-d", wheels_arg]), "pip download");
    run_ok(&mut pip(&["install", "-q", "--no-index", "--require-hashes", "-r", lock]), "pip install --no-index");
    // The lock is the whole of it: its first requirement without its hashes is refused.
    let text = std::fs::read_to_string(service.join(lock)).expect("lock");
    let mut loose = String::new();
    let mut stripped: Option<String> = None;
    let mut skipping = false;
    for line in text.lines() {
        if skipping && line.trim_start().starts_with("--hash=") {
            continue;
        }
        skipping = false;
        if stripped.is_none() && !line.starts_with([' ', '#', '-']) && line.ends_with(" \\") {
            let requirement = line.trim_end_matches(" \\").to_string();
            loose.push_str(&requirement);
            loose.push('\n');
            stripped = Some(requirement);
            skipping = true;
            continue;
        }
        loose.push_str(line);
        loose.push('\n');
    }
    assert!(stripped.is_some(), "{lock} names no requirement with hashes");
    std::fs::write(service.join("loose.txt"), loose).expect("write");
    let check = ["install", "--dry-run", "--ignore-installed", "--no-index", "--require-hashes", "-r", "loose.txt"];
    let out = pip(&check).output().expect("pip");
    let refused = String::from_utf8_lossy(&out.stderr).contains("Hashes are required in --require-hashes mode");
    assert!(
        !out.status.success() && refused,
        "pip took a requirement with no hash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(service.join("loose.txt")).expect("remove");
}

/// The blueprints' locks are what scripts/lock-python writes from their .in files with PyPI
/// as it is (pip-compile keeps a lock's pins while they satisfy the .in files).
#[test]
fn the_blueprint_locks_are_what_their_inputs_give() {
    let out = Command::new("bash").arg(root().join("scripts/lock-python")).arg("--check").output().expect("bash");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// A service rendered from `gen init`'s spec (changed by `edit`), with a virtual environment of
/// its pinned runtime requirements.
struct Rendered {
    dir: tempfile::TempDir,
    service: std::path::PathBuf,
    bin: std::path::PathBuf,
}

fn rendered(edit: impl Fn(String) -> String) -> Rendered {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(Gen::new().args(["init", "--name", "athletes"]).current_dir(dir.path()).run().code, 0);
    let spec = dir.path().join("spec.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec");
    std::fs::write(&spec, edit(text)).expect("write spec");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let service = dir.path().join("out/services/athletes");
    let venv = dir.path().join("venv");
    run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
    let bin = venv.join("bin");
    install_locked(&bin, &service, "requirements.txt", &dir.path().join("wheels"));
    Rendered { dir, service, bin }
}

/// gunicorn with the rendered config, serving `app` (a module:variable or call), stopped when
/// dropped.
struct Server {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Rendered {
    /// A test-only module beside the service (never in its folder): the app from its factory,
    /// plus the routes a test needs.
    fn harness(&self, code: &str) -> std::path::PathBuf {
        let harness = self.dir.path().join("harness");
        std::fs::create_dir_all(&harness).expect("harness dir");
        std::fs::write(harness.join("harness.py"), code).expect("harness.py");
        harness
    }

    fn gunicorn(&self, app: &str, env: &[(&str, &str)], pythonpath: Option<&Path>) -> Server {
        let port = free_port();
        let log = self.dir.path().join(format!("gunicorn-{port}.log"));
        let mut cmd = Command::new(self.bin.join("gunicorn"));
        cmd.args(["--config", "gunicorn.conf.py", app])
            .current_dir(&self.service)
            .env("PORT", port.to_string())
            .env("METRICS_PORT", free_port().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"));
        if let Some(path) = pythonpath {
            cmd.env("PYTHONPATH", path);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        Server { child: cmd.spawn().expect("start gunicorn"), port, log }
    }

    /// A `name = <integer>` line of the rendered gunicorn.conf.py.
    fn setting(&self, name: &str) -> u64 {
        let conf = std::fs::read_to_string(self.service.join("gunicorn.conf.py")).expect("gunicorn.conf.py");
        let prefix = format!("{name} = ");
        conf.lines()
            .find_map(|l| l.strip_prefix(&prefix).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no `{name} = <integer>` in gunicorn.conf.py:\n{conf}"))
    }

    /// An integer of a rendered YAML file, found by its key (the first one).
    fn yaml_integer(&self, file: &str, key: &str) -> u64 {
        let text = std::fs::read_to_string(self.dir.path().join("out").join(file)).expect(file);
        let prefix = format!("{key}: ");
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&prefix).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no `{key}: <integer>` in {file}"))
    }
}

/// Waits for the server to stop; its exit status.
fn stopped(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < within, "gunicorn did not stop within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A raw HTTP/1.1 GET with extra headers; returns the whole response.
fn get(port: u16, path: &str, headers: &[(&str, &str)], wait: Duration) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut text = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

const HARNESS: &str = r#"
# Test-only routes around the service's own factory: nothing here ships in the image.
import time

from flask import request

from app import create_app

app = create_app()


@app.get("/slow")
def slow():
    time.sleep(float(request.args["seconds"]))
    return "finished"


@app.get("/items/")
def items():
    return "items"
"#;

#[test]
fn a_request_as_long_as_the_timeout_finishes_when_gunicorn_gets_sigterm() {
    // Above the 20 s graceful shutdown gen once fixed for every service: a request of 24 s was
    // cut 20 s after SIGTERM.
    let svc = rendered(|spec| spec.replace("timeout: 30}", "timeout: 25}"));
    let timeout = svc.setting("timeout");
    assert_eq!(timeout, 25, "the spec's timeout reaches gunicorn");
    let harness = svc.harness(HARNESS);
    let mut server = svc.gunicorn("harness:app", &[("SECRET_KEY", "a-test-key")], Some(&harness));
    let started = wait_for(&server.log, "Booting worker with pid", 2);
    assert_eq!(started.matches("Booting worker with pid").count(), 2, "two workers:\n{started}");
    let port = server.port;
    let seconds = timeout - 1;
    let request = std::thread::spawn(move || {
        get(port, &format!("/slow?seconds={seconds}"), &[], Duration::from_secs(seconds + 30))
    });
    // The request is in a worker when the master gets SIGTERM (as the kubelet sends it after
    // the preStop delay).
    std::thread::sleep(Duration::from_secs(1));
    run_ok(Command::new("kill").args(["-TERM", &server.child.id().to_string()]), "kill -TERM");
    let response = request.join().expect("request thread");
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(response.starts_with("HTTP/1.1 200"), "the request was cut:\n{response}\n{log}");
    assert!(response.ends_with("finished"), "{response}");
    let graceful = svc.setting("graceful_timeout");
    let status = stopped(&mut server, Duration::from_secs(graceful + 5));
    assert!(status.success(), "gunicorn exited with {status}");

    // The pod's side of the same sequence, derived from the same value: the preStop delay and
    // the graceful shutdown fit in the grace period, in the chart and the plain manifests.
    assert!(graceful >= timeout, "graceful_timeout {graceful} < timeout {timeout}");
    let delay = svc.yaml_integer("values/athletes.yaml", "shutdownDelaySeconds");
    let grace = svc.yaml_integer("values/athletes.yaml", "terminationGracePeriodSeconds");
    assert!(delay > 0 && grace > delay + graceful, "grace {grace} <= preStop {delay} + graceful {graceful}");
    let manifest = "manifests/athletes/deployment.yaml";
    assert_eq!(svc.yaml_integer(manifest, "terminationGracePeriodSeconds"), grace);
    assert_eq!(svc.yaml_integer(manifest, "seconds"), delay, "the manifests' preStop sleep");
}

/// The `Location` of a response, which must be a redirect.
fn location(response: &str) -> String {
    assert!(response.starts_with("HTTP/1.1 308"), "{response}");
    let location = response.lines().find_map(|l| l.strip_prefix("Location: "));
    location.unwrap_or_else(|| panic!("no Location header:\n{response}")).trim().to_string()
}

/// What the ingress controller sends for `GET https://shop.example.com/flask-app/items` when it
/// strips `/flask-app`: the rest of the path, and the rest in headers. Where the route strips
/// nothing, ingress-nginx passes a client's own X-Forwarded-Prefix as it came.
const FORWARDED: [(&str, &str); 5] = [
    ("X-Forwarded-For", "203.0.113.7"),
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "shop.example.com"),
    ("X-Forwarded-Port", "443"),
    ("X-Forwarded-Prefix", "/flask-app"),
];

/// The `FORWARDED_PREFIX` value the rendered plain manifests give the container, if any.
fn forwarded_prefix(svc: &Rendered) -> Option<String> {
    let file = "manifests/athletes/deployment.yaml";
    let text = std::fs::read_to_string(svc.dir.path().join("out").join(file)).expect(file);
    let mut lines = text.lines().map(str::trim);
    lines.find(|l| *l == "- name: FORWARDED_PREFIX")?;
    let value = lines.next().and_then(|l| l.strip_prefix("value: ")).expect("FORWARDED_PREFIX has a value");
    Some(value.trim_matches('"').to_string())
}

#[test]
fn redirects_behind_a_stripped_prefix_keep_the_forwarded_scheme_host_and_prefix() {
    let svc = rendered(|spec| spec.replace("path: /, tls: true", "path: /flask-app, stripPrefix: true, tls: true"));
    let prefix = forwarded_prefix(&svc).expect("a route that strips a prefix tells the service");
    assert_eq!(prefix, "/flask-app");
    let harness = svc.harness(HARNESS);
    let env = [("SECRET_KEY", "a-test-key"), ("FORWARDED_PREFIX", prefix.as_str())];
    let server = svc.gunicorn("harness:app", &env, Some(&harness));
    wait_for(&server.log, "Booting worker with pid", 2);
    let response = get(server.port, "/items", &FORWARDED, Duration::from_secs(10));
    assert_eq!(location(&response), "https://shop.example.com/flask-app/items/");
}

#[test]
fn a_client_cannot_choose_the_prefix_of_a_route_that_strips_none() {
    let svc = rendered(|spec| spec);
    assert_eq!(forwarded_prefix(&svc), None, "the route strips nothing");
    let harness = svc.harness(HARNESS);
    let server = svc.gunicorn("harness:app", &[("SECRET_KEY", "a-test-key")], Some(&harness));
    wait_for(&server.log, "Booting worker with pid", 2);
    let response = get(server.port, "/items", &FORWARDED, Duration::from_secs(10));
    assert_eq!(location(&response), "https://shop.example.com/items/");
}

#[test]
fn the_service_refuses_to_start_without_a_secret_it_declares() {
    let svc = rendered(|spec| spec);
    let mut server = svc.gunicorn("app:create_app()", &[], None);
    let status = stopped(&mut server, Duration::from_secs(30));
    assert!(!status.success(), "gunicorn started without SECRET_KEY");
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("SECRET_KEY is not set") && log.contains("athletes-env"), "{log}");
}

#[test]
fn workers_left_to_gunicorn_follow_the_containers_cpu_limit_not_the_nodes_cpus() {
    let svc = rendered(|spec| spec.replace("workers: 2,", "workers: 0,"));
    // 1.5 CPUs, as the Deployment passes the limit (downward API, in millicores): 2 x 1.5 + 1.
    let server = svc.gunicorn("app:create_app()", &[("SECRET_KEY", "k"), ("CPU_LIMIT_MILLICORES", "1500")], None);
    wait_for(&server.log, "Booting worker with pid", 4);
    std::thread::sleep(Duration::from_secs(2));
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert_eq!(log.matches("Booting worker with pid").count(), 4, "{log}");
    // The chart and the manifests pass the limit.
    for file in ["chart/templates/deployment.yaml", "manifests/athletes/deployment.yaml"] {
        let text = std::fs::read_to_string(svc.dir.path().join("out").join(file)).expect(file);
        assert!(
            text.contains("- name: CPU_LIMIT_MILLICORES\n              valueFrom:\n                resourceFieldRef:\n                  resource: limits.cpu\n                  divisor: 1m"),
            "{file}"
        );
    }
}

/// A query string's value, percent-encoded (RFC 3986 unreserved characters kept).
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The series an instant query returns, from Prometheus' HTTP API on `port`.
fn query(port: u16, promql: &str) -> Vec<serde_json::Value> {
    // Nothing yet while the server starts.
    if TcpStream::connect(("127.0.0.1", port)).is_err() {
        return Vec::new();
    }
    let response = get(port, &format!("/api/v1/query?query={}", url_encode(promql)), &[], Duration::from_secs(10));
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    json["data"]["result"].as_array().cloned().unwrap_or_default()
}

/// The real Prometheus server (Debian's 2.42; kube-prometheus-stack runs 3.x, whose left-open
/// range selectors change no rate over these windows) on loopback scrapes the running service
/// as its rendered ServiceMonitor says (the Service's `metrics` port, the monitor's path; the
/// `job` and `namespace` labels prometheus-operator gives the target), loads the rendered rules
/// as they are, and every metric those rules read, and every series they record, has data. The
/// rules are evaluated every second rather than every minute, and scraped every second rather
/// than every 30, so that the test takes seconds; nothing else of them is changed.
#[test]
fn a_real_prometheus_scrapes_the_service_as_its_monitor_says_and_every_series_its_rules_read_has_data() {
    // A kind cluster beside AKS: its kube-prometheus-stack gets the service's dashboard.
    let r = rendered(|spec| {
        spec + "environments:\n  - name: dev\n    platform: {local: {cluster: kind}}\n  - name: prod\n"
    });
    let out = r.dir.path().join("out");
    let monitor = std::fs::read_to_string(out.join("manifests/athletes/servicemonitor.yaml")).expect("monitor");
    let value = |key: &str| -> String {
        let found = monitor.lines().find_map(|l| l.trim().trim_start_matches("- ").strip_prefix(&format!("{key}: ")));
        found.unwrap_or_else(|| panic!("no {key} in the monitor:\n{monitor}")).trim_matches('"').to_string()
    };
    assert_eq!(value("port"), "metrics", "the monitor scrapes the Service's metrics port");
    let values = std::fs::read_to_string(out.join("values/athletes.yaml")).expect("values");
    assert!(values.contains("metrics:\n  enabled: true\n  port: 9464\n"), "{values}");
    let (namespace, path) = (value("namespace"), value("path"));

    let (port, metrics_port, prometheus_port) = (free_port(), free_port(), free_port());
    let log = r.dir.path().join("gunicorn.log");
    let _server = Server {
        child: Command::new(r.bin.join("gunicorn"))
            .args(["--config", "gunicorn.conf.py", "app:create_app()"])
            .current_dir(&r.service)
            .env("PORT", port.to_string())
            .env("METRICS_PORT", metrics_port.to_string())
            .env("PROMETHEUS_MULTIPROC_DIR", r.dir.path().join("metrics"))
            .env("SECRET_KEY", "a-test-key")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start gunicorn"),
        port,
        log: log.clone(),
    };
    wait_for(&log, "Booting worker with pid", 2);

    let rules_dir = r.dir.path().join("prometheus");
    std::fs::create_dir_all(&rules_dir).expect("dir");
    let rules = std::fs::read_to_string(out.join("monitoring/rules.yaml")).expect("rules");
    assert_eq!(rules.matches("    interval: 1m\n").count(), 4, "{rules}");
    std::fs::write(rules_dir.join("rules.yaml"), rules.replace("    interval: 1m\n", "    interval: 1s\n"))
        .expect("rules");
    let config = format!(
        "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nrule_files: [rules.yaml]\nscrape_configs:\n  - job_name: athletes\n    metrics_path: {path}\n    static_configs:\n      - targets: [\"127.0.0.1:{metrics_port}\"]\n        labels: {{job: athletes, namespace: {namespace}}}\n",
    );
    std::fs::write(rules_dir.join("prometheus.yml"), config).expect("config");
    let prometheus_log = r.dir.path().join("prometheus.log");
    let _prometheus = Server {
        child: common::validator("prometheus")
            .arg("--config.file=prometheus.yml")
            .arg("--storage.tsdb.path=data")
            .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
            .current_dir(&rules_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&prometheus_log).expect("log"))
            .spawn()
            .expect("start prometheus"),
        port: prometheus_port,
        log: prometheus_log.clone(),
    };

    // Traffic while Prometheus scrapes: the page and a probe, a few seconds long.
    let parsed = gen_core::lint::prometheus::Document::parse(&gen_core::diag::Source::new("rules.yaml", rules.clone()));
    assert!(parsed.syntax.is_empty() && !parsed.rules.is_empty());
    let mut read: Vec<String> = parsed
        .rules
        .iter()
        .filter_map(|rule| rule.query.as_ref())
        .flat_map(|q| gen_core::lint::prometheus::metric_names(q).into_iter().map(str::to_string))
        .filter(|name| !name.starts_with("slo:"))
        .collect();
    read.sort();
    read.dedup();
    assert_eq!(
        read,
        ["http_request_duration_seconds_bucket", "http_request_duration_seconds_count", "http_requests_total", "up"]
    );
    let start = Instant::now();
    let mut missing: Vec<String> = Vec::new();
    while start.elapsed() < Duration::from_secs(90) {
        for _ in 0..5 {
            assert!(get(port, "/", &[], Duration::from_secs(10)).starts_with("HTTP/1.1 200"));
            assert!(get(port, "/healthz", &[], Duration::from_secs(10)).starts_with("HTTP/1.1 200"));
        }
        missing = read
            .iter()
            // A count: the series themselves would be a response too long for one chunk.
            .map(|name| format!("count({name}{{job=\"athletes\", namespace=\"{namespace}\"}})"))
            .chain(["availability", "latency"].iter().flat_map(|slo| {
                ["5m", "3d"]
                    .iter()
                    .map(move |w| format!("slo:sli_error:ratio_rate{w}{{job=\"athletes\", slo=\"{slo}\"}}"))
            }))
            .filter(|series| query(prometheus_port, series).is_empty())
            .collect();
        if missing.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        missing.is_empty(),
        "no data for {missing:?}\n{}",
        std::fs::read_to_string(&prometheus_log).unwrap_or_default()
    );
    // Every panel of the dashboard on the service's own series (or the rules' records) has
    // data too; those on the kubelet's cAdvisor and kube-state-metrics' series are the
    // cluster's, not here.
    let dashboard = std::fs::read_to_string(out.join("monitoring/athletes/dashboard.yaml")).expect("dashboard");
    let json: String = dashboard
        .lines()
        .skip_while(|l| !l.contains("athletes.json"))
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    let dashboard: serde_json::Value = serde_json::from_str(&json).expect("the dashboard's JSON");
    let exporters = ["container_", "kube_"];
    let panels: Vec<(String, String)> = gen_core::render::dashboard::expressions(&dashboard)
        .into_iter()
        .filter(|(_, q)| {
            let parsed = gen_core::lint::prometheus::parse(q).expect("a query");
            !gen_core::lint::prometheus::metric_names(&parsed)
                .iter()
                .any(|n| exporters.iter().any(|e| n.starts_with(e)))
        })
        .collect();
    assert_eq!(panels.len(), 9, "{panels:?}");
    // The panels read the namespace of the dashboard's variable, which Grafana fills from the
    // service's `up` series (`label_values`): the service's namespace here.
    let variable = dashboard["templating"]["list"]
        .as_array()
        .expect("variables")
        .iter()
        .find(|v| v["name"] == "namespace")
        .expect("a namespace variable");
    assert_eq!(variable["definition"], "label_values(up{job=\"athletes\"}, namespace)", "{variable}");
    let found = query(prometheus_port, "up{job=\"athletes\"}");
    let values: BTreeSet<&str> = found.iter().filter_map(|s| s["metric"]["namespace"].as_str()).collect();
    assert_eq!(values, BTreeSet::from([namespace.as_str()]), "{found:?}");
    let panels: Vec<(String, String)> =
        panels.into_iter().map(|(title, q)| (title, q.replace("$namespace", &namespace))).collect();
    let empty: Vec<&(String, String)> = panels.iter().filter(|(_, q)| query(prometheus_port, q).is_empty()).collect();
    assert!(empty.is_empty(), "panels without data: {empty:?}");
    // Every request succeeded, fast: both indicators say no error, and nothing fires.
    for slo in ["availability", "latency"] {
        let ratio = query(prometheus_port, &format!("slo:sli_error:ratio_rate5m{{job=\"athletes\", slo=\"{slo}\"}}"));
        assert_eq!(ratio[0]["value"][1], "0", "{slo}: {ratio:?}");
        assert_eq!(ratio[0]["metric"]["namespace"], namespace.as_str(), "{ratio:?}");
    }
    assert_eq!(query(prometheus_port, "up{job=\"athletes\"}")[0]["value"][1], "1");
    assert!(query(prometheus_port, "ALERTS{alertstate=\"firing\"}").is_empty());
}
