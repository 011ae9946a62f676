"""Misbehaving peers for the hardening tests, on raw sockets on 127.0.0.1.

HostileServer answers each connection by the path of its request line:

  /ok          a correct, small HTTP 200 JSON answer (the control check)
  /huge        200 with a body of HUGE_BYTES, streamed as fast as it goes
  /drip        an answer written one byte a second
  /cut         headers promising 1000 bytes, 10 bytes, then a close
  /junk        random binary bytes instead of HTTP, then a close
  /deep        200 with a JSON body nested DEEP levels
  /echo        500 with the request (headers and body) as the body
  /openapi.json, /v1.41/...  set by the test (see `routes`)

Every connection runs on its own daemon thread and ends when the peer
goes away, so a test never waits on the server.

run_measured() runs the preflight binary and returns its exit status,
output and peak resident memory (GNU time's %M, for that process alone:
a child's own rusage would start from the forking Python's size).
"""

import json
import os
import random
import shlex
import socket
import subprocess
import threading
import time

TIME = "/usr/bin/time"  # GNU time (Debian package time): peak memory
BUILT_IN = ("/ok", "/huge", "/drip", "/cut", "/junk", "/deep", "/echo")
HUGE_BYTES = 100 * 1024 * 1024
DEEP = 100000


def _http(status, body, ctype="application/json", extra=""):
    head = ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n%s\r\n" % (status, ctype, len(body), extra))
    return head.encode() + body


class HostileServer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.routes = {}
        self.local = threading.local()  # the request of this thread
        self.sent = {}
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._stop = True
        self.sock.close()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _serve(self, conn):
        try:
            path = self._read_request(conn)
            route = path.split("?")[0]
            handler = self.routes.get(route)
            if handler is None and route in BUILT_IN:
                handler = getattr(self, "_" + route.strip("/"))
            if handler is None:
                conn.sendall(_http("404 Not Found", b"{}"))
            else:
                handler(conn, path)
        except OSError:
            pass
        finally:
            conn.close()

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for h in head.split(b"\r\n"):
            if h.lower().startswith(b"content-length:"):
                want = int(h.split(b":")[1])
                while len(body) < want:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    body += chunk
        self.local.request = data[:len(head) + 4] + body
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        return line[1] if len(line) > 1 else "/"

    def _count(self, path, n):
        self.sent[path] = self.sent.get(path, 0) + n

    def _ok(self, conn, path):
        conn.sendall(_http("200 OK", b'{"status": "healthy"}'))

    def _huge(self, conn, path):
        conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                      "Content-Length: %d\r\n\r\n" % HUGE_BYTES).encode())
        block = b"a" * 65536
        for _ in range(HUGE_BYTES // len(block)):
            conn.sendall(block)
            self._count("/huge", len(block))

    def _drip(self, conn, path):
        for byte in _http("200 OK", b'{"status": "healthy"}'):
            conn.sendall(bytes([byte]))
            self._count("/drip", 1)
            time.sleep(1)

    def _cut(self, conn, path):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"status\":")
        conn.shutdown(socket.SHUT_RDWR)

    def _junk(self, conn, path):
        rnd = random.Random(8)
        conn.sendall(bytes(rnd.getrandbits(8) for _ in range(4096)))

    def _echo(self, conn, path):
        conn.sendall(_http("500 Internal Server Error", self.local.request,
                           ctype="text/plain"))

    def _deep(self, conn, path):
        conn.sendall(_http("200 OK", b"[" * DEEP + b"]" * DEEP))


def json_route(doc):
    """A handler answering 200 with doc as JSON."""
    body = json.dumps(doc).encode()
    return lambda conn, path: conn.sendall(_http("200 OK", body))


def run_measured(args, cwd, timeout=60, env=None):
    """Runs preflight with args under GNU time; returns (rc, stdout,
    stderr, elapsed, peak RSS in KiB of the preflight process alone).
    PREFLIGHT_WRAPPER is ignored: it is the binary's own memory that is
    measured."""
    rss_path = os.path.join(str(cwd), ".maxrss")
    argv = [TIME, "-f", "%M", "-o", rss_path,
            os.environ["PREFLIGHT_BIN"]] + [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.update(env or {})
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=str(cwd), env=full_env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("preflight hung: %s" % shlex.join(argv))
    elapsed = time.monotonic() - start
    with open(rss_path) as f:
        rss = int(f.read().split()[-1])
    return proc.returncode, proc.stdout, proc.stderr, elapsed, rss
