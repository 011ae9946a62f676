"""Helpers for the CI-format, schema and example tests (not fixtures).

broken_stack(url, refused_port, hostile_url) is a config with every
outcome at once: passes, a failure, a warning, a skip caused by the
failure, and a server answering hostile bytes. HostileServer is that
server: a raw socket thread that answers every request with quotes,
"]]>", control bytes and invalid UTF-8 in the body.
"""

import json
import socket
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schema"
EXAMPLES = ROOT / "examples"

HOSTILE_BODY = (b'{"status": "he said \\"no\\" ]]> <x/> &amp; \\u0001'
                b'\\u001b[31m \xff\xfe bad \xef\xbf\xbe # \\\\ end"}')


def load_schema(name):
    return json.loads((SCHEMAS / name).read_text())


def validator(name):
    import jsonschema
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(name, instance):
    return ["%s: %s" % ("/".join(map(str, e.path)), e.message)
            for e in validator(name).iter_errors(instance)]


class HostileServer:
    """Answers every HTTP request on 127.0.0.1 with HOSTILE_BODY."""

    def __init__(self, status=b"500 Internal Server Error"):
        self.status = status
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    head = (b"HTTP/1.1 " + self.status + b"\r\n"
                            b"Content-Type: application/json\r\n"
                            b"Content-Length: %d\r\n"
                            b"Connection: close\r\n\r\n" % len(HOSTILE_BODY))
                    conn.sendall(head + HOSTILE_BODY)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


def broken_stack(url, refused_port, hostile_url):
    """Six checks: 2 pass, 2 fail, 1 warn, 1 skip."""
    return {"checks": [
        {"id": "health", "type": "http", "url": url + "/health",
         "expect": {"status": 200, "json": {"status": "healthy"}},
         "tags": ["backend"]},
        {"id": "docs", "type": "http", "url": url + "/docs",
         "needs": ["health"], "tags": ["backend"]},
        {"id": "sync-api", "type": "http", "url": url + "/status/503",
         "tags": ["backend", "sync"]},
        {"id": "after-sync", "type": "http", "url": url + "/health",
         "needs": ["sync-api"], "tags": ["sync"]},
        {"id": "db-port", "type": "tcp",
         "targets": ["127.0.0.1:%d" % refused_port],
         "severity": "warn", "tags": ["db"]},
        {"id": "hostile", "type": "http", "url": hostile_url + "/health",
         "expect": {"status": 500, "json": {"status": "healthy"}}},
    ]}


BROKEN_COUNTS = {"pass": 2, "fail": 2, "warn": 1, "skip": 1}


class EngineList:
    """An Engine API on a unix socket that only lists running containers
    (GET /vN/containers/json), for `preflight init`."""

    def __init__(self, directory, containers):
        import os
        import socketserver
        from http.server import BaseHTTPRequestHandler

        self.socket = os.path.join(str(directory), "engine.sock")
        self.engine = "unix://" + self.socket
        self.requests = []
        body = json.dumps(containers).encode()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def address_string(self):
                return "unix"

            def do_GET(self):
                owner.requests.append(self.path)
                ok = self.path.split("?")[0].endswith("/containers/json")
                data = body if ok else b'{"message": "not here"}'
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(socketserver.ThreadingMixIn,
                     socketserver.UnixStreamServer):
            daemon_threads = True

        self.server = Server(self.socket, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
