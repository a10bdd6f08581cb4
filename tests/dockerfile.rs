//! The Dockerfile rules on files read as Docker reads them: heredocs only where BuildKit sees
//! one, continuations across empty lines, variables and ranges in EXPOSE, clients that connect
//! to loopback, users from build arguments, and shell words with their quotes.

mod common;

use common::lint_json;

fn lint(text: &str) -> Vec<(String, usize, usize)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, text).expect("write");
    lint_json(&path).findings()
}

fn codes(text: &str) -> Vec<String> {
    lint(text).into_iter().map(|f| f.0).collect()
}

#[test]
fn a_shift_in_quoted_python_is_not_a_heredoc_and_hides_nothing() {
    let found = lint(
        "FROM python:3.12-slim-trixie\nRUN python -c \"print(1<<20)\"\nENV DB_PASSWORD=hunter2\nCMD [\"python\"]\n",
    );
    assert!(found.contains(&("DF001".into(), 1, 1)), "no USER after it: {found:?}");
    assert!(found.contains(&("DF009".into(), 3, 5)), "the credential after it: {found:?}");
}

#[test]
fn an_empty_line_inside_a_continuation_does_not_end_the_instruction() {
    let found =
        codes("FROM python:3.12-slim-trixie\nRUN apt-get update \\\n\n    && apt-get install -y curl\nUSER 10001\n");
    assert!(found.contains(&"DF004".into()) && found.contains(&"DF005".into()), "{found:?}");
}

#[test]
fn expose_of_a_variable_or_a_range_that_covers_the_port_is_no_mismatch() {
    let base = "FROM python:3.12-slim-trixie\nENV PORT=5000\nUSER 10001\n";
    assert_eq!(codes(&format!("{base}EXPOSE $PORT\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}EXPOSE ${{PORT}}/tcp\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}EXPOSE 5000-5010\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}ARG OTHER\nEXPOSE $OTHER\n")), Vec::<String>::new(), "unknown: not judged");
    assert_eq!(codes(&format!("{base}EXPOSE 6000-6010\n")), vec!["DF008"]);
}

#[test]
fn a_client_connecting_to_loopback_is_not_a_server_binding_it() {
    let base = "FROM python:3.12-slim-trixie\nUSER 10001\n";
    assert_eq!(
        codes(&format!("{base}RUN redis-cli -h 127.0.0.1 ping\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\"]\n")),
        Vec::<String>::new()
    );
    assert_eq!(codes(&format!("{base}CMD psql -h localhost -c 'select 1'\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}CMD [\"flask\", \"run\", \"-h\", \"127.0.0.1\"]\n")), vec!["DF007"]);
    assert_eq!(codes(&format!("{base}CMD gunicorn --bind=127.0.0.1:5000 app:app\n")), vec!["DF007"]);
}

#[test]
fn a_user_from_a_build_argument_that_is_root_runs_as_root() {
    assert_eq!(codes("FROM python:3.12-slim-trixie\nARG U=root\nUSER $U\n"), vec!["DF001"]);
    assert_eq!(codes("ARG U=0\nFROM python:3.12-slim-trixie\nARG U\nUSER ${U}:0\n"), vec!["DF001"]);
    assert_eq!(codes("FROM python:3.12-slim-trixie\nARG U=10001\nUSER $U\n"), Vec::<String>::new());
}

#[test]
fn words_in_quotes_are_one_word() {
    let base = "FROM python:3.12-slim-trixie\nUSER 10001\n";
    assert_eq!(codes(&format!("{base}RUN echo \"then apt-get install -y curl\"\n")), Vec::<String>::new());
    assert_eq!(
        codes(&format!("{base}RUN pip install --no-cache-dir \"flask>=3; python_version > '3.8'\"\n")),
        Vec::<String>::new()
    );
    assert_eq!(codes(&format!("{base}RUN pip install 'flask>=3'\n")), vec!["DF006"]);
}

#[test]
fn a_heredoc_script_is_checked_like_a_run_line() {
    let found =
        codes("FROM python:3.12-slim-trixie\nUSER 10001\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n");
    assert!(found.contains(&"DF004".into()) && found.contains(&"DF005".into()), "{found:?}");
}

#[test]
fn a_dockerfile_docker_would_refuse_is_reported_where_it_fails() {
    assert_eq!(lint("FROM python:3.12-slim-trixie\nUSER 10001\nENV PATH\n"), vec![("DF010".into(), 3, 1)]);
    assert_eq!(codes("# only a comment\n"), vec!["DF010"]);
}
