//! The requirements family held to pip: a lock pip refuses in hash-checking mode is what gen
//! reports (REQ001, REQ002), and one pip installs is clean. pip runs offline here, on wheels
//! this test builds (`--no-index --find-links`), so the hashes are those of real files.

use std::path::Path;
use std::process::Command;

use crate::common::lint_json;

/// Builds two wheels (`gen-fixture-a 1.0`, `gen-fixture-b 2.0`) in `dir` and returns their
/// sha256 digests.
fn wheels(dir: &Path) -> (String, String) {
    let script = r#"
import base64, hashlib, sys, zipfile
def wheel(name, version):
    stem = name.replace("-", "_")
    dist = f"{stem}-{version}.dist-info"
    files = {f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: gen-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{k},sha256={base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b'=').decode()},{len(v)}\n" for k, v in files.items())
    files[f"{dist}/RECORD"] = record + f"{dist}/RECORD,,\n"
    path = f"{sys.argv[1]}/{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for k, v in files.items():
            z.writestr(zipfile.ZipInfo(k, (2020, 1, 1, 0, 0, 0)), v)
    print(hashlib.sha256(open(path, "rb").read()).hexdigest())
wheel("gen-fixture-a", "1.0")
wheel("gen-fixture-b", "2.0")
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(dir).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines().map(str::to_string);
    (lines.next().expect("a"), lines.next().expect("b"))
}

#[test]
fn pip_and_gen_agree_on_the_locks_hash_checking_mode_refuses() {
    let index = tempfile::tempdir().expect("tempdir");
    let (a, b) = wheels(index.path());
    // (the file, the rule gen reports; None: pip installs it)
    let mut cases: Vec<(String, Option<&str>)> = vec![
        (format!("gen-fixture-a==1.0 --hash=sha256:{a}\ngen-fixture-b==2.0 --hash=sha256:{b}\n"), None),
        (
            format!(
                "# a lock\ngen-fixture-a==1.0 \\\n    --hash=sha256:{a}\n    # via x\ngen-fixture-b == 2.0 \\\n  --hash=sha256:{b}  # same\n"
            ),
            None,
        ),
        (
            format!(
                "gen-fixture-a===1.0 --hash=sha256:{a}\n--no-binary :none:\ngen-fixture-b==2.0 --hash=sha256:{b}\n"
            ),
            None,
        ),
        // No hash at all: pip does not check hashes (it would with --require-hashes).
        ("gen-fixture-a==1.0\ngen-fixture-b>=2\n".to_string(), None),
        (format!("gen-fixture-a==1.0 --hash=sha256:{a}\ngen-fixture-b==2.0\n"), Some("REQ001")),
        (format!("gen-fixture-a==1.0 --hash=sha256:{a}\ngen-fixture-b>=2 --hash=sha256:{b}\n"), Some("REQ002")),
        // pip takes `==1.*` as pinned (one `==` specifier), and so does gen.
        (format!("gen-fixture-a==1.* --hash=sha256:{a}\ngen-fixture-b==2.0 --hash=sha256:{b}\n"), None),
        (format!("gen-fixture-a==1.0,!=1.1 --hash=sha256:{a}\ngen-fixture-b==2.0 --hash=sha256:{b}\n"), Some("REQ002")),
        (format!("gen-fixture-a --hash=sha256:{a}\ngen-fixture-b==2.0 --hash=sha256:{b}\n"), Some("REQ002")),
    ];
    let wheel_b = index.path().join("gen_fixture_b-2.0-py3-none-any.whl");
    let wheel_b = wheel_b.to_str().expect("utf-8");
    cases.extend([
        // The file asks for hash-checking itself.
        ("--require-hashes\ngen-fixture-a==1.0\n".to_string(), Some("REQ001")),
        // A direct reference is installed by its hash, pinned or not.
        (format!("gen-fixture-a==1.0 --hash=sha256:{a}\n{wheel_b} --hash=sha256:{b}\n"), None),
        // pip skips a requirement whose marker is false here, hash or not.
        (format!("gen-fixture-a==1.0 --hash=sha256:{a}\ngen-fixture-b==2.0 ; python_version < '3.0'\n"), None),
    ]);
    for (text, rule) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("requirements.txt");
        std::fs::write(&file, &text).expect("write");
        let pip = Command::new("python3")
            .args(["-m", "pip", "install", "--dry-run", "--no-index", "--no-deps", "--disable-pip-version-check"])
            .arg("--find-links")
            .arg(index.path())
            .arg("-r")
            .arg(&file)
            .env("PIP_CONFIG_FILE", "/dev/null")
            .output()
            .expect("pip");
        let refused = String::from_utf8_lossy(&pip.stderr);
        assert_eq!(pip.status.success(), rule.is_none(), "pip on\n{text}\n{refused}");
        if rule.is_some() {
            assert!(refused.contains("--require-hashes mode"), "pip refuses it for its hashes:\n{text}\n{refused}");
        }
        let run = lint_json(&file);
        let codes = run.codes();
        match rule {
            None => assert!(codes.is_empty() && run.code == 0, "gen on\n{text}\n{codes:?}"),
            Some(rule) => assert!(codes.contains(&rule.to_string()) && run.code == 1, "gen on\n{text}\n{codes:?}"),
        }
    }
}

/// The same lock in several services' folders (gen renders one per service from one template)
/// is reported in each, at its own path and line, as a lock of another text is at its own.
#[test]
fn the_same_lock_in_several_folders_is_reported_in_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let same = "--require-hashes\nflask==3.1.0\n";
    let other = "--require-hashes\n# another\nflask==3.1.0\n";
    for (folder, text) in [("a", same), ("b", same), ("c", other), ("d", same)] {
        std::fs::create_dir(dir.path().join(folder)).expect("mkdir");
        std::fs::write(dir.path().join(folder).join("requirements.txt"), text).expect("write");
    }
    let run = lint_json(dir.path());
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let mut found: Vec<(String, String, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default();
            let folder =
                Path::new(file).parent().and_then(Path::file_name).and_then(|f| f.to_str()).unwrap_or_default();
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                folder.to_string(),
                d["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    found.sort();
    let expected = [("a", 2), ("b", 2), ("c", 3), ("d", 2)].map(|(f, l)| ("REQ001".to_string(), f.to_string(), l));
    assert_eq!(found, expected, "{}", run.stdout);
    assert_eq!(run.code, 1);
}
