"""The shared fixtures behave as documented, so other tests can trust them.

These run without the preflight binary: they check the fixture backend's
variants with a plain HTTP client and the port fixtures with sockets.
"""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest


def fetch(url, data=None, timeout=5):
    req = urllib.request.Request(url, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers.get("content-type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read()


@pytest.mark.parametrize("variant, status, body", [
    ("healthy", 200, {"status": "healthy"}),
    ("unhealthy", 503, {"status": "unhealthy"}),
    ("wrong-json", 200, {"status": "degraded"}),
])
def test_health_answers_per_variant(backend, variant, status, body):
    code, _, raw = fetch(backend(variant).url + "/health")
    assert (code, json.loads(raw)) == (status, body)


def test_not_json_variant_answers_plain_text(backend):
    code, ctype, raw = fetch(backend("not-json").url + "/health")
    assert (code, raw) == (200, b"OK")
    assert ctype.startswith("text/plain")


def test_healthy_serves_swagger_docs_and_new_route(backend):
    b = backend("healthy")
    code, _, raw = fetch(b.url + "/docs")
    assert code == 200 and b"swagger-ui" in raw
    spec = json.loads(fetch(b.url + "/openapi.json")[2])
    assert "post" in spec["paths"]["/api/v1/sync/start"]
    code, _, raw = fetch(b.url + "/api/v1/sync/start",
                         data=b'{"max_emails": 1000}')
    assert code == 200 and json.loads(raw)["max_emails"] == 1000


def test_old_api_serves_only_the_old_route(backend):
    b = backend("old-api")
    code, _, raw = fetch(b.url + "/api/v1/test/sync/start?max_emails=7")
    assert code == 200 and json.loads(raw)["max_emails"] == 7
    paths = json.loads(fetch(b.url + "/openapi.json")[2])["paths"]
    assert "/api/v1/sync/start" not in paths


def test_no_docs_variant_has_no_docs(backend):
    b = backend("no-docs")
    assert fetch(b.url + "/docs")[0] == 404
    assert fetch(b.url + "/redoc")[0] == 404
    assert fetch(b.url + "/health")[0] == 200


def test_hang_never_answers(backend):
    with pytest.raises(OSError):
        fetch(backend().url + "/hang", timeout=0.5)


def test_slow_bytes_trickles(backend):
    url = backend().url + "/slow-bytes"
    with urllib.request.urlopen(url, timeout=5) as r:
        start = time.monotonic()
        assert r.read(2) == b"xx"
        assert time.monotonic() - start >= 0.8


def test_private_wants_the_token(backend):
    b = backend(env={"BACKEND_TOKEN": "t0ken"})
    assert fetch(b.url + "/private")[0] == 401
    req = urllib.request.Request(b.url + "/private",
                                 headers={"Authorization": "Bearer t0ken"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200


def test_start_delay_opens_the_port_later(backend):
    b = backend(delay=1.5)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", b.port), timeout=0.5).close()
    b.wait_ready()
    assert fetch(b.url + "/health")[0] == 200


def test_stopped_backend_is_restarted_on_next_request(backend):
    first = backend("healthy")
    first.stop()
    second = backend("healthy")
    assert second is not first and second.alive()


def test_refused_port_refuses(refused_port):
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", refused_port), timeout=2)


def test_blackhole_port_times_out(blackhole_port):
    with pytest.raises(socket.timeout):
        socket.create_connection(("127.0.0.1", blackhole_port), timeout=0.5)


def test_free_port_is_bindable(free_port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))
