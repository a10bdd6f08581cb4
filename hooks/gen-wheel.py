#!/usr/bin/env python3
"""pre-commit's gen hooks without a compiler: gen's release wheel, verified, then run.

Runs `gen ARGS...` with the gen the project's lock pins (`pipeline.gen.lock` of the spec,
`gen-requirements.txt` beside it by default: `gen-platform==X.Y.Z` and the SHA-256 of its
wheels, as the package index published them). The wheel is installed once per lock, index and
machine, with pip in hash-checking mode, into a virtual environment under pre-commit's cache; a
wheel whose hash the lock does not list is refused and gen does not run. The drift job
(`gen.yml`) installs from the same lock, so a commit is checked by the gen CI checks with.

usage: gen-wheel.py GEN-ARGS... [--lock FILE] [--index URL]
  --lock   the lock (default: gen-requirements.txt beside the first .yaml or .yml argument, the
           spec, or $GEN_LOCK)
  --index  the package index (default: https://pypi.org/simple, or $GEN_INDEX); the spec's
           pipeline.gen.index when it names another
"""

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import venv


def fail(message):
    print(f"gen (pre-commit): {message}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    lock = os.environ.get("GEN_LOCK")
    index = os.environ.get("GEN_INDEX", "https://pypi.org/simple")
    # --lock and --index are this script's, wherever they are (gen has neither option): the
    # hook's entry names gen's command, and `args` follow it.
    rest = []
    while argv:
        arg, argv = argv[0], argv[1:]
        name, eq, value = arg.partition("=")
        if name not in ("--lock", "--index"):
            rest.append(arg)
            continue
        if not eq:
            if not argv:
                fail(f"{name} needs a value")
            value, argv = argv[0], argv[1:]
        if name == "--lock":
            lock = value
        else:
            index = value
    argv = rest
    if lock is None:
        spec = next((a for a in argv if a.endswith((".yaml", ".yml"))), "spec.yaml")
        lock = os.path.join(os.path.dirname(spec), "gen-requirements.txt")
    try:
        with open(lock, "rb") as f:
            text = f.read()
    except OSError as e:
        fail(
            f"{lock} cannot be read ({e.strerror}): it pins gen's wheel with its hashes "
            "(pipeline.gen.lock, beside the spec; the README of the rendered output says how to "
            "write it; --lock PATH in the hook's args names another)"
        )
    pinned = re.search(rb"^gen[-_.]platform==([0-9]+\.[0-9]+\.[0-9]+)\b", text, re.M | re.I)
    if not pinned or b"--hash=sha256:" not in text:
        fail(f"{lock} does not pin gen-platform==X.Y.Z with the SHA-256 of its wheels")
    version = pinned.group(1).decode()

    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit"
    )
    # One environment per lock, index and machine: a changed lock installs again, verified
    # again, and a cache shared between machines never serves another's binary.
    machine = f"{sys.platform}-{platform.machine()}".encode()
    key = hashlib.sha256(b"\0".join([text, index.encode(), machine])).hexdigest()[:32]
    env = os.path.join(home, "gen-wheel", key)
    scripts = "Scripts" if os.name == "nt" else "bin"
    binary = "gen.exe" if os.name == "nt" else "gen"
    if not os.path.exists(os.path.join(env, ".installed")):
        os.makedirs(os.path.dirname(env), exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f"{key}.", dir=os.path.dirname(env))
        try:
            try:
                venv.create(staging, with_pip=True)
            except (OSError, subprocess.CalledProcessError) as e:
                fail(
                    f"{sys.executable} cannot make a virtual environment ({e}): gen's hooks need a "
                    "Python 3 with venv and ensurepip (Debian and Ubuntu: apt install python3-venv)"
                )
            python = os.path.join(staging, scripts, "python")
            done = subprocess.run(
                [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
                + ["--only-binary", ":all:", "--require-hashes", "--index-url", index]
                + ["--requirement", os.path.abspath(lock)],
                check=False,
            )
            if done.returncode != 0:
                fail(
                    f"pip did not install gen-platform=={version} from {index} as {lock} pins it "
                    "(pip's error above: a wheel whose hash the lock does not list, no wheel for "
                    "this machine, or no answer from the index); gen did not run"
                )
            said = version_of(os.path.join(staging, scripts, binary))
            if said != f"gen {version}":
                fail(f"the wheel installed a gen that says {said!r}, not gen {version}; gen did not run")
            # Moved into place whole, so that a run stopped half way leaves nothing half made.
            # (The venv's own paths name the staging folder; only `gen`, a binary, is run.)
            open(os.path.join(staging, ".installed"), "w").close()
            try:
                os.rename(staging, env)
            except OSError:
                # Another run of the hook installed it first.
                if not os.path.exists(os.path.join(env, ".installed")):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    exe = os.path.join(env, scripts, binary)
    said = version_of(exe)
    if said != f"gen {version}":
        fail(f"{exe} says {said!r}, not gen {version}: delete {env} and commit again")
    if os.name == "nt":
        sys.exit(subprocess.run([exe] + argv, check=False).returncode)
    os.execv(exe, [exe] + argv)


def version_of(exe):
    """What `exe --version` prints, or why it could not run."""
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    except OSError as e:
        return f"nothing: it cannot run ({e.strerror})"
    return done.stdout.strip() or done.stderr.strip()


if __name__ == "__main__":
    main(sys.argv[1:])
