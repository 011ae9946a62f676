"""The postgres and container checks against a real PostgreSQL (initdb and
pg_ctl) and a real container engine (podman's Docker Engine API service).
Helpers live in pgstack.py."""

import json
import os
import socket
import subprocess
import time

import pytest

import pgstack

# Under valgrind or a sanitizer wrapper everything is slower.
SLOW = 10 if os.environ.get("PREFLIGHT_WRAPPER") else 1


@pytest.fixture(scope="module")
def cluster():
    bindir = pgstack.pg_bindir()
    if not bindir:
        pytest.fail("PostgreSQL is not installed: scripts/install-deps "
                    "--install test")
    c = pgstack.PgCluster(bindir)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def podman():
    return pgstack.shared_podman()


@pytest.fixture(scope="module")
def containers(podman):
    return pgstack.shared_containers()


def outputs_of(run, tmp_path):
    """Everything a run showed: stdout, stderr and any report files."""
    texts = [run.out, run.err]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*.out")]
    return "\n".join(texts)


def pg_check(dsn, **extra):
    check = {"id": "db", "type": "postgres", "dsn": dsn}
    check.update(extra)
    return {"checks": [check]}


# ---- the postgres check -------------------------------------------------

def test_postgres_passes_with_version_and_connection_time(preflight,
                                                          cluster):
    run = preflight("-f", "json", config=pg_check(
        cluster.dsn(), query="SELECT 1"))
    c = run.check("db")
    assert run.rc == 0, run
    assert c["status"] == "pass"
    assert c["details"]["server_version"].startswith("15") or \
        c["details"]["server_version"][0].isdigit()
    assert c["details"]["connect_ms"] >= 0
    assert c["details"]["rows"] == 1
    assert "127.0.0.1:%d" % cluster.port in c["message"]


def test_query_returning_no_rows_fails(preflight, cluster):
    run = preflight("-f", "json", config=pg_check(
        cluster.dsn(), query="SELECT 1 WHERE false"))
    assert run.rc == 1
    assert "returned no rows" in run.check("db")["message"]


def test_wrong_port_names_host_and_port(preflight, cluster, refused_port):
    run = preflight("-f", "json", config=pg_check(
        cluster.dsn(port=refused_port)))
    msg = run.check("db")["message"]
    assert run.rc == 1
    assert msg == "nothing listens on 127.0.0.1:%d (connection refused)" \
        % refused_port


def test_wrong_database_is_named(preflight, cluster):
    run = preflight("-f", "json", config=pg_check(cluster.dsn(db="nosuchdb")))
    msg = run.check("db")["message"]
    assert run.rc == 1
    assert msg.startswith('database "nosuchdb" does not exist')


def test_unknown_role_is_named(preflight, cluster):
    run = preflight("-f", "json", config=pg_check(
        cluster.dsn(user="ghost", password=None)))
    assert run.rc == 1
    assert run.check("db")["message"].startswith(
        'role "ghost" does not exist')


def test_tls_required_by_client_but_refused_by_server(preflight, cluster):
    run = preflight("-f", "json", config=pg_check(
        cluster.dsn(extra="?sslmode=require")))
    assert run.rc == 1
    assert "refuses TLS" in run.check("db")["message"]


def test_wrong_password_names_user_and_password_appears_nowhere(
        preflight, cluster, tmp_path):
    planted = "Wr0ng-planted-pass"
    config = pg_check(cluster.dsn(password=planted), query="SELECT 1")
    runs = [preflight("-f", "json", config=config),
            preflight("-v", "--no-color", config=config),
            preflight("--list", config=config),
            preflight("--explain", "db", config=config),
            preflight("-f", "tap", "-f", "prometheus", config=config),
            preflight("-f", "json", "-o", str(tmp_path / "report.out"),
                      config=config),
            preflight("-f", "text", "-f",
                      "junit:%s" % (tmp_path / "junit.out"), config=config)]
    c = runs[0].check("db")
    assert runs[0].rc == 1
    assert c["message"] == ('authentication failed for user "postgres": '
                            'wrong password')
    for run in runs:
        assert planted not in outputs_of(run, tmp_path), run
        assert planted not in run.out + run.err
    assert (tmp_path / "report.out").exists()
    assert (tmp_path / "junit.out").exists()


def test_too_many_clients_is_its_own_sentence(preflight):
    small = pgstack.PgCluster(pgstack.pg_bindir(), server_options=(
        "-c max_connections=1 -c superuser_reserved_connections=0"))
    holder = None
    try:
        # A psql session holds the one slot; it may lose the race for it
        # to one of our probes, so it is started again until it holds.
        for _ in range(50):
            if holder is None or holder.poll() is not None:
                holder = subprocess.Popen(
                    [small.bindir + "/psql", small.dsn(), "-c",
                     "SELECT pg_sleep(20)"], stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.3)
            run = preflight("-f", "json", config=pg_check(small.dsn()))
            if "too many clients" in run.check("db")["message"]:
                break
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        small.stop()
    assert run.rc == 1
    assert run.check("db")["message"] == (
        "the server at 127.0.0.1:%d refused the connection: too many "
        "clients" % small.port)


def test_deadline_holds_below_one_second_against_a_silent_server(preflight):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        run = preflight("-f", "json", config=pg_check(
            "host=127.0.0.1 port=%d user=u dbname=d" % port, timeout=0.4))
    finally:
        silent.close()
    assert run.rc == 1
    assert run.check("db")["message"] == \
        "no answer from 127.0.0.1:%d before the deadline" % port
    assert run.elapsed < 1.0 * SLOW


def test_default_profile_finds_dsn_in_dot_env(preflight, cluster, tmp_path):
    work = tmp_path / "proj"
    work.mkdir()
    (work / ".env").write_text(
        'PORT=1\nexport DATABASE_URL="%s"\n'
        % cluster.dsn(password="dotenv-planted-pw"))
    env = {"DATABASE_URL": None, "PGHOST": None, "PGDATABASE": None,
           "PGSERVICE": None}
    listed = preflight("--list", cwd=work, env=env)
    run = preflight("-f", "json", "database", cwd=work, env=env)
    assert "database" in listed.out and "postgres" in listed.out
    assert run.check("database")["message"].startswith(
        "authentication failed")
    for r in (listed, run):
        assert "dotenv-planted-pw" not in r.out + r.err


def test_default_profile_uses_database_url(preflight, cluster, tmp_path):
    run = preflight("-f", "json", "database",
                    env={"DATABASE_URL": cluster.dsn()})
    assert run.check("database")["status"] == "pass"
    assert pgstack.PASSWORD not in run.out + run.err


# ---- the container check ------------------------------------------------

def ct_check(podman, name, **extra):
    check = {"id": "pg", "type": "container", "name": name,
             "engine": podman.engine}
    check.update(extra)
    return {"checks": [check]}


def test_healthy_container_passes_despite_wrong_role_probes(
        preflight, podman, containers):
    name, port = containers.start()
    probes = {"checks": [
        {"id": "p%d" % i, "type": "postgres",
         "dsn": pgstack.dsn_for(port, user="root", password="x%d-pw" % i)}
        for i in range(3)]}
    assert preflight(config=probes).rc == 1
    run = preflight("-f", "json", config=ct_check(podman, name))
    c = run.check("pg")
    assert run.rc == 0, run
    assert c["status"] == "pass"
    assert c["details"]["state"] == "running"
    assert 'role "root"' in c["message"]
    client = [f for f in c["details"]["findings"] if f["level"] == "client"]
    assert client and client[0]["count"] == 3


def test_exited_container_shows_exit_code_and_explaining_line(
        preflight, podman, containers):
    name, _ = containers.start(broken_version="9.6")
    containers.wait_exited(name)
    run = preflight("-f", "json", config=ct_check(podman, name))
    c = run.check("pg")
    assert run.rc == 1
    assert c["message"].startswith("container %s exited with code 1" % name)
    assert "PostgreSQL 9.6" in c["message"]
    assert c["details"]["exit_code"] == 1
    assert any("initialized by PostgreSQL version 9.6" in line
               for line in c["details"]["evidence"])
    assert "pg_upgrade" in c["hint"]


def test_unknown_container_is_its_own_failure(preflight, podman):
    run = preflight("-f", "json", config=ct_check(podman, "no-such-box"))
    assert run.rc == 1
    assert run.check("pg")["message"] == \
        'no container named "no-such-box" on %s' % podman.engine


def test_missing_engine_socket_is_reported_at_once(preflight, tmp_path):
    sock = tmp_path / "gone.sock"
    run = preflight("-f", "json", config={"checks": [
        {"id": "pg", "type": "container", "name": "db",
         "engine": "unix://%s" % sock}]})
    assert run.rc == 1
    assert run.check("pg")["message"] == \
        "the container engine socket %s does not exist" % sock
    assert run.elapsed < 0.5 * SLOW


def test_stale_engine_socket_is_unreachable(preflight, tmp_path):
    path = str(tmp_path / "stale.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    run = preflight("-f", "json", config={"checks": [
        {"id": "pg", "type": "container", "name": "db",
         "engine": "unix://" + path}]})
    assert run.rc == 1
    assert run.check("pg")["message"].startswith(
        "cannot reach the container engine at unix://" + path)


def test_only_log_lines_since_the_last_start_count(preflight, podman,
                                                   containers):
    name, port = containers.start()
    probe = {"checks": [{"id": "p", "type": "postgres",
                         "dsn": pgstack.dsn_for(port, db="missingdb")}]}
    assert preflight(config=probe).rc == 1
    before = preflight("-f", "json", config=ct_check(podman, name))
    assert 'database "missingdb"' in before.check("pg")["message"]
    time.sleep(1.1)  # log timestamps have whole seconds
    podman.run("restart", "-t", "5", name)
    containers.wait_ready(name, since=1)
    after = preflight("-f", "json", config=ct_check(podman, name))
    c = after.check("pg")
    assert c["status"] == "pass"
    assert "missingdb" not in json.dumps(c)


def test_fix_starts_a_stopped_container_and_proves_it(preflight, podman,
                                                      containers):
    name, port = containers.start()
    podman.run("stop", "-t", "5", name)
    config = ct_check(podman, name, fix={"restart": True}, timeout=20)

    dry = preflight("-f", "json", "--fix", "--dry-run", config=config)
    assert dry.rc == 1
    state = podman.run("inspect", "-f", "{{.State.Status}}", name)
    assert state.stdout.strip() == "exited"
    assert "POST /containers/%s/start" % name in \
        json.dumps(dry.check("pg")["fix"]["actions"])

    run = preflight("-f", "json", "--fix", config=config)
    c = run.check("pg")
    assert run.rc == 0, run
    assert c["fix"]["applied"] is True
    assert c["fix"]["recheck"] == "pass"
    assert pgstack._wait_port(port, 10)
    again = preflight("-f", "json", "--fix", config=config)
    assert again.rc == 0 and again.check("pg").get("fix") is None


def test_fix_does_nothing_unless_the_config_allows_it(preflight, podman,
                                                      containers):
    name, _ = containers.start()
    podman.run("stop", "-t", "5", name)
    run = preflight("-f", "json", "--fix", config=ct_check(podman, name))
    assert run.rc == 1
    state = podman.run("inspect", "-f", "{{.State.Status}}", name)
    assert state.stdout.strip() == "exited"


# ---- a plain log file ---------------------------------------------------

def test_log_file_counts_only_lines_after_the_last_start(preflight,
                                                         tmp_path):
    log = tmp_path / "postgresql.log"
    log.write_text(
        "2026-12-03 10:00:00.000 UTC [1] PANIC:  could not write to file "
        "\"pg_wal/xlogtemp.1\": No space left on device\n"
        "2026-12-03 10:05:00.000 UTC [1] LOG:  starting PostgreSQL 15.18\n"
        "2026-12-03 10:05:00.100 UTC [1] LOG:  database system is ready "
        "to accept connections\n"
        "2026-12-03 10:06:00.000 UTC [9] FATAL:  role \"root\" does not "
        "exist\n")
    config = {"checks": [{"id": "log", "type": "container",
                          "log_file": str(log)}]}
    ok = preflight("-f", "json", config=config)
    assert ok.rc == 0, ok
    assert 'role "root"' in ok.check("log")["message"]

    with open(log, "a") as f:
        f.write("2026-12-03 10:07:00.000 UTC [1] LOG:  server process "
                "(PID 77) was terminated by signal 9: Killed\n")
    bad = preflight("-f", "json", config=config)
    assert bad.rc == 1
    assert "killed by signal 9" in bad.check("log")["message"]


def test_fix_reports_a_container_that_stops_again(preflight, podman,
                                                   containers):
    name, _ = containers.start(broken_version="9.6")
    containers.wait_exited(name)
    run = preflight("-f", "json", "--fix", config=ct_check(
        podman, name, fix={"restart": True}))
    fix = run.check("pg")["fix"]
    assert run.rc == 1
    assert fix["applied"] is False
    assert "stopped again with code 1" in json.dumps(fix)
    assert run.elapsed < 10 * SLOW
