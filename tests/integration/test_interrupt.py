"""Interruption and concurrency: SIGTERM and SIGINT stop a run
with the report still written and children killed; two --fix runs on one
project take turns; a report file is never left half-written."""

import json
import os
import random
import signal
import subprocess
import time

import pytest

BIN = os.environ.get("PREFLIGHT_BIN", "")


def write_config(path, *checks):
    path.write_text(json.dumps({"checks": list(checks)}))
    return path


def service(check_id, *argv, timeout=30):
    return {"id": check_id, "type": "service", "status": list(argv),
            "timeout": timeout}


def children(pid, name="sleep"):
    """Live pids whose parent is pid and whose command is name."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z" and comm == name:
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_for(pred, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    return pred()


def start(args, cwd, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.Popen([BIN] + [str(a) for a in args], cwd=str(cwd),
                            env=full_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143),
                                         (signal.SIGINT, 130)])
def test_signal_stops_the_run_and_still_writes_the_report(tmp_path, sig,
                                                           status):
    cfg = write_config(tmp_path / "preflight.json",
                       service("quick", "true"),
                       service("hung", "sleep", "60"))
    report = tmp_path / "report.json"
    proc = start(["-c", cfg, "-f", "json", "-o", report], tmp_path)
    sleeper = wait_for(lambda: children(proc.pid))
    assert sleeper, "the hung check's child never started"

    os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=5)

    assert proc.returncode == status, err
    checks = {c["id"]: c for c in json.loads(report.read_text())["checks"]}
    assert checks["quick"]["status"] == "pass", checks
    assert checks["hung"]["status"] == "skip", checks
    assert "interrupted" in checks["hung"]["message"], checks
    assert wait_for(lambda: not any(alive(p) for p in sleeper), 2), \
        "the check's child outlived the run"


def test_a_killed_run_leaves_the_old_report_or_a_whole_one(tmp_path):
    cfg = write_config(tmp_path / "preflight.json",
                       *[service("c%d" % i, "true") for i in range(8)])
    report = tmp_path / "report.json"
    rnd = random.Random(8)
    began = time.monotonic()
    start(["-c", cfg, "-f", "json", "-o", report], tmp_path).communicate()
    whole_run = time.monotonic() - began
    whole = 0
    for attempt in range(25):
        report.write_text("old")
        proc = start(["-c", cfg, "-f", "json", "-o", report], tmp_path)
        time.sleep(rnd.uniform(0, whole_run * 1.5))
        proc.kill()
        proc.communicate()
        text = report.read_text()
        if text != "old":
            assert len(json.loads(text)["checks"]) == 8, text
            whole += 1
        # SIGKILL mid-write can leave the temporary file (KNOWN_ISSUES).
        for p in tmp_path.iterdir():
            if p.name.startswith("report.json") and p.name != "report.json":
                assert p.name == "report.json.tmp.%d" % proc.pid, p.name
                p.unlink()
    assert whole > 0, "no run got as far as writing its report"


def fix_project(tmp_path, sleep_s):
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    return write_config(tmp_path / "preflight.json",
                        service("slow", "sleep", str(sleep_s)),
                        {"id": "scripts", "type": "permissions",
                         "paths": [{"path": "run.sh",
                                    "mode": "executable"}]})


def test_a_second_fix_run_gives_up_naming_the_holder(tmp_path):
    cfg = fix_project(tmp_path, 3)
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "PREFLIGHT_LOCK_WAIT": "1"}
    first = start(["-c", cfg, "--fix", "-q"], tmp_path, env)
    assert wait_for(lambda: children(first.pid))

    began = time.monotonic()
    second = start(["-c", cfg, "--fix", "-f", "json"], tmp_path, env)
    out, err = second.communicate(timeout=10)
    waited = time.monotonic() - began
    first.communicate(timeout=10)

    assert second.returncode == 3, err
    assert "pid %d" % first.pid in err.decode(), err
    assert str(tmp_path) in err.decode(), err
    assert 0.9 <= waited < 2.5, waited
    assert not out, "a run that did not get the lock reported checks"


def test_a_second_fix_run_waits_then_finds_nothing_to_repair(tmp_path):
    cfg = fix_project(tmp_path, 2)
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "PREFLIGHT_LOCK_WAIT": "20"}
    first = start(["-c", cfg, "--fix", "-f", "json"], tmp_path, env)
    assert wait_for(lambda: children(first.pid))

    second = start(["-c", cfg, "--fix", "-f", "json"], tmp_path, env)
    out2, err2 = second.communicate(timeout=20)
    out1, _ = first.communicate(timeout=20)

    one = {c["id"]: c for c in json.loads(out1)["checks"]}
    two = {c["id"]: c for c in json.loads(out2)["checks"]}
    assert second.returncode == 0, err2
    assert one["scripts"]["fix"]["applied"], one
    assert two["scripts"]["status"] == "pass", two
    assert not two["scripts"].get("fix"), "the second run repaired again"


def test_dry_run_takes_no_lock(tmp_path):
    cfg = fix_project(tmp_path, 3)
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "PREFLIGHT_LOCK_WAIT": "0"}
    first = start(["-c", cfg, "--fix", "-q"], tmp_path, env)
    assert wait_for(lambda: children(first.pid))
    dry = start(["-c", cfg, "--fix", "--dry-run", "-q", "scripts"],
                tmp_path, env)
    _, err = dry.communicate(timeout=10)
    first.communicate(timeout=10)
    assert dry.returncode in (0, 1), err
    assert b"another preflight" not in err
