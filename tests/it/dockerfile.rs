//! The Dockerfile rules on files read as Docker reads them: heredocs only where BuildKit sees
//! one, continuations across empty lines, variables and ranges in EXPOSE, clients that connect
//! to loopback, users from build arguments, and shell words with their quotes.

use crate::common;

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
    // (DF012: a shell-form CMD, which is not this test's concern.)
    assert_eq!(codes(&format!("{base}CMD psql -h localhost -c 'select 1'\n")), vec!["DF012"]);
    // (DF013: `flask run` is the development server besides.)
    assert_eq!(codes(&format!("{base}CMD [\"flask\", \"run\", \"-h\", \"127.0.0.1\"]\n")), vec!["DF013", "DF007"]);
    assert_eq!(codes(&format!("{base}CMD gunicorn --bind=127.0.0.1:5000 app:app\n")), vec!["DF012", "DF007"]);
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

// Seed 004's own Dockerfile, as its write-up gives it: what gen now says about it.

const SEED_004: &str = "FROM python:3.8-alpine\nWORKDIR /app\nCOPY requirements.txt /app\n\
                        RUN pip install -r requirements.txt\nCOPY db.py runserver.py /app\n\
                        ADD notejam /app/notejam\nRUN python db.py\nEXPOSE 5000\n\
                        ENTRYPOINT FLASK_APP=runserver.py flask run --host=0.0.0.0\n";

#[test]
fn seed_004_s_dockerfile_breaks_the_build_ignores_sigterm_runs_the_development_server_on_an_old_python() {
    let found = lint(SEED_004);
    for expected in [("DF014", 1, 6), ("DF011", 5, 25), ("DF012", 9, 1), ("DF013", 9, 1)] {
        let expected = (expected.0.to_string(), expected.1, expected.2);
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
}

#[test]
fn several_sources_need_a_folder_written_as_one_whatever_the_form() {
    let base = "FROM python:3.13-slim-trixie\nUSER 10001\nARG DEST=/srv\n";
    assert_eq!(codes(&format!("{base}COPY [\"a.py\", \"b.py\", \"/app\"]\n")), vec!["DF011"]);
    assert_eq!(codes(&format!("{base}COPY --chown=10001 a.py b.py $DEST\n")), vec!["DF011"], "a variable's value");
    assert_eq!(codes(&format!("{base}COPY --from=build /a /b /app/\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}COPY a.py b.py ./\n")), Vec::<String>::new());
    assert_eq!(codes(&format!("{base}COPY a.py b.py ${{UNKNOWN}}\n")), Vec::<String>::new(), "unknown: not judged");
    assert_eq!(codes(&format!("{base}COPY a.py /app\n")), Vec::<String>::new(), "one source may name a file");
}

#[test]
fn a_command_is_the_server_s_own_only_in_exec_form_or_after_exec() {
    let base = "FROM python:3.13-slim-trixie\nUSER 10001\n";
    assert_eq!(codes(&format!("{base}CMD gunicorn app:app\n")), vec!["DF012"]);
    assert_eq!(
        codes(&format!("{base}ENTRYPOINT [\"tini\", \"--\"]\nCMD exec gunicorn app:app\n")),
        Vec::<String>::new()
    );
    assert_eq!(codes(&format!("{base}RUN echo built\nCMD [\"gunicorn\", \"app:app\"]\n")), Vec::<String>::new());
}

#[test]
fn a_development_server_is_found_in_every_form_and_allowed_in_a_development_dockerfile() {
    let base = "FROM python:3.13-slim-trixie\nUSER 10001\n";
    for cmd in [
        "CMD [\"python\", \"-m\", \"flask\", \"run\", \"--host=0.0.0.0\"]",
        "CMD [\"sh\", \"-c\", \"flask db upgrade && flask run --host=0.0.0.0\"]",
        "ENTRYPOINT [\"flask\"]\nCMD [\"run\", \"--host=0.0.0.0\"]",
        "CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]",
    ] {
        assert_eq!(codes(&format!("{base}{cmd}\n")), vec!["DF013"], "{cmd}");
    }
    assert_eq!(
        codes(&format!("{base}CMD [\"python\", \"app.py\"]\n")),
        Vec::<String>::new(),
        "what app.py serves is unknown"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile.dev");
    std::fs::write(&path, format!("{base}CMD [\"flask\", \"run\", \"--debug\"]\n")).expect("write");
    assert_eq!(lint_json(&path).findings(), vec![], "a development Dockerfile runs the development server");
}

#[test]
fn a_base_image_s_python_is_judged_by_its_end_of_life_through_build_arguments_too() {
    assert_eq!(codes("ARG PY=3.7\nFROM python:${PY}-slim\nUSER 10001\n"), vec!["DF014"]);
    assert_eq!(codes("FROM docker.io/library/python:2.7\nUSER 10001\n"), vec!["DF014"]);
    assert_eq!(codes("FROM python:3-slim\nUSER 10001\n"), Vec::<String>::new(), "follows the newest 3.x");
    assert_eq!(codes("FROM ghcr.io/acme/python:3.8\nUSER 10001\n"), Vec::<String>::new(), "not the official image");
}

// False alarms, by class.

#[test]
fn a_public_checksum_or_key_fingerprint_in_env_is_no_credential() {
    let base = "FROM python:3.13-slim-trixie\nUSER 10001\n";
    for env in [
        "ENV NODE_SHA256=9a4f2b7c1d8e3f6a0b5c9d2e7f1a4b8c3d6e9f2a5b8c1d4e7f0a3b6c9d2e5f8a",
        "ENV PYTHON_GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
        "ARG TINI_SHA256SUM=12d20136605531b09a2c2dac02ccee85e1b874eb322ef6baf7561cd93f93c855",
        "ENV IMAGE_DIGEST=sha256:9a4f2b7c1d8e3f6a0b5c9d2e7f1a4b8c3d6e9f2a5b8c1d4e7f0a3b6c9d2e5f8a",
    ] {
        assert_eq!(codes(&format!("{base}{env}\n")), Vec::<String>::new(), "{env}");
    }
    // The same value under a name that says nothing of a checksum may still be a key.
    assert_eq!(
        codes(&format!("{base}ENV APP_VALUE=9a4f2b7c1d8e3f6a0b5c9d2e7f1a4b8c3d6e9f2a5b8c1d4e7f0a3b6c9d2e5f8a\n")),
        vec!["DF009"]
    );
}

#[test]
fn every_way_of_removing_the_apt_lists_cleans_them() {
    let base = "FROM debian:trixie-slim\nUSER 10001\n";
    let install = "apt-get update && apt-get install -y --no-install-recommends curl";
    for run in [
        format!("RUN {install} && apt-get dist-clean"),
        format!("RUN {install} && apt dist-clean"),
        format!("RUN {install} && rm -rf /var/lib/apt/*"),
        format!("RUN {install} && find /var/lib/apt/lists -type f -delete"),
        format!("RUN --mount=type=tmpfs,target=/var/lib/apt/lists {install}"),
    ] {
        assert_eq!(codes(&format!("{base}{run}\n")), Vec::<String>::new(), "{run}");
    }
    for run in [format!("RUN {install} && apt-get clean"), format!("RUN {install} && rm -rf /var/cache/apt/*")] {
        assert_eq!(codes(&format!("{base}{run}\n")), vec!["DF005"], "{run}: the lists stay");
    }
}

#[test]
fn a_stage_from_an_earlier_stage_runs_as_that_stages_user() {
    let base = "FROM python:3.12-slim-trixie AS Base\nUSER 10001\n";
    assert_eq!(
        codes(&format!("{base}FROM base\nCMD [\"python\"]\n")),
        Vec::<String>::new(),
        "names are read without case"
    );
    assert_eq!(codes(&format!("{base}FROM base\nUSER root\n")), vec!["DF001"]);
    // Through a build argument, as Docker expands `FROM`.
    assert_eq!(codes(&format!("ARG STAGE=base\n{base}FROM ${{STAGE}}\n")), Vec::<String>::new());
    // A later stage of the same name is not the one `FROM` means: only earlier stages are.
    let found = lint("FROM python:3.12-slim-trixie AS a\nFROM a AS b\nFROM python:3.12-slim-trixie AS a\nUSER 10001\n");
    assert_eq!(found, Vec::new());
    let found =
        lint("FROM python:3.12-slim-trixie AS a\nFROM a\nFROM python:3.12-slim-trixie AS b\nUSER 10001\nFROM a\n");
    assert_eq!(found, vec![("DF001".to_string(), 5, 1)]);
}

#[test]
fn a_file_with_no_from_is_refused_as_buildkit_refuses_it_and_judged_no_further() {
    assert_eq!(lint("RUN echo hi\nCMD [\"sh\"]\n"), vec![("DF010".to_string(), 1, 1)]);
    assert_eq!(lint("ARG A=1\nARG B\n"), vec![("DF010".to_string(), 2, 6)]);
    assert_eq!(codes("ARG BASE=python:3.12-slim-trixie\nFROM $BASE\nUSER 10001\n"), Vec::<String>::new());
}
