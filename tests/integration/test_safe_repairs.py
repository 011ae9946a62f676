"""Safe repairs: programs run from argv arrays, never a shell, so
quotes, ';', '$()', backquotes and newlines in config values stay literal;
and every fix is idempotent: a second --fix finds nothing to repair and
changes nothing."""

import json
import os
import stat

import pytest

from fake_engine import FakeContainer, FakeEngine
from pydeps_helpers import build_wheel, installed, make_venv

PYTHON = "/usr/bin/python3"
# Writes its arguments after the first, as JSON, to the file named first.
RECORD_ARGV = ("import json, sys; open(sys.argv[1], 'a').write("
               "json.dumps(sys.argv[2:]) + '\\n')")
HOSTILE = ["it's \"quoted\"", "a; touch pwned1", "$(touch pwned2)",
           "`touch pwned3`", "line1\nline2; touch pwned4", "| touch pwned5",
           "&& touch pwned6", "*", "~", "$HOME", "> pwned7", ""]


def recorded(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_no_shell_ran(*dirs):
    for d in dirs:
        pwned = [p.name for p in d.iterdir() if p.name.startswith("pwned")]
        assert not pwned, "a shell ran: %s in %s" % (pwned, d)


def test_command_check_argv_stays_literal(tmp_path, preflight):
    out = tmp_path / "argv.json"
    r = preflight("-f", "json", config={"checks": [{
        "id": "cmd", "type": "command",
        "argv": [PYTHON, "-c", RECORD_ARGV, str(out)] + HOSTILE}]})
    assert r.check("cmd")["status"] == "pass", r
    assert recorded(out) == [HOSTILE]
    assert_no_shell_ran(tmp_path, preflight.workdir)


def service_config(tmp_path, marker, log):
    return {"checks": [{
        "id": "worker", "type": "service",
        "status": ["test", "-e", str(marker)],
        "start": [PYTHON, "-c", RECORD_ARGV + "; open(%r, 'w')" % str(marker),
                  str(log)] + HOSTILE,
        "stop": ["true", "; touch pwned8", "$(touch pwned9)"],
        "settle": 0}]}


def test_service_fix_argv_stays_literal_and_runs_once(tmp_path, preflight):
    marker, log = tmp_path / "running", tmp_path / "starts.json"
    cfg = service_config(tmp_path, marker, log)

    first = preflight("--fix", "-f", "json", config=cfg)
    second = preflight("--fix", "-f", "json", config=cfg)

    assert first.check("worker")["fix"]["applied"] is True, first
    assert first.check("worker")["fix"]["recheck"] == "pass", first
    assert second.rc == 0 and not second.check("worker").get("fix"), second
    assert recorded(log) == [HOSTILE], "started more than once, or altered"
    assert_no_shell_ran(tmp_path, preflight.workdir)


def snapshot(path):
    st = os.stat(path)
    return stat.S_IMODE(st.st_mode), st.st_ctime_ns, st.st_mtime_ns


def test_chmod_fix_twice_changes_nothing_the_second_time(tmp_path,
                                                          preflight):
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o640)
    cfg = {"checks": [{"id": "scripts", "type": "permissions",
                       "paths": [{"path": str(script),
                                  "mode": "executable"}]}]}

    first = preflight("--fix", "-f", "json", config=cfg)
    after_first = snapshot(script)
    second = preflight("--fix", "-f", "json", config=cfg)

    assert first.check("scripts")["fix"]["applied"] is True, first
    assert after_first[0] & 0o100, oct(after_first[0])
    assert not after_first[0] & 0o022, "the fix widened write access"
    assert second.rc == 0 and not second.check("scripts").get("fix"), second
    assert snapshot(script) == after_first


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheels")
    build_wheel(d, "hardening-demo", "1.0")
    return d


def test_pip_install_fix_twice_installs_once(tmp_path, preflight, wheels):
    venv = make_venv(tmp_path / "venv", pip=True)
    req = tmp_path / "requirements.txt"
    req.write_text("hardening-demo==1.0\n")
    cfg = {"checks": [{"id": "deps", "type": "python-deps",
                       "requirements": str(req), "venv": str(venv),
                       "pip_args": ["--no-index", "--find-links",
                                    str(wheels)]}]}

    first = preflight("--fix", "-f", "json", config=cfg, timeout=120)
    dist = next(p for p in (venv / "lib").glob("*/site-packages/*")
                if p.name.startswith("hardening_demo-1.0"))
    before = dist.stat().st_mtime_ns
    second = preflight("--fix", "-f", "json", config=cfg, timeout=120)

    assert first.check("deps")["fix"]["applied"] is True, first
    assert installed(venv)["hardening-demo"] == "1.0"
    assert second.rc == 0 and not second.check("deps").get("fix"), second
    assert dist.stat().st_mtime_ns == before, "installed again"


def test_container_start_fix_twice_starts_once(tmp_path, preflight):
    engine = FakeEngine(tmp_path, {"db": FakeContainer(status="exited",
                                                       exit_code=0)})
    cfg = {"checks": [{"id": "db", "type": "container", "name": "db",
                       "engine": engine.engine, "fix": {"restart": True}}]}
    try:
        first = preflight("--fix", "-f", "json", config=cfg)
        second = preflight("--fix", "-f", "json", config=cfg)
    finally:
        engine.stop()

    assert first.check("db")["fix"]["recheck"] == "pass", first
    assert second.rc == 0 and not second.check("db").get("fix"), second
    assert engine.posts == [("db", "start")], engine.posts
