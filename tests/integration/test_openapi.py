"""The openapi check, run by the built binary against the real
FastAPI fixture backend: the incident's moved route, a method mismatch, a
parameter in the wrong place, calls found in a client's source, the
document's own failures, the default profile and --wait.
"""

import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import free_port_number

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "client_sample.py"


def openapi(url, **keys):
    return {"checks": [dict(id="api", type="openapi", url=url, **keys)]}


def doc_url(b):
    return b.url + "/openapi.json"


def findings(run):
    return run.check("api")["details"].get("findings", [])


def line_of(path, text):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError("%r not in %s" % (text, path))


# ---- endpoints from the config -------------------------------------------


def test_old_route_is_reported_with_the_new_one_suggested(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), endpoints=["GET /api/v1/test/sync/start"]))

    assert r.rc == 1, r
    entry = r.check("api")
    assert entry["status"] == "fail"
    assert "GET /api/v1/test/sync/start is not in the API" in entry["message"]
    assert "did you mean POST /api/v1/sync/start" in entry["message"]
    assert findings(r)[0]["suggestion"] == "POST /api/v1/sync/start"


def test_get_instead_of_post_is_a_method_mismatch(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), endpoints=["GET /api/v1/sync/start"]))

    assert r.rc == 1, r
    message = r.check("api")["message"]
    assert "GET /api/v1/sync/start is a method mismatch" in message
    assert "with POST only" in message
    assert findings(r)[0]["kind"] == "method-mismatch"


def test_query_parameter_the_operation_wants_in_the_body(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), endpoints=[{"method": "POST",
                                        "path": "/api/v1/sync/start",
                                        "query": ["max_emails"]}]))

    assert r.rc == 1, r
    assert r.check("api")["message"] == (
        "endpoints[0]: 'max_emails' is sent in the query string, but "
        "POST /api/v1/sync/start expects it in the JSON body")
    assert findings(r)[0]["kind"] == "query-wants-body"


def test_unknown_body_field_is_named(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), endpoints=[{"method": "POST",
                                        "path": "/api/v1/sync/start",
                                        "body": ["max_emails", "max_mails"]}]))

    assert r.rc == 1, r
    assert [f["kind"] for f in findings(r)] == ["unknown-body"]
    assert "'max_mails' is not a field of the JSON body" in \
        findings(r)[0]["message"]


def test_calls_the_api_serves_pass(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()),
        endpoints=["GET /health", {"method": "post",
                                   "path": "/api/v1/sync/start",
                                   "body": ["max_emails"]}]))

    assert r.rc == 0, r
    entry = r.check("api")
    assert entry["status"] == "pass"
    assert "2 calls match the API" in entry["message"]
    assert findings(r) == []


def test_old_backend_points_the_new_call_back_at_the_old_route(backend,
                                                              preflight):
    b = backend("old-api")
    r = preflight("-f", "json", config=openapi(
        doc_url(b), endpoints=["POST /api/v1/sync/start",
                               "GET /api/v1/test/sync/start?max_emails=5"]))

    assert r.rc == 1, r
    assert len(findings(r)) == 1, findings(r)
    assert "did you mean GET /api/v1/test/sync/start" in \
        findings(r)[0]["message"]


def test_endpoint_without_a_path_is_refused_before_running(backend,
                                                           preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), endpoints=["GET api/v1/sync/start"]))

    assert r.rc == 2, r
    assert "must start with /" in r.err
    assert ".json:" in r.err


# ---- sources ------------------------------------------------------------------


def test_sources_find_the_wrong_call_by_file_and_line(backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), base_url="http://localhost:8000",
        sources=[str(SAMPLE)]))

    wrong = line_of(SAMPLE, "/api/v1/test/sync/start")
    assert r.rc == 1, r
    found = findings(r)
    assert [f["where"] for f in found] == ["%s:%d" % (SAMPLE, wrong)]
    assert "GET /api/v1/test/sync/start is not in the API; did you mean " \
        "POST /api/v1/sync/start? It takes 'max_emails' in the JSON body" \
        in found[0]["message"]
    assert r.check("api")["details"]["source_calls"] == 3


def test_sources_are_relative_to_the_config_file(backend, preflight,
                                                 tmp_path):
    client = tmp_path / "configs" / "client" / "worker.py"
    client.parent.mkdir(parents=True)
    client.write_text(SAMPLE.read_text())
    r = preflight("-f", "json", config=openapi(
        doc_url(backend()), base_url="http://localhost:8000",
        sources=["client/*.py", "missing/*.py"]))

    details = r.check("api")["details"]
    assert [f["where"].split(":")[0] for f in findings(r)] == \
        ["client/worker.py"]
    assert details["sources_unmatched"] == ["missing/*.py"]


def test_sources_checked_against_the_old_backend_flag_the_new_call(
        backend, preflight):
    r = preflight("-f", "json", config=openapi(
        doc_url(backend("old-api")), base_url="http://localhost:8000",
        sources=[str(SAMPLE)]))

    right = line_of(SAMPLE, '"/api/v1/sync/start"')
    where = [f["where"] for f in findings(r)]
    assert "%s:%d" % (SAMPLE, right) in where, r
    assert "%s:%d" % (SAMPLE, line_of(SAMPLE, "test/sync/start")) \
        not in where


# ---- the document itself ------------------------------------------------------


def document_failure(preflight, url, timeout=None):
    keys = {"timeout": timeout} if timeout else {}
    r = preflight("-f", "json", config=openapi(url, **keys))
    assert r.rc == 1, r
    return r.check("api")["message"]


def test_document_failures_each_have_their_own_sentence(backend, preflight,
                                                        refused_port):
    b = backend()
    messages = {
        "refused": document_failure(
            preflight, "http://127.0.0.1:%d/openapi.json" % refused_port),
        "dns": document_failure(
            preflight, "http://no-such-host.invalid/openapi.json"),
        "timeout": document_failure(preflight, b.url + "/hang", timeout=1),
        "not json": document_failure(preflight, b.url + "/docs"),
        "not openapi": document_failure(preflight, b.url + "/health"),
        "http status": document_failure(preflight, b.url + "/status/404"),
    }

    assert "unreachable: connection refused" in messages["refused"]
    assert "host name does not resolve" in messages["dns"]
    assert "did not arrive within the 1.0 s deadline" in messages["timeout"]
    assert "is not JSON: it begins" in messages["not json"]
    assert "is JSON but not an OpenAPI document" in messages["not openapi"]
    assert "answered HTTP 404" in messages["http status"]
    assert len(set(messages.values())) == len(messages)


def test_hung_document_fails_at_its_deadline(backend, preflight):
    start = time.monotonic()
    document_failure(preflight, backend().url + "/hang", timeout=1)
    assert time.monotonic() - start < 4


# ---- documents not from FastAPI -------------------------------------------------

SWAGGER = {
    "swagger": "2.0", "basePath": "/api",
    "paths": {"/sync/start": {"post": {"parameters": [
        {"name": "req", "in": "body",
         "schema": {"$ref": "#/definitions/SyncRequest"}}]}}},
    "definitions": {"SyncRequest": {"properties": {"max_emails": {}}}},
}

CYCLIC = {
    "openapi": "3.0.3",
    "paths": {
        "/n": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/A"}}}}}},
        "/loop": {"$ref": "#/paths/~1loop"},
        "/r": {"post": {"requestBody": {
            "$ref": "#/components/requestBodies/R"}}},
    },
    "components": {
        "schemas": {"A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
                    "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}},
        "requestBodies": {"R": {"$ref": "#/components/requestBodies/R"}},
    },
}


@pytest.fixture(scope="module")
def static_docs(tmp_path_factory):
    """A plain HTTP server on 127.0.0.1 serving the documents above."""
    root = tmp_path_factory.mktemp("docs")
    (root / "swagger.json").write_text(json.dumps(SWAGGER))
    (root / "cyclic.json").write_text(json.dumps(CYCLIC))
    port = free_port_number()
    proc = subprocess.Popen(
        ["/usr/bin/python3", "-m", "http.server", str(port), "--bind",
         "127.0.0.1", "--directory", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not port_open(port):
            assert time.monotonic() < deadline, "http.server did not start"
            time.sleep(0.05)
        yield "http://127.0.0.1:%d" % port
    finally:
        proc.kill()
        proc.wait()


def test_swagger2_document_is_read_with_its_base_path(static_docs,
                                                      preflight):
    url = static_docs + "/swagger.json"
    good = preflight("-f", "json", config=openapi(url, endpoints=[
        {"method": "POST", "path": "/api/sync/start",
         "body": ["max_emails"]}]))
    bad = preflight("-f", "json", config=openapi(url, endpoints=[
        "GET /api/sync/start?max_emails=5"]))

    assert good.rc == 0, good
    assert bad.rc == 1, bad
    assert "method mismatch" in bad.check("api")["message"]
    assert "'max_emails' in the JSON body" in bad.check("api")["message"]


def test_cyclic_refs_end_in_a_clear_answer(static_docs, preflight):
    r = preflight("-f", "json", timeout=10, config=openapi(
        static_docs + "/cyclic.json",
        endpoints=[{"method": "POST", "path": "/n", "body": ["x"]},
                   {"method": "POST", "path": "/r", "body": ["y"]},
                   "GET /loop"]))

    assert r.rc == 1, r
    kinds = [(f["where"], f["kind"]) for f in findings(r)]
    assert kinds == [("endpoints[0]", "unknown-body"),
                     ("endpoints[2]", "not-in-api")], r
    assert r.elapsed < 3


# ---- the default profile -------------------------------------------------------


def test_default_profile_reads_python_files_here(backend, preflight):
    b = backend()
    worker = preflight.workdir / "worker.py"
    worker.write_text(
        "import requests\n"
        "API = %r\n"
        "def run():\n"
        "    requests.get(API + '/api/v1/test/sync/start?max_emails=1000')\n"
        % b.url)
    env = {"PREFLIGHT_BACKEND_URL": b.url}

    listed = preflight("--list", env=env)
    line = [l for l in listed.out.splitlines() if l.startswith("openapi")]
    assert line and "health" in line[0], listed.out

    r = preflight("-f", "json", env=env)
    entry = r.check("openapi")
    assert entry["status"] == "fail", r
    assert entry["message"].startswith("worker.py:4: GET "
                                       "/api/v1/test/sync/start is not in "
                                       "the API"), entry


def test_default_profile_has_no_openapi_check_without_python(backend,
                                                              preflight):
    listed = preflight("--list", env={"PREFLIGHT_BACKEND_URL":
                                      backend().url})
    assert listed.rc == 0, listed
    assert "openapi" not in listed.out


# ---- --wait -------------------------------------------------------------------


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_wait_passes_soon_after_a_late_backend_comes_up(backend, preflight):
    b = backend(delay=3)
    runs = []
    thread = threading.Thread(target=lambda: runs.append(preflight(
        "--wait", "30", "-f", "json", timeout=60, config=openapi(
            doc_url(b), endpoints=["POST /api/v1/sync/start"]))))
    thread.start()

    opened = None
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        if opened is None and port_open(b.port):
            opened = time.monotonic()
        time.sleep(0.02)
    thread.join()
    finished = time.monotonic()

    r = runs[0]
    assert r.rc == 0, r
    assert opened is not None, "the backend never opened its port"
    assert finished - opened < 3.5, (finished - opened, r)
    entry = r.check("api")
    assert entry["status"] == "pass"
    assert entry["attempts"] > 1, entry
