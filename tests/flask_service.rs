//! The rendered reference service really runs: its pytest suite passes against the pinned
//! requirements from PyPI, and gunicorn with the rendered config starts the configured workers,
//! answers on a loopback port, passes the image's HEALTHCHECK, and stops cleanly on SIGTERM.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Gen;

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
    run_ok(
        Command::new(bin.join("pip"))
            .args(["install", "-q", "--disable-pip-version-check", "-r", "requirements-dev.txt"])
            .current_dir(&service),
        "pip install",
    );
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
        .env("FAVORITE_ATHLETE", "Usain Bolt")
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
    let first_json_line = access.lines().find(|l| l.contains("\"request\"")).expect("an access log line");
    let entry: serde_json::Value = serde_json::from_str(first_json_line).expect("access log lines are JSON");
    assert_eq!(entry["status"], 200);
}
