"""The command line as operators use it: choosing checks (--only, --skip,
--tag), --list and --explain, `preflight init`, the live line on a
terminal, the bash completion, and `make install` with the man page.
"""

import json
import os
import pty
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ci_helpers import ROOT, EngineList, schema_errors


def stack_config(url, port_url):
    return {"checks": [
        {"id": "api-port", "type": "tcp", "targets": [port_url],
         "tags": ["backend"]},
        {"id": "health", "type": "http", "url": url + "/health",
         "needs": ["api-port"], "tags": ["backend"]},
        {"id": "docs", "type": "http", "url": url + "/docs",
         "needs": ["health"], "tags": ["backend", "docs"]},
        {"id": "scripts", "type": "permissions",
         "paths": [{"path": "/bin/sh", "mode": "executable"}],
         "tags": ["worker"]},
    ]}


@pytest.fixture
def stack(backend):
    b = backend()
    return stack_config(b.url, "127.0.0.1:%d" % b.port)


def ran(run):
    return [c["id"] for c in run.json["checks"]]


# ---- choosing checks -------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--only", "docs"], ["api-port", "health", "docs"]),
    (["--only", "scripts,api-port"], ["api-port", "scripts"]),
    (["--tag", "worker"], ["scripts"]),
    (["--tag", "docs", "--tag", "worker"],
     ["api-port", "health", "docs", "scripts"]),
    (["--tag", "worker,docs"], ["api-port", "health", "docs", "scripts"]),
    (["--skip", "docs"], ["api-port", "health", "scripts"]),
    (["--skip", "api-port"], ["scripts"]),
    (["--tag", "backend", "--skip", "docs"], ["api-port", "health"]),
    (["scripts"], ["scripts"]),
])
def test_selection_runs_exactly_the_chosen_checks(preflight, stack, args,
                                                  expected):
    run = preflight("-f", "json", *args, config=stack)
    assert run.rc == 0, run
    assert ran(run) == expected
    assert run.json["summary"]["pass"] == len(expected)


@pytest.mark.parametrize("args, wording", [
    (["--only", "nope"], "--only: no check has the id 'nope'"),
    (["--skip", "nope"], "--skip: no check has the id 'nope'"),
    (["--tag", "nope"], "--tag: no check has the tag 'nope'"),
    (["--only", "a,,b"], "--only needs ids or tags separated by commas"),
])
def test_selection_of_something_unknown_is_a_usage_error(preflight, stack,
                                                         args, wording):
    run = preflight(*args, config=stack)
    assert run.rc == 2, run
    assert wording in run.err
    assert run.out == ""


def test_skip_says_what_else_it_leaves_out_with_verbose(preflight, stack):
    run = preflight("-v", "--skip", "api-port", config=stack)
    assert "leaves out what needs the skipped checks: health, docs" \
        in run.err


# ---- --list and --explain ----------------------------------------------------

def test_list_shows_needs_tags_and_fix(preflight, stack):
    run = preflight("--list", config=stack)
    assert run.rc == 0, run
    rows = [line.split() for line in run.out.splitlines()]
    assert rows[0] == ["ID", "TYPE", "NEEDS", "TAGS", "FIX"]
    assert rows[3] == ["docs", "http", "health", "backend,docs", "-"]
    assert rows[4] == ["scripts", "permissions", "-", "worker", "chmod"]


def test_list_honours_the_selection(preflight, stack):
    run = preflight("--list", "--tag", "worker", config=stack)
    assert [l.split()[0] for l in run.out.splitlines()[1:]] == ["scripts"]


def test_explain_tells_purpose_place_config_fix_and_example(preflight,
                                                            stack):
    run = preflight("--explain", "health", config=stack)
    assert run.rc == 0, run
    out = run.out
    assert "check 'health' (type http)" in out
    assert "needs:        api-port" in out
    assert "needed by:    docs" in out
    assert '"url": "%s"' % stack["checks"][1]["url"] in out
    assert "fix: none" in out
    assert "example failure:\n  FAIL  health  " in out


def test_explain_names_the_fix_of_a_repairable_check(preflight, stack):
    run = preflight("--explain", "scripts", config=stack)
    assert "fix: chmod: " in run.out
    assert "preflight --fix --dry-run --only scripts" in run.out


def test_explain_masks_secrets(preflight):
    config = {"checks": [
        {"id": "private", "type": "http", "url": "http://127.0.0.1:1/p",
         "headers": {"Authorization": "Bearer s3cr3t-token-value"}},
        {"id": "db", "type": "postgres",
         "dsn": "postgresql://sync:hunter2-pw@127.0.0.1:1/sync"}]}
    for check_id in ("private", "db"):
        run = preflight("--explain", check_id, config=config)
        assert run.rc == 0, run
        assert "s3cr3t-token-value" not in run.out
        assert "hunter2-pw" not in run.out
        assert "***" in run.out


def test_explain_of_an_unknown_id_is_a_usage_error(preflight, stack):
    run = preflight("--explain", "nope", config=stack)
    assert run.rc == 2 and "no check has the id 'nope'" in run.err


# ---- preflight init ------------------------------------------------------------

def incident_backend(workdir):
    """A directory shaped like the incident's backend."""
    (workdir / "requirements.txt").write_text(
        "fastapi\nuvicorn\naiohttp==3.9.1\nhttpx==0.25.2\n")
    script = workdir / "manage_background_sync.sh"
    script.write_text("#!/bin/sh\necho running\n")
    script.chmod(0o644)
    (workdir / "background_sync.log").write_text(
        "ModuleNotFoundError: No module named 'aiohttp'\n")
    (workdir / ".env").write_text(
        "DATABASE_URL=postgresql://sync:pa55word-x@127.0.0.1:1/sync\n")


def test_init_writes_a_config_that_validates_and_runs(preflight, backend):
    work = preflight.workdir
    incident_backend(work)
    env = {"PREFLIGHT_BACKEND_URL": backend().url, "DATABASE_URL": None}
    run = preflight("init", env=env)
    assert run.rc == 0, run
    text = (work / "preflight.json").read_text()
    config = json.loads(text)
    assert schema_errors("config.schema.json", config) == []
    types = {c["type"] for c in config["checks"]}
    assert {"http", "tcp", "permissions", "postgres"} <= types
    assert "pa55word-x" not in text
    assert all(c.get("tags") for c in config["checks"])

    checked = preflight("-f", "json", env=env)
    assert checked.rc == 1, checked  # script not executable, no database
    statuses = {c["id"]: c["status"] for c in checked.json["checks"]}
    assert statuses["health"] == "pass"
    assert statuses["scripts"] == "fail"


def test_init_refuses_to_overwrite_without_force(preflight):
    target = preflight.workdir / "preflight.json"
    target.write_text('{"checks": []}\n')
    run = preflight("init")
    assert run.rc == 2, run
    assert "already exists" in run.err and "--force" in run.err
    assert target.read_text() == '{"checks": []}\n'
    run = preflight("init", "--force")
    assert run.rc == 0, run
    assert target.read_text() != '{"checks": []}\n'


def test_init_writes_elsewhere_with_o(preflight):
    sub = preflight.workdir / "svc"
    sub.mkdir()
    (sub / "run.sh").write_text("#!/bin/sh\n")
    run = preflight("init", "-o", "svc/checks.json")
    assert run.rc == 0, run
    config = json.loads((sub / "checks.json").read_text())
    paths = [p["path"] for c in config["checks"] if c["type"] ==
             "permissions" for p in c["paths"]]
    assert paths == ["run.sh"]


def test_init_adds_running_postgres_containers(preflight, tmp_path):
    engine = EngineList(tmp_path, [
        {"Names": ["/gmail-backup-postgres"], "Image": "postgres:15",
         "State": "running"},
        {"Names": ["/cache"], "Image": "redis:7", "State": "running"}])
    try:
        run = preflight("init", env={"DOCKER_HOST": engine.engine})
    finally:
        engine.stop()
    assert run.rc == 0, run
    config = json.loads((preflight.workdir / "preflight.json").read_text())
    containers = [c for c in config["checks"] if c["type"] == "container"]
    assert containers == [{"id": "gmail-backup-postgres",
                           "type": "container",
                           "description": containers[0]["description"],
                           "name": "gmail-backup-postgres",
                           "tags": ["db"]}]
    assert engine.requests and "/containers/json" in engine.requests[0]


def test_init_without_a_reachable_engine_is_quick(preflight, tmp_path):
    run = preflight("init", env={"DOCKER_HOST":
                                 "unix://%s/none.sock" % tmp_path})
    assert run.rc == 0, run
    assert run.elapsed < 2
    config = json.loads((preflight.workdir / "preflight.json").read_text())
    assert all(c["type"] != "container" for c in config["checks"])


def test_force_without_init_is_a_usage_error(preflight):
    assert preflight("--force").rc == 2


# ---- the live line ----------------------------------------------------------------

def run_on_a_terminal(argv, env=None):
    """Runs argv with stderr on a pseudo-terminal; returns out, err, rc."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL,
                            env=dict(os.environ, TERM="xterm", **(env or {})))
    os.close(slave)
    out = proc.stdout.read()
    proc.wait(timeout=30)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return out.decode(), err.decode(), proc.returncode


@pytest.fixture
def silent_port():
    """Accepts connections and never answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield s.getsockname()[1]
    s.close()


def slow_config(tmp_path, port):
    path = tmp_path / "slow.json"
    path.write_text(json.dumps({"checks": [
        {"id": "slow", "type": "http", "timeout": 1.2,
         "url": "http://127.0.0.1:%d/" % port},
        {"id": "quick", "type": "tcp",
         "targets": ["127.0.0.1:%d" % port]}]}))
    return path


def test_live_line_names_slow_checks_then_disappears(tmp_path, silent_port):
    binary = os.environ["PREFLIGHT_BIN"]
    cfg = slow_config(tmp_path, silent_port)
    out, err, rc = run_on_a_terminal([binary, "-c", str(cfg)])
    assert rc == 1
    # Shown from half a second on; a busy machine may draw it a tick late.
    assert re.search(r"\r\x1b\[Kstill running: slow (0\.[5-9]|1\.\d)s", err)
    assert "quick" not in err
    assert err.endswith("\r\x1b[K")
    assert "\x1b" not in out and "still running" not in out


def test_no_live_line_when_quiet_or_not_a_terminal(preflight, tmp_path,
                                                   silent_port):
    binary = os.environ["PREFLIGHT_BIN"]
    cfg = slow_config(tmp_path, silent_port)
    _, err, _ = run_on_a_terminal([binary, "-q", "-c", str(cfg)])
    assert "still running" not in err
    run = preflight("-c", cfg)
    assert "still running" not in run.err


# ---- completion, man page, make install ---------------------------------------

def complete(words, cword, path_dir):
    script = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _preflight; '
              'printf "%%s\\n" "${COMPREPLY[@]}"'
              % (ROOT / "scripts" / "preflight.bash-completion",
                 " ".join("'%s'" % w for w in words), cword))
    env = dict(os.environ, PATH="%s:%s" % (path_dir, os.environ["PATH"]))
    res = subprocess.run(["bash", "-c", script], capture_output=True,
                         text=True, env=env, timeout=30)
    assert res.returncode == 0, res.stderr
    return sorted(filter(None, res.stdout.splitlines()))


@pytest.fixture
def bin_dir(tmp_path):
    d = tmp_path / "bin"
    d.mkdir()
    (d / "preflight").symlink_to(os.environ["PREFLIGHT_BIN"])
    return d


def test_completion_offers_formats_ids_and_tags(tmp_path, bin_dir, stack):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(stack))
    assert complete(["preflight", "-f", "j"], 2, bin_dir) == \
        ["json", "junit"]
    assert complete(["preflight", "-c", str(cfg), "--explain", "h"], 4,
                    bin_dir) == ["health"]
    assert complete(["preflight", "-c", str(cfg), "--tag", ""], 4,
                    bin_dir) == ["backend", "docs", "worker"]
    assert complete(["preflight", "-c", str(cfg), "--only", "health,d"], 4,
                    bin_dir) == ["health,docs"]
    assert "--explain" in complete(["preflight", "--ex"], 1, bin_dir)
    assert complete(["preflight", "in"], 1, bin_dir) == ["init"]
    assert complete(["preflight", "init", "--f"], 2, bin_dir) == ["--force"]


def test_man_page_renders_without_warnings():
    if not shutil.which("man"):
        pytest.skip("man (Debian's man-db) is needed")
    res = subprocess.run(["man", "--warnings", "-l",
                          str(ROOT / "docs" / "preflight.1")],
                         capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, MANWIDTH="80",
                                  MAN_KEEP_FORMATTING="0"))
    assert res.returncode == 0
    assert res.stderr == ""
    text = re.sub(".\b", "", res.stdout)  # bold and underline overstrikes
    for section in ("SYNOPSIS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT",
                    "FILES", "EXAMPLES"):
        assert section in text


def test_make_install_and_uninstall_under_destdir(tmp_path):
    if not shutil.which("make") or not shutil.which("man"):
        pytest.skip("make and man are needed")
    build = Path(os.environ["PREFLIGHT_BIN"]).parent
    dest = tmp_path / "dest"
    # -o all: install the binary under test, never rebuild it
    args = ["make", "-s", "-C", str(ROOT), "-o", "all", "BUILD=%s" % build,
            "DESTDIR=%s" % dest, "PREFIX=/usr"]
    res = subprocess.run(args + ["install"], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    usr = dest / "usr"
    for rel in ("bin/preflight", "share/man/man1/preflight.1",
                "share/bash-completion/completions/preflight",
                "share/preflight/schema/config.schema.json",
                "share/preflight/schema/report.schema.json"):
        assert (usr / rel).is_file(), rel
    page = subprocess.run(["man", "preflight"], capture_output=True,
                          text=True, timeout=30,
                          env=dict(os.environ, MANPATH=str(usr / "share/man"),
                                   MANWIDTH="80"))
    assert page.returncode == 0 and "preflight" in page.stdout

    res = subprocess.run(args + ["uninstall"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    left = [p for p in usr.rglob("*") if p.is_file()]
    assert left == []
