"""Hostile peers and bad input: each makes its one check fail
with a clear sentence while a healthy check in the same run passes; none
crashes or hangs, and the binary's peak memory stays bounded.

The bound asserted is MEMORY_BOUND_KIB (docs/SECURITY.md states it); under
AddressSanitizer (make asan) the shadow memory and quarantine are added.
"""

import json
import os
import random
import struct

import pytest

from hostile_peers import HostileServer, json_route, run_measured

# Peak RSS of one run against any hostile peer here, normal build.
MEMORY_BOUND_KIB = 32 * 1024
ASAN_EXTRA_KIB = 128 * 1024


def memory_bound():
    if "asan" in os.environ.get("PREFLIGHT_BIN", ""):
        return MEMORY_BOUND_KIB + ASAN_EXTRA_KIB
    return MEMORY_BOUND_KIB


@pytest.fixture(scope="module")
def server():
    s = HostileServer()
    yield s
    s.close()


def run(tmp_path, server, *checks, timeout=2):
    """Runs the given checks plus a healthy control check; returns the
    parsed report, the run's elapsed time and its peak memory."""
    control = {"id": "control", "type": "http",
               "url": server.url + "/ok",
               "expect": {"json": {"status": "healthy"}}}
    cfg = tmp_path / "preflight.json"
    cfg.write_text(json.dumps({"checks": list(checks) + [control]}))
    rc, out, err, elapsed, rss = run_measured(
        ["-c", cfg, "-f", "json", "--timeout", timeout], tmp_path)
    assert rc == 1, (rc, out, err)
    report = json.loads(out)
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["control"]["status"] == "pass", by_id["control"]
    assert rss < memory_bound(), "peak RSS %d KiB" % rss
    return by_id, elapsed, rss


def http(check_id, url, **extra):
    return dict({"id": check_id, "type": "http", "url": url}, **extra)


def assert_sentence(check, *words):
    msg = check["message"]
    assert check["status"] == "fail", check
    assert msg and len(msg) < 1000, check
    assert "\x1b" not in msg and "\x00" not in msg, check
    for w in words:
        assert w.lower() in msg.lower(), (w, check)


def test_a_100_mb_body_is_cut_at_the_cap(tmp_path, server):
    checks, elapsed, rss = run(tmp_path, server,
                               http("huge", server.url + "/huge"))
    assert_sentence(checks["huge"], "huge")
    assert elapsed < 5
    assert server.sent["/huge"] < 16 << 20, "the body was read on"


def test_one_byte_a_second_fails_at_the_deadline(tmp_path, server):
    checks, elapsed, _ = run(tmp_path, server,
                             http("drip", server.url + "/drip",
                                  timeout=1.5))
    assert_sentence(checks["drip"], "1.5")
    assert elapsed < 3.5


def test_a_close_mid_response_is_named(tmp_path, server):
    checks, _, _ = run(tmp_path, server, http("cut", server.url + "/cut"))
    assert_sentence(checks["cut"], "/cut")


def test_binary_junk_instead_of_http(tmp_path, server):
    checks, _, _ = run(tmp_path, server, http("junk", server.url + "/junk"))
    assert_sentence(checks["junk"], "/junk")
    assert "not HTTP" in checks["junk"]["message"], checks["junk"]


def test_json_nested_100000_deep_is_not_json(tmp_path, server):
    checks, _, _ = run(tmp_path, server,
                       http("deep", server.url + "/deep",
                            expect={"json": {"status": "healthy"}}))
    assert_sentence(checks["deep"], "JSON")


def cyclic_openapi():
    return {"openapi": "3.0.2", "info": {"title": "t", "version": "1"},
            "paths": {"/items": {"post": {"requestBody": {"content": {
                "application/json": {"schema": {
                    "$ref": "#/components/schemas/A"}}}}}}},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}}}


def test_openapi_ref_cycle(tmp_path, server):
    server.routes["/cyclic.json"] = json_route(cyclic_openapi())
    check = {"id": "contract", "type": "openapi",
             "url": server.url + "/cyclic.json",
             "endpoints": [{"method": "POST", "path": "/items",
                            "body": ["name"]}, "GET /missing"]}
    checks, elapsed, _ = run(tmp_path, server, check)
    assert_sentence(checks["contract"], "endpoints[")
    assert elapsed < 2


def engine_frames(claimed, payload):
    return bytes([1, 0, 0, 0]) + struct.pack(">I", claimed) + payload


def test_container_log_frame_claiming_4_gb(tmp_path, server):
    inspect = {"Id": "abc", "Name": "/db", "Config": {"Tty": False},
               "State": {"Status": "exited", "Running": False,
                         "ExitCode": 1,
                         "StartedAt": "2026-12-03T10:00:00.000000000Z",
                         "FinishedAt": "2026-12-03T10:00:01.000000000Z"}}
    log = engine_frames(0xFFFFFFFF, b"2026-12-03T10:00:00.5Z FATAL:  "
                        b"database files are incompatible with server\n"
                        + b"x" * 100000)

    def logs(conn, path):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/"
                     b"vnd.docker.raw-stream\r\nConnection: close\r\n\r\n"
                     + log)

    server.routes["/v1.41/containers/db/json"] = json_route(inspect)
    server.routes["/v1.41/containers/db/logs"] = logs
    check = {"id": "db", "type": "container", "name": "db",
             "engine": server.url}
    checks, _, _ = run(tmp_path, server, check)
    assert_sentence(checks["db"], "exited")
    evidence = checks["db"]["details"]["evidence"]
    assert any("incompatible" in line for line in evidence), evidence
    assert all(len(line) <= 4096 for line in evidence), evidence


def test_requirements_file_including_itself(tmp_path, server):
    req = tmp_path / "requirements.txt"
    req.write_text("aiohttp==3.9.1\n-r requirements.txt\n")
    check = {"id": "deps", "type": "python-deps", "requirements": str(req),
             "python": "/usr/bin/python3"}
    checks, _, _ = run(tmp_path, server, check)
    assert_sentence(checks["deps"], "requirements.txt")


def test_a_log_file_of_random_bytes(tmp_path, server):
    rnd = random.Random(8)
    log = tmp_path / "postgresql.log"
    log.write_bytes(bytes(rnd.getrandbits(8) for _ in range(2 << 20))
                    + b"\n2026-12-03 10:00:00 UTC [7] FATAL:  database files "
                    b"are incompatible with server\n"
                    + bytes(rnd.getrandbits(8) for _ in range(4096)))
    check = {"id": "pglog", "type": "container", "log_file": str(log)}
    checks, elapsed, _ = run(tmp_path, server, check)
    assert_sentence(checks["pglog"], "incompatible")
    assert elapsed < 3
    for line in checks["pglog"]["details"]["evidence"]:
        assert not any(ord(c) < 0x20 and c != "\t" for c in line), line


def test_log_scan_of_random_bytes_still_finds_the_real_error(tmp_path,
                                                             server):
    rnd = random.Random(9)
    log = tmp_path / "worker.log"
    log.write_bytes(bytes(rnd.getrandbits(8) for _ in range(2 << 20))
                    + b"\nTraceback (most recent call last):\n"
                    b"  File \"/app/worker.py\", line 1, in <module>\n"
                    b"ModuleNotFoundError: No module named 'aiohttp'\n"
                    + bytes(rnd.getrandbits(8) for _ in range(4096)))
    check = {"id": "worker-log", "type": "log-scan", "path": str(log)}
    checks, elapsed, _ = run(tmp_path, server, check)
    assert_sentence(checks["worker-log"], "aiohttp")
    assert elapsed < 3
