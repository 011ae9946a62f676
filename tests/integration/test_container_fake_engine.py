"""The container check against a fake Engine API (fake_engine.py) for the
states and streams a real engine cannot be made to show on demand."""

import os

import pytest

from fake_engine import FakeContainer, FakeEngine, frame

SLOW = 10 if os.environ.get("PREFLIGHT_WRAPPER") else 1

BEFORE = "2026-12-03T11:59:59Z "     # before the last start
AFTER = "2026-12-03T12:00:02.25Z "    # after it


@pytest.fixture
def engine(tmp_path):
    made = []

    def start(tcp=False, **containers):
        e = FakeEngine(tmp_path, containers, tcp=tcp)
        made.append(e)
        return e

    yield start
    for e in made:
        e.stop()


def run_check(preflight, eng, name, *args, **extra):
    check = {"id": "c", "type": "container", "name": name,
             "engine": eng.engine}
    check.update(extra)
    run = preflight("-f", "json", *args, config={"checks": [check]})
    return run, run.check("c")


def test_restart_loop_fails_with_count_and_exit_code(preflight, engine):
    logs = frame(2, AFTER + "LOG:  could not bind IPv4 address "
                 "\"0.0.0.0\": Address already in use\n")
    eng = engine(db=FakeContainer(status="restarting", exit_code=1,
                                  restarts=7, logs=logs))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert c["message"].startswith("container db is restarting in a loop "
                                   "(7 restarts, last exit code 1)")
    assert "already in use" in c["message"]


def test_oom_kill_is_named(preflight, engine):
    eng = engine(db=FakeContainer(status="exited", exit_code=137, oom=True))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert "exited with code 137, killed for lack of memory (OOM)" in \
        c["message"]
    assert c["details"]["oom_killed"] == 1


def test_unhealthy_health_check_fails_a_running_container(preflight, engine):
    eng = engine(db=FakeContainer(health="unhealthy"))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert "health check says unhealthy" in c["message"]
    assert c["details"]["health"] == "unhealthy"


def test_lines_before_the_last_start_do_not_count(preflight, engine):
    logs = (frame(2, BEFORE + "PANIC:  could not write to file: No space "
                  "left on device\n") +
            frame(2, AFTER + "LOG:  database system is ready to accept "
                  "connections\n"))
    eng = engine(db=FakeContainer(logs=logs))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 0, run
    assert c["details"]["log_lines"] == 1
    assert "PANIC" not in " ".join(c["details"]["evidence"])


def test_crash_since_the_start_fails_a_running_container(preflight, engine):
    logs = frame(2, AFTER + "LOG:  server process (PID 88) was terminated "
                 "by signal 9: Killed\n")
    eng = engine(db=FakeContainer(logs=logs))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert "killed by signal 9" in c["message"]
    assert "out-of-memory killer" in c["hint"]


def test_tty_container_raw_log_is_read(preflight, engine):
    logs = (AFTER + "FATAL:  database files are incompatible with server\r\n"
            + AFTER + "DETAIL:  The data directory was initialized by "
            "PostgreSQL version 13, which is not compatible\r\n").encode()
    eng = engine(db=FakeContainer(status="exited", exit_code=1, tty=True,
                                  logs=logs))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert "PostgreSQL 13" in c["message"]
    assert len(c["details"]["evidence"]) == 2


def test_signatures_none_checks_state_only(preflight, engine):
    logs = frame(2, AFTER + "PANIC:  boom\n")
    eng = engine(db=FakeContainer(logs=logs))
    run, c = run_check(preflight, eng, "db", signatures="none")
    assert run.rc == 0
    assert "findings" not in c["details"]
    assert "server problem" not in c["message"]


def test_never_started_container_is_named_so(preflight, engine):
    eng = engine(db=FakeContainer(status="created",
                                  started="0001-01-01T00:00:00Z"))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert c["message"] == "container db was created but never started"


def test_huge_frame_header_is_survived(preflight, engine):
    logs = (frame(2, AFTER + "LOG:  ok\n") +
            b"\x02\x00\x00\x00\xff\xff\xff\xff" + b"x" * 5000 + b"\n" +
            AFTER.encode() + b"PANIC:  inside the huge frame\n")
    eng = engine(db=FakeContainer(logs=logs))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert c["details"]["state"] == "running"
    assert all(len(line) <= 400 for line in c["details"]["evidence"])


def test_hostile_log_bytes_are_sanitised(preflight, engine):
    logs = frame(1, AFTER.encode() + b"LOG:  \x1b[31mred\x07 \xff\xfe "
                 b"bytes\n")
    eng = engine(db=FakeContainer(logs=logs))
    run, c = run_check(preflight, eng, "db")
    line = c["details"]["evidence"][0]
    assert "\x1b" not in line and "\x07" not in line
    assert "\x1b" not in run.out


def test_engine_error_answer_is_a_bad_answer(preflight, engine):
    eng = engine(db=FakeContainer(inspect_status=500))
    run, c = run_check(preflight, eng, "db")
    assert run.rc == 1
    assert "gave a bad answer (HTTP 500" in c["message"]


def test_silent_engine_is_cut_at_the_deadline(preflight, engine):
    eng = engine(db=FakeContainer(hang=True))
    run, c = run_check(preflight, eng, "db", timeout=0.5)
    assert run.rc == 1
    assert "cannot reach the container engine" in c["message"]
    assert run.elapsed < 1.5 * SLOW


def test_fix_restarts_a_restarting_container(preflight, engine):
    eng = engine(db=FakeContainer(status="restarting", exit_code=1))
    run, c = run_check(preflight, eng, "db", "--fix",
                       fix={"restart": True})
    assert ("db", "restart") in eng.posts
    assert c["fix"]["recheck"] == "pass"
    assert run.rc == 0, run


def test_fix_config_is_validated(preflight, engine):
    eng = engine()
    run = preflight("-f", "json", config={"checks": [
        {"id": "c", "type": "container", "name": "db",
         "engine": eng.engine, "fix": {"restart": "yes"}}]})
    assert run.rc == 2
    assert "restart" in run.err


@pytest.mark.parametrize("check,words", [
    ({"name": "db; rm -rf /"}, "container name"),
    ({"name": "db", "engine": "ftp://x"}, "unix:///path"),
    ({"name": "db", "tail": 0}, "'tail'"),
    ({"name": "db", "signatures": "mysql"}, "'signatures'"),
    ({}, "'name'"),
])
def test_bad_config_is_refused_before_running(preflight, check, words):
    check.update(id="c", type="container")
    run = preflight(config={"checks": [check]})
    assert run.rc == 2
    assert words in run.err


def test_tcp_engine_is_reached(preflight, engine):
    eng = engine(tcp=True, db=FakeContainer())
    run, c = run_check(preflight, eng, "db")
    assert eng.engine.startswith("tcp://127.0.0.1:")
    assert run.rc == 0, run
    assert c["details"]["state"] == "running"


def test_docker_host_is_the_default_engine(preflight, engine):
    eng = engine(db=FakeContainer(status="exited", exit_code=3))
    run = preflight("-f", "json", env={"DOCKER_HOST": eng.engine},
                    config={"checks": [{"id": "c", "type": "container",
                                        "name": "db"}]})
    assert run.rc == 1
    assert "exited with code 3" in run.check("c")["message"]


@pytest.mark.parametrize("image,args,classified", [
    ("timescale/timescaledb:latest-pg15", ["postgres"], True),
    ("bitnami/postgresql:15", ["/opt/run.sh"], True),
    ("redis:7", ["redis-server"], False),
])
def test_postgres_signatures_follow_image_or_command(preflight, engine,
                                                     image, args,
                                                     classified):
    logs = frame(2, AFTER + "PANIC:  boom\n")
    eng = engine(cache=FakeContainer(image=image, args=args, path="/bin/x",
                                     logs=logs))
    run, c = run_check(preflight, eng, "cache")
    assert ("findings" in c["details"]) == classified
    assert run.rc == (1 if classified else 0)
