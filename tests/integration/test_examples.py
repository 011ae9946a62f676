"""The examples in examples/ are real: the YAML parses, the startup order
really hinges on preflight, and every preflight command line in them runs
against a real backend (host names and mount points mapped to this
machine) with the result the example promises.
"""

import json
import os
import shlex
import socket
import xml.etree.ElementTree as ET

import pytest
import yaml

from ci_helpers import EXAMPLES, schema_errors


@pytest.fixture
def db_port():
    """A port that accepts connections, standing in for PostgreSQL."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield s.getsockname()[1]
    s.close()


@pytest.fixture
def stack(backend, db_port):
    """Host names of the examples mapped to the test backend and db."""
    b = backend()
    here = "127.0.0.1:%d" % b.port
    db = "127.0.0.1:%d" % db_port
    return {"backend:8000": here, "localhost:8000": here,
            "postgres:5432": db, "localhost:5432": db}


def mapped(text, names):
    for name, addr in names.items():
        text = text.replace(name, addr)
    return text


def copy_configs(files, dest, names):
    """Writes each (name, text) with host names mapped into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in files:
        out = mapped(text, names)
        assert schema_errors("config.schema.json", json.loads(out)) == []
        (dest / name).write_text(out)
    return dest


def example_configs(dest, names):
    files = [(p.name, p.read_text())
             for p in (EXAMPLES / "preflight").glob("*.json")]
    return copy_configs(files, dest, names)


def run_line(preflight, argv, mounts, names, env=None, cwd=None):
    """Runs an example's preflight argv with its paths moved to mounts."""
    assert os.path.basename(argv[0]) == "preflight", argv
    args = []
    for a in argv[1:]:
        for inside, outside in mounts.items():
            a = a.replace(inside, str(outside))
        args.append(mapped(a, names))
    env = dict(env or {})
    for key, value in env.items():
        env[key] = mapped(value, names)
    return preflight(*args, env=env, cwd=cwd)


def load_yaml_docs(path):
    return list(yaml.safe_load_all(path.read_text()))


# ---- docker compose ------------------------------------------------------

COMPOSE = EXAMPLES / "compose" / "docker-compose.yml"


def compose_services():
    return load_yaml_docs(COMPOSE)[0]["services"]


def compose_mounts(service, tmp_path, names):
    mounts = {}
    for vol in service.get("volumes", []):
        host, inside = vol.split(":")[:2]
        src = (COMPOSE.parent / host).resolve()
        assert src.is_dir(), vol
        mounts[inside] = example_configs(tmp_path / inside.strip("/"),
                                         names)
    return mounts


def test_compose_starts_the_worker_after_preflight_says_backend_healthy():
    services = compose_services()
    worker = services["sync-worker"]
    assert worker["depends_on"]["backend"]["condition"] == "service_healthy"
    assert services["backend"]["healthcheck"]["test"][1] == "preflight"
    assert "preflight" in worker["command"][-1].split("&&")[0]


@pytest.mark.parametrize("service", ["backend", "sync-worker"])
def test_compose_healthcheck_passes_against_a_healthy_stack(
        preflight, stack, tmp_path, service):
    svc = compose_services()[service]
    test = svc["healthcheck"]["test"]
    assert test[0] == "CMD"
    run = run_line(preflight, test[1:], compose_mounts(svc, tmp_path, stack),
                   stack, env=svc.get("environment"))
    assert run.rc == 0, run


def test_compose_worker_command_gates_on_preflight(preflight, stack,
                                                   tmp_path):
    svc = compose_services()["sync-worker"]
    assert svc["command"][:2] == ["sh", "-c"]
    gate = shlex.split(svc["command"][2].split("&&")[0])
    run = run_line(preflight, gate, compose_mounts(svc, tmp_path, stack),
                   stack, env=svc.get("environment"))
    assert run.rc == 0, run


def test_compose_healthcheck_fails_when_the_backend_is_down(
        preflight, stack, tmp_path, free_port):
    down = dict(stack, **{"localhost:8000": "127.0.0.1:%d" % free_port()})
    svc = compose_services()["backend"]
    run = run_line(preflight, svc["healthcheck"]["test"][1:],
                   compose_mounts(svc, tmp_path, down), down)
    assert run.rc == 1, run


# ---- Kubernetes ------------------------------------------------------------

POD = EXAMPLES / "kubernetes" / "sync-worker-pod.yaml"


def pod_parts():
    docs = {d["kind"]: d for d in load_yaml_docs(POD)}
    return docs["ConfigMap"], docs["Pod"]


def pod_mounts(tmp_path, names):
    cm, pod = pod_parts()
    mount = pod["spec"]["initContainers"][0]["volumeMounts"][0]
    files = sorted(cm["data"].items())
    dest = copy_configs(files, tmp_path / "configmap", names)
    return {mount["mountPath"]: dest}


def test_pod_runs_preflight_as_init_container_with_the_configmap():
    cm, pod = pod_parts()
    init = pod["spec"]["initContainers"]
    assert [c["name"] for c in init] == ["preflight"]
    volume = pod["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == cm["metadata"]["name"]


def test_pod_init_container_passes_against_a_healthy_stack(
        preflight, stack, tmp_path):
    _, pod = pod_parts()
    argv = pod["spec"]["initContainers"][0]["command"]
    run = run_line(preflight, argv, pod_mounts(tmp_path, stack), stack)
    assert run.rc == 0, run


def test_pod_liveness_probe_passes_against_a_healthy_stack(
        preflight, stack, tmp_path):
    _, pod = pod_parts()
    argv = pod["spec"]["containers"][0]["livenessProbe"]["exec"]["command"]
    run = run_line(preflight, argv, pod_mounts(tmp_path, stack), stack)
    assert run.rc == 0, run


# ---- systemd -------------------------------------------------------------

def unit_values(path, key):
    values = []
    for line in path.read_text().splitlines():
        if line.startswith(key + "="):
            values.append(line[len(key) + 1:])
    return values


def test_systemd_unit_gates_the_worker_and_writes_a_json_report(
        preflight, stack, tmp_path):
    unit = EXAMPLES / "systemd" / "sync-worker.service"
    (pre,) = unit_values(unit, "ExecStartPre")
    mounts = {"/etc/preflight": example_configs(tmp_path / "etc", stack),
              "/run/sync-worker": tmp_path}
    run = run_line(preflight, shlex.split(pre), mounts, stack)
    assert run.rc == 0, run
    report = json.loads((tmp_path / "preflight.json").read_text())
    assert schema_errors("report.schema.json", report) == []
    assert report["status"] == "pass"


def test_systemd_metrics_service_writes_a_prometheus_file(
        preflight, stack, tmp_path):
    unit = EXAMPLES / "systemd" / "preflight-metrics.service"
    (start,) = unit_values(unit, "ExecStart")
    prom = "/var/lib/node_exporter/textfile_collector"
    mounts = {"/etc/preflight": example_configs(tmp_path / "etc", stack),
              prom: tmp_path}
    run = run_line(preflight, shlex.split(start), mounts, stack)
    assert run.rc == 0, run
    from prometheus_client.parser import text_string_to_metric_families
    text = (tmp_path / "preflight.prom").read_text()
    names = {f.name for f in text_string_to_metric_families(text)}
    assert "preflight_check_status" in names


# ---- GitHub Actions -------------------------------------------------------

WORKFLOW = EXAMPLES / "github" / "preflight.yml"


def workflow_steps():
    return load_yaml_docs(WORKFLOW)[0]["jobs"]["gate"]["steps"]


def test_workflow_uploads_reports_even_when_the_gate_fails():
    steps = {s.get("name"): s for s in workflow_steps()}
    upload = steps["Upload the reports"]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "reports/"


def test_workflow_gate_writes_reports_a_junit_parser_accepts(
        preflight, stack, tmp_path):
    step = {s.get("name"): s for s in workflow_steps()}["Run preflight"]
    lines = [l for l in step["run"].splitlines() if "preflight " in l]
    (line,) = lines
    work = tmp_path / "repo"
    example_configs(work / "examples" / "preflight", stack)
    (work / "reports").mkdir()
    run = run_line(preflight, ["preflight"] + shlex.split(line)[1:], {},
                   stack, cwd=work)
    assert run.rc == 0, run
    suite = ET.parse(str(work / "reports" / "junit.xml")).getroot()
    assert suite.find("testsuite").get("failures") == "0"
    report = json.loads((work / "reports" / "preflight.json").read_text())
    assert schema_errors("report.schema.json", report) == []
    assert len(report["checks"]) == int(suite.find("testsuite").get("tests"))


# ---- the incident stack on one host ----------------------------------------

def test_incident_stack_config_passes_on_a_healthy_host(preflight, stack,
                                                        tmp_path):
    configs = example_configs(tmp_path / "etc", stack)
    script = configs / "manage_background_sync.sh"
    script.write_text("#!/bin/sh\necho running\n")
    script.chmod(0o755)
    run = preflight("-c", configs / "incident-stack.json", "-f", "json")
    assert run.rc == 0, run
    assert {c["status"] for c in run.json["checks"]} == {"pass"}


# ---- the incident, whole -------------------------------------------------------

def test_incident_example_finds_what_the_incident_found(
        preflight, backend, refused_port, tmp_path):
    """The backend is fine; the worker's requirements are not installed,
    so the worker check is skipped instead of failing on its own."""
    import shutil
    b = backend()
    work = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "incident", work)
    names = {"localhost:8000": "127.0.0.1:%d" % b.port,
             "localhost:5432": "127.0.0.1:%d" % refused_port}
    cfg = work / "preflight.json"
    cfg.write_text(mapped(cfg.read_text(), names))
    (work / "background_sync.log").write_text(
        "Traceback (most recent call last):\n"
        "ModuleNotFoundError: No module named 'aiohttp'\n")

    backend_only = preflight("-c", cfg, "--tag", "backend", "-f", "json")
    assert backend_only.rc == 0, backend_only

    run = preflight("-c", cfg, "-f", "json", env={"VIRTUAL_ENV": None})
    assert run.rc == 1, run
    status = {c["id"]: c["status"] for c in run.json["checks"]}
    assert status["health"] == status["sync-api"] == "pass"
    assert status["database"] == "fail"
    assert status["deps"] == "fail"
    assert status["worker"] == "skip"
    assert status["worker-log"] == "fail"
    deps = run.check("deps")["message"]
    assert "aiohttp" in deps and "httpx" in deps
