#!/usr/bin/env python3
"""pre-commit's gen hooks without a compiler: gen's release wheel, verified, then run.

Runs `gen ARGS...` with the gen the project's lock pins (`pipeline.gen.lock` of the spec,
`gen-requirements.txt` beside it by default: `gen-platform==X.Y.Z` and the SHA-256 of its
wheels, as the package index published them). The wheel is installed once per lock, with pip in
hash-checking mode, into a virtual environment under pre-commit's cache; a wheel whose hash the
lock does not list is refused and gen does not run. The drift job (`gen.yml`) installs from the
same lock, so a commit is checked by the gen CI checks with.

usage: gen-wheel.py GEN-ARGS... [--lock FILE] [--index URL]
  --lock   the lock, from the repository's root (default: gen-requirements.txt, or $GEN_LOCK)
  --index  the package index (default: https://pypi.org/simple, or $GEN_INDEX)
"""

import hashlib
import os
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
    lock = os.environ.get("GEN_LOCK", "gen-requirements.txt")
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
    try:
        with open(lock, "rb") as f:
            text = f.read()
    except OSError as e:
        fail(
            f"{lock} cannot be read ({e.strerror}): it pins gen's wheel with its hashes "
            "(pipeline.gen.lock; the README of the rendered output says how to write it)"
        )
    pinned = re.search(rb"^gen[-_.]platform==([0-9]+\.[0-9]+\.[0-9]+)\b", text, re.M | re.I)
    if not pinned or b"--hash=sha256:" not in text:
        fail(f"{lock} does not pin gen-platform==X.Y.Z with the SHA-256 of its wheels")
    version = pinned.group(1).decode()

    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit"
    )
    # One environment per lock and index: a changed lock installs again, verified again.
    key = hashlib.sha256(text + b"\0" + index.encode()).hexdigest()[:32]
    env = os.path.join(home, "gen-wheel", key)
    scripts = "Scripts" if os.name == "nt" else "bin"
    exe = os.path.join(env, scripts, "gen.exe" if os.name == "nt" else "gen")
    if not os.path.exists(os.path.join(env, ".installed")):
        os.makedirs(os.path.dirname(env), exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f"{key}.", dir=os.path.dirname(env))
        try:
            venv.create(staging, with_pip=True)
            pip = os.path.join(staging, scripts, "python")
            done = subprocess.run(
                [pip, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
                + ["--only-binary", ":all:", "--require-hashes", "--index-url", index]
                + ["--requirement", os.path.abspath(lock)],
                check=False,
            )
            if done.returncode != 0:
                fail(
                    f"pip did not install gen-platform=={version} from {index} as {lock} pins it "
                    "(above: a wheel whose hash the lock does not list is refused); gen did not run"
                )
            # Moved into place whole, so that a run stopped half way leaves nothing half made.
            # (The venv's own paths name the staging folder; only `gen`, a binary, is run.)
            open(os.path.join(staging, ".installed"), "w").close()
            try:
                os.rename(staging, env)
            except OSError:
                if not os.path.exists(os.path.join(env, ".installed")):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    if done.stdout.strip() != f"gen {version}":
        fail(f"the installed gen says {done.stdout.strip() or done.stderr.strip()!r}, not gen {version}")
    if os.name == "nt":
        sys.exit(subprocess.run([exe] + argv, check=False).returncode)
    os.execv(exe, [exe] + argv)


if __name__ == "__main__":
    main(sys.argv[1:])
