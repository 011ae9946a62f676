"""The sync service, its log and its restart, against a real
manage_background_sync.sh that starts a real Python worker in a venv
without the worker's dependencies, as in the incident."""

import json
import os
import subprocess
import time

import pytest

from pydeps_helpers import build_wheel
from service_helpers import SyncService, light_venv

INCIDENT = "aiohttp==3.9.1\nhttpx==0.25.2\n"


@pytest.fixture
def service(tmp_path):
    venv = light_venv(tmp_path / "venv")
    svc = SyncService(tmp_path / "sync", python=venv / "bin" / "python")
    svc.venv = venv
    (svc.dir / "requirements.txt").write_text(INCIDENT)
    yield svc
    svc.kill()


@pytest.fixture
def crashed(service):
    """The incident: started, the worker died on its first import."""
    assert service.manage("start").returncode == 0
    service.wait_log("No module named 'aiohttp'")
    return service


def incident_config(svc, **deps):
    check = {"id": "deps", "type": "python-deps",
             "requirements": str(svc.dir / "requirements.txt"),
             "venv": str(svc.venv)}
    check.update(deps)
    return {"checks": [
        check,
        {"id": "sync", "type": "service", "status": svc.argv("status"),
         "start": svc.argv("start"), "stop": svc.argv("stop"),
         "settle": 1},
        {"id": "sync-log", "type": "log-scan", "path": str(svc.log)},
    ]}


def test_log_names_the_missing_module_and_links_the_dependency_check(
        preflight, crashed):
    run = preflight("-f", "json", config=incident_config(crashed))

    assert run.rc == 1, run
    log = run.check("sync-log")
    assert log["status"] == "fail"
    assert "aiohttp" in log["message"]
    assert "Python package aiohttp is not installed" in log["message"]
    finding = log["details"]["findings"][0]
    assert finding["signature"] == "module-not-found"
    assert finding["evidence"] == \
        "ModuleNotFoundError: No module named 'aiohttp'"
    assert {"type": "python-deps", "id": "deps",
            "why": "the log says module 'aiohttp' is missing"} \
        in log["details"]["see"]
    assert log["details"]["window"]["from"] == "start marker"


def test_dead_worker_fails_the_service_check_with_the_scripts_words(
        preflight, crashed):
    run = preflight("-f", "json", config=incident_config(crashed))

    c = run.check("sync")
    assert c["status"] == "fail"
    assert c["message"].endswith("status exited with status 3: "
                                 "background sync is not running")
    assert "run preflight --fix to restart it" in c["hint"]
    assert c["details"]["status_exit"] == 3


def test_fix_installs_restarts_and_the_next_run_passes(
        tmp_path, preflight, crashed):
    wheels = tmp_path / "wheels"
    build_wheel(wheels, "aiohttp", "3.9.1")
    build_wheel(wheels, "httpx", "0.25.2")
    config = incident_config(
        crashed, pip_args=["--no-index", "--find-links", str(wheels)])

    fixed = preflight("-f", "json", "--fix", config=config, timeout=60)

    deps, sync = fixed.check("deps"), fixed.check("sync")
    assert deps["fix"]["applied"] and deps["fix"]["recheck"] == "pass", fixed
    assert sync["fix"]["applied"] and sync["fix"]["recheck"] == "pass", fixed
    assert sync["status"] == "pass"
    assert "background sync started (pid" in sync["fix"]["output"]
    assert "[exited with status 0]" in sync["fix"]["output"]
    # The log scan pointed at the repaired check, so it ran again too and
    # read only what the restarted worker wrote.
    assert fixed.check("sync-log")["status"] == "pass", fixed
    assert fixed.rc == 0, fixed
    crashed.wait_log("sync worker ready")

    again = preflight("-f", "json", config=config)

    assert again.rc == 0, again
    log = again.check("sync-log")
    assert log["status"] == "pass"
    assert "since the last start" in log["message"]
    assert log["details"]["window"]["from"] == "start marker"
    assert "No module named" in crashed.log_text()


def test_restart_that_dies_again_is_caught_by_the_recheck(preflight,
                                                        crashed):
    config = incident_config(crashed)
    config["checks"] = config["checks"][1:2]
    config["checks"][0]["settle"] = 2  # time for the worker to die

    run = preflight("-f", "json", "--fix", config=config)

    sync = run.check("sync")
    assert run.rc == 1, run
    assert sync["fix"]["applied"] is True
    assert sync["fix"]["recheck"] == "fail"
    assert sync["status"] == "fail"
    crashed.wait_log("No module named 'aiohttp'", count=2)


def test_dry_run_shows_the_restart_and_changes_nothing(preflight, crashed):
    pid = crashed.pid()
    log = crashed.log_text()

    run = preflight("-f", "json", "--fix", "--dry-run", "sync",
                    config=incident_config(crashed))

    fix = run.check("sync")["fix"]
    assert fix["actions"] == [
        "run %s stop (in %s)" % (crashed.script, run.config_path.parent),
        "run %s start (in %s)" % (crashed.script, run.config_path.parent),
        "wait 1.0 s for the service to settle"]
    assert fix["applied"] is False
    assert crashed.pid() == pid
    assert crashed.log_text() == log


def test_failed_start_reports_the_scripts_last_words(tmp_path, preflight):
    config = {"checks": [{
        "id": "svc", "type": "service", "pidfile": str(tmp_path / "x.pid"),
        "stop": ["true"],
        "start": ["/bin/sh", "-c", "echo starting; echo 'port 8000 busy' "
                  ">&2; exit 1"]}]}

    run = preflight("-f", "json", "--fix", config=config)

    fix = run.check("svc")["fix"]
    assert run.rc == 1
    assert fix["applied"] is False
    assert fix["error"].endswith("exited with status 1: port 8000 busy")
    assert "starting\nport 8000 busy\n[exited with status 1]" in \
        fix["output"]


def test_without_start_and_stop_the_fix_does_nothing(tmp_path, preflight):
    config = {"checks": [{"id": "svc", "type": "service",
                          "pidfile": str(tmp_path / "x.pid")}]}

    run = preflight("-f", "json", "--fix", config=config)

    fix = run.check("svc")["fix"]
    assert fix["applied"] is False
    assert "no \"start\" and \"stop\"" in fix["actions"][0]


def test_pidfile_names_a_live_or_a_stale_process(tmp_path, preflight):
    live = subprocess.Popen(["sleep", "30"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "live.pid").write_text("%d\n" % live.pid)
    (tmp_path / "dead.pid").write_text("%d\n" % dead.pid)
    (tmp_path / "junk.pid").write_text("not a pid\n")
    checks = [{"id": name, "type": "service",
               "pidfile": str(tmp_path / (name + ".pid"))}
              for name in ("live", "dead", "junk", "none")]
    try:
        run = preflight("-f", "json", config={"checks": checks})
    finally:
        live.kill()
        live.wait()

    assert run.check("live")["status"] == "pass"
    assert run.check("live")["details"]["pid"] == live.pid
    assert "which is not running (a stale pidfile)" in \
        run.check("dead")["message"]
    assert "does not hold a process id" in run.check("junk")["message"]
    assert "no pidfile at" in run.check("none")["message"]


def test_hung_status_command_fails_at_its_deadline(preflight):
    config = {"checks": [{"id": "svc", "type": "service", "timeout": 0.5,
                          "status": ["sleep", "30"]}]}

    run = preflight("-f", "json", config=config)

    c = run.check("svc")
    assert c["status"] == "fail"
    assert run.elapsed < 3
    assert "sleep 30" in c["message"]


def test_missing_status_program_is_named(preflight):
    config = {"checks": [{"id": "svc", "type": "service",
                          "status": ["./no-such-manage.sh", "status"]}]}

    run = preflight("-f", "json", config=config)

    assert run.check("svc")["message"] == (
        "cannot run ./no-such-manage.sh status: No such file or directory")


def test_config_without_status_or_pidfile_is_refused(preflight):
    run = preflight(config='{"checks": [\n  {"id": "svc", "type": '
                    '"service", "start": ["x"]}]}')

    assert run.rc == 2
    assert ":2:3: check 'svc': a service check needs 'status'" in run.err


def test_default_profile_finds_the_manage_script_and_its_log(
        preflight, tmp_path):
    svc = SyncService(tmp_path / "here")
    svc.log.write_text("2026-12-03 09:00:00 Starting background sync "
                       "service\n")

    run = preflight("--list", cwd=svc.dir)

    assert run.rc == 0, run
    assert "background_sync-service" in run.out
    assert "background_sync-log" in run.out

    run = preflight("-f", "json", "background_sync-service",
                    "background_sync-log", cwd=svc.dir)

    assert run.check("background_sync-log")["status"] == "pass"
    svc_check = run.check("background_sync-service")
    assert svc_check["status"] == "fail"
    assert svc_check["message"] == ("./manage_background_sync.sh status "
                                    "exited with status 3: background sync "
                                    "is not running")
