"""The log-scan check on real files: bounded cost on a 1 GiB log, the
window (since, start marker, tail), hostile bytes, and its config."""

import os
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

TRACEBACK = ("Traceback (most recent call last):\n"
             "  File \"/srv/sync/background_sync.py\", line 15, in <module>\n"
             "    import aiohttp\n"
             "ModuleNotFoundError: No module named 'aiohttp'\n")


def scan(preflight, path, *args, **keys):
    check = {"id": "log", "type": "log-scan", "path": str(path)}
    check.update(keys)
    run = preflight("-f", "json", *args, config={"checks": [check]})
    return run, run.check("log")


def write_busy_log(path, megabytes=2):
    """Lines like a worker's, ending with the incident's traceback."""
    line = "2026-12-03 10:00:00,000 INFO background_sync: sync cycle done: " \
           "0 new emails\n"
    with open(path, "a") as f:
        f.write(line * (megabytes * 1024 * 1024 // len(line)))
        f.write(TRACEBACK)


def run_measured(argv):
    """Runs argv; returns (exit status, seconds, max RSS in KiB)."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - start, usage.ru_maxrss


def test_a_1gib_log_costs_what_a_2mib_log_costs(tmp_path):
    small, huge = tmp_path / "small.log", tmp_path / "huge.log"
    write_busy_log(small)
    with open(huge, "wb") as f:
        f.truncate(1 << 30)
    write_busy_log(huge)
    assert huge.stat().st_size > (1 << 30)
    binary = os.environ["PREFLIGHT_BIN"]
    runs = {}
    for name in ("small", "huge"):
        config = tmp_path / (name + ".json")
        config.write_text('{"checks": [{"id": "log", "type": "log-scan", '
                          '"path": "%s.log"}]}' % name)
        best = min(run_measured([binary, "-q", "-c", str(config)])
                   for _ in range(3))
        runs[name] = best

    assert runs["small"][0] == runs["huge"][0] == 1
    assert runs["huge"][1] < runs["small"][1] * 3 + 0.2, runs
    assert runs["huge"][2] < 64 * 1024, runs


def test_only_the_tail_is_read(tmp_path, preflight):
    log = tmp_path / "huge.log"
    with open(log, "wb") as f:
        f.truncate(1 << 30)
    write_busy_log(log)

    run, c = scan(preflight, log, tail=500)

    window = c["details"]["window"]
    assert window["file_bytes"] > 1 << 30
    assert window["read_bytes"] < 100 * 1024
    assert window["lines"] == 500
    assert window["from"] == "tail"
    assert "aiohttp" in c["message"]


def test_an_error_older_than_the_tail_is_not_reported(tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text(TRACEBACK + "INFO fine\n" * 3000)

    _, short = scan(preflight, log, tail=100)
    _, long = scan(preflight, log, tail=5000)

    assert short["status"] == "pass"
    assert short["message"] == ("no known problem in 100 lines of '%s' "
                                "(the end of the log)" % log)
    assert long["status"] == "fail"


def stamp(delta):
    t = datetime.now(timezone.utc) - delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_since_keeps_only_recent_lines(tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text("%s ERROR sync failed\n%s%s INFO sync cycle done\n"
                   % (stamp(timedelta(hours=2)), TRACEBACK,
                      stamp(timedelta(minutes=1))))

    _, recent = scan(preflight, log, since="30m")
    _, wider = scan(preflight, log, since="3h")

    assert recent["status"] == "pass"
    assert recent["details"]["window"]["from"] == "since"
    assert recent["details"]["window"]["lines"] == 1
    assert wider["status"] == "fail"
    assert "aiohttp" in wider["message"]


def test_since_without_timestamps_falls_back_to_the_start_marker(
        tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text(TRACEBACK + "Starting background sync service\n"
                   "sync worker ready\n")

    _, c = scan(preflight, log, since="5m")

    assert c["status"] == "pass"
    assert c["details"]["window"]["from"] == "start marker"
    assert "since the last start" in c["message"]


def test_hostile_bytes_are_survived_and_sanitised(tmp_path, preflight):
    log = tmp_path / "w.log"
    junk = (b"\x00\xff\xfe binary \x1b[2J\x1b]0;owned\x07\n" +
            b"A" * (3 * 1024 * 1024) + b"\n" +
            b"PermissionError: [Errno 13] Permission denied: "
            b"'/var/log/\x1b[31mred\xff.log'\n")
    log.write_bytes(junk)

    run, c = scan(preflight, log)

    assert c["status"] == "fail"
    evidence = c["details"]["findings"][0]["evidence"]
    assert "\x1b" not in evidence and "\x00" not in evidence
    assert "Permission denied" in evidence
    assert c["details"]["see"][0]["type"] == "permissions"
    text = preflight("--no-color", config=run.config_path.read_text())
    assert b"\x1b" not in text.out_bytes
    assert "denied access" in text.out


def test_own_patterns_can_warn(tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text("WARN mailbox quota of sync@example.com exceeded\n")

    run, c = scan(preflight, log, signatures=[], patterns=[{
        "regex": "quota of ([^ ]+) exceeded", "severity": "warn",
        "diagnosis": "the mailbox $1 is full", "hint": "archive mail"}])

    assert run.rc == 0
    assert c["status"] == "warn"
    assert c["message"] == "'%s': the mailbox sync@example.com is full" % log
    assert c["hint"] == "archive mail"


def test_own_start_marker_bounds_the_window(tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text(TRACEBACK + "=== deploy 42 ===\nok\n")

    _, c = scan(preflight, log, start_marker="^=== deploy")

    assert c["status"] == "pass"
    assert c["details"]["window"]["lines"] == 2


def test_several_findings_are_all_in_the_details(tmp_path, preflight):
    log = tmp_path / "w.log"
    log.write_text(
        "httpx.HTTPStatusError: Client error '404 Not Found' for url "
        "'http://localhost:8000/api/v1/test/sync/start?max_emails=1000'\n"
        + TRACEBACK)

    _, c = scan(preflight, log)

    assert c["message"].endswith("(and 1 more finding)")
    kinds = [f["signature"] for f in c["details"]["findings"]]
    assert kinds == ["module-not-found", "api-route"]
    assert [s["type"] for s in c["details"]["see"]] == \
        ["python-deps", "openapi"]


def test_missing_log_is_a_failure_naming_it(tmp_path, preflight):
    run, c = scan(preflight, tmp_path / "never.log")

    assert c["status"] == "fail"
    assert c["message"] == ("cannot read '%s': No such file or directory"
                            % (tmp_path / "never.log"))


@pytest.mark.parametrize("keys, words", [
    ({"patterns": [{"regex": "broken ("}]}, "key 'patterns[].regex': bad "
     "regex 'broken ('"),
    ({"signatures": ["cobol"]}, "unknown signature catalogue 'cobol'"),
    ({"since": "soon"}, "key 'since' must be a duration"),
    ({"tail": 0}, "key 'tail' must be a number of lines"),
    ({"patterns": [{"regex": "x", "colour": "red"}]},
     "unknown key 'patterns[].colour'"),
])
def test_bad_config_is_refused_before_anything_runs(preflight, keys, words):
    check = {"id": "log", "type": "log-scan", "path": "x.log"}
    check.update(keys)

    run = preflight(config={"checks": [check]})

    assert run.rc == 2, run
    assert words in run.err
