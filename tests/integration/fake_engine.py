"""A small Docker Engine API server on a unix socket, for container states
a real engine cannot be made to show on demand: restart loops, OOM kills,
unhealthy health checks, TTY logs, hostile log frames, errors and silence.

FakeEngine(containers) serves GET /vN/containers/NAME/json and
/vN/containers/NAME/logs from a dict NAME -> FakeContainer, and records
POSTs (start, restart) in .posts. Runs in a thread; .stop() ends it.
"""

import json
import os
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler


def frame(stream, text):
    """One multiplexed log frame."""
    data = text.encode() if isinstance(text, str) else text
    return struct.pack(">BxxxI", stream, len(data)) + data


class FakeContainer:
    def __init__(self, status="running", exit_code=0, oom=False,
                 restarts=0, health="", tty=False, image="postgres:15",
                 started="2026-12-03T12:00:00.5Z", logs=b"",
                 inspect_status=200, hang=False,
                 path="docker-entrypoint.sh", args=("postgres",)):
        self.status = status
        self.exit_code = exit_code
        self.oom = oom
        self.restarts = restarts
        self.health = health
        self.tty = tty
        self.image = image
        self.started = started
        self.logs = logs
        self.inspect_status = inspect_status
        self.hang = hang
        self.path = path
        self.args = list(args)

    def inspect(self, name):
        state = {"Status": self.status,
                 "Running": self.status in ("running", "restarting"),
                 "Restarting": self.status == "restarting",
                 "OOMKilled": self.oom, "ExitCode": self.exit_code,
                 "StartedAt": self.started,
                 "FinishedAt": "2026-12-03T12:00:01Z"}
        if self.health:
            state["Health"] = {"Status": self.health, "FailingStreak": 3}
        return {"Id": "f" * 64, "Name": "/" + name, "Path": self.path,
                "Args": self.args,
                "RestartCount": self.restarts, "State": state,
                "Config": {"Image": self.image, "Tty": self.tty}}


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True


class FakeEngine:
    """With tcp=True it listens on 127.0.0.1 instead (engine tcp://...)."""

    def __init__(self, directory, containers, tcp=False):
        self.socket = os.path.join(str(directory), "fake-engine.sock")
        self.engine = "unix://" + self.socket
        self.containers = containers
        self.posts = []
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def address_string(self):
                return "unix"

            def _send(self, status, body, ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _container(self):
                parts = self.path.split("?")[0].split("/")
                # /v1.41/containers/NAME/WHAT
                if len(parts) < 5 or parts[2] != "containers":
                    return None, None, None
                return parts[3], engine.containers.get(parts[3]), parts[4]

            def do_GET(self):
                name, c, what = self._container()
                if c is None:
                    self._send(404, json.dumps({
                        "message": "No such container: %s" % name}).encode())
                    return
                if c.hang:
                    time.sleep(30)
                    return
                if what == "json":
                    if c.inspect_status != 200:
                        self._send(c.inspect_status, b'{"message":"boom"}')
                        return
                    self._send(200, json.dumps(c.inspect(name)).encode())
                else:
                    self._send(200, c.logs,
                               "application/vnd.docker.raw-stream")

            def do_POST(self):
                name, c, what = self._container()
                engine.posts.append((name, what))
                if c is None:
                    self._send(404, b'{"message":"no such container"}')
                    return
                c.status = "running"
                self._send(204, b"")

        if tcp:
            self.server = _TcpServer(("127.0.0.1", 0), Handler)
            self.engine = "tcp://127.0.0.1:%d" % self.server.server_address[1]
        else:
            self.server = _Server(self.socket, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
