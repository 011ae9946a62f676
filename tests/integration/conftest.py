"""Shared fixtures for preflight's integration tests.

The tests run the built binary (absolute path in $PREFLIGHT_BIN) against
real servers on 127.0.0.1. Fixtures:

  free_port()         a function returning a TCP port nothing listens on
                      right now (it may be taken later; use it at once)
  refused_port        a port held bound but not listening for the whole
                      test, so a connection to it is refused at once
  blackhole_port      a listening port whose accept queue is full for the
                      whole test, so a new connection gets no answer and
                      times out (as behind a firewall that drops packets)
  backend(variant="healthy", delay=0, env=None, fresh=False)
                      starts tests/fixtures/backend.py under uvicorn and
                      returns a Backend (.url, .port, .proc, .variant,
                      .stop()). Module scoped: one process per variant is
                      shared by the tests of a module, unless delay, env
                      or fresh asks for a new one. With delay the call
                      returns at once (the port opens `delay` seconds
                      later); otherwise it waits until the port accepts.
                      Every process is killed at the end of the module,
                      and at interpreter exit whatever happens.
  preflight(*args, cwd=None, env=None, timeout=30, config=None)
                      runs the binary and returns a Run (.rc, .out, .err
                      as text, .out_bytes, .err_bytes as bytes, .json,
                      .elapsed, .config_path, .args, .check(id)). `config` is a
                      dict (written as JSON) or a str (written verbatim)
                      to a temporary file passed with -c before the other
                      arguments. `cwd` defaults to a fresh empty directory
                      so no stray ./preflight.json is picked up; `env`
                      entries override os.environ (None removes a key).
                      $PREFLIGHT_WRAPPER, when set, is split like a shell
                      command and put before the binary (make valgrind
                      runs every invocation under memcheck that way).
"""

import atexit
import ctypes
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

PYTHON = "/usr/bin/python3"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STARTUP_LIMIT = 15.0

_live = set()
_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child: get SIGKILL when pytest dies, even by SIGKILL."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill(proc):
    """Kills the process group of proc (it runs in its own session)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    _live.discard(proc)


@atexit.register
def _kill_all():
    for proc in list(_live):
        _kill(proc)


def free_port_number():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def free_port():
    return free_port_number


@pytest.fixture
def refused_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    try:
        yield s.getsockname()[1]
    finally:
        s.close()


@pytest.fixture
def blackhole_port():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            fillers.append(s)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
        time.sleep(0.05)
        yield port
    finally:
        for s in fillers:
            s.close()
        listener.close()


class Backend:
    """One uvicorn process serving tests/fixtures/backend.py."""

    def __init__(self, variant, delay=0, env=None):
        self.variant = variant
        self.port = free_port_number()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.TemporaryFile()
        full_env = dict(os.environ)
        full_env.update(BACKEND_VARIANT=variant,
                        BACKEND_START_DELAY=str(delay),
                        PYTHONDONTWRITEBYTECODE="1")
        full_env.update(env or {})
        argv = [PYTHON, "-m", "uvicorn", "backend:app",
                "--app-dir", str(FIXTURES), "--host", "127.0.0.1",
                "--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(argv, env=full_env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log,
                                     start_new_session=True,
                                     preexec_fn=_die_with_parent)
        _live.add(self.proc)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def wait_ready(self, limit=STARTUP_LIMIT):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                self.stop()
                pytest.fail("backend %s exited with %s before listening:\n%s"
                            % (self.variant, self.proc.returncode,
                               self.output()))
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        out = self.output()
        self.stop()
        pytest.fail("backend %s did not listen on port %d within %.0f s:\n%s"
                    % (self.variant, self.port, limit, out))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        _kill(self.proc)

    def __repr__(self):
        return "<Backend %s %s>" % (self.variant, self.url)


@pytest.fixture(scope="module")
def backend():
    shared = {}
    started = []

    def start(variant="healthy", delay=0, env=None, fresh=False):
        own = fresh or delay or env
        if not own:
            b = shared.get(variant)
            if b is not None and b.alive():
                return b
        b = Backend(variant, delay=delay, env=env)
        started.append(b)
        if not own:
            shared[variant] = b
        if not delay:
            b.wait_ready()
        return b

    try:
        yield start
    finally:
        for b in started:
            b.stop()


class Run:
    """The outcome of one preflight invocation."""

    def __init__(self, args, proc, elapsed, config_path):
        self.args = args
        self.rc = proc.returncode
        self.out_bytes = proc.stdout
        self.err_bytes = proc.stderr
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")
        self.elapsed = elapsed
        self.config_path = config_path
        try:
            self.json = json.loads(self.out) if self.out.strip() else None
        except ValueError:
            self.json = None

    def check(self, check_id):
        """The JSON report's entry for check_id (needs -f json)."""
        assert self.json is not None, "no JSON report on stdout:\n" + self.out
        for c in self.json["checks"]:
            if c["id"] == check_id:
                return c
        raise AssertionError("no check %r in the report: %s"
                             % (check_id, [c["id"] for c in
                                           self.json["checks"]]))

    def __repr__(self):
        return ("<Run %s rc=%s %.2fs\n--- stdout\n%s\n--- stderr\n%s>"
                % (" ".join(self.args), self.rc, self.elapsed, self.out,
                   self.err))


def _preflight_bin():
    path = os.environ.get("PREFLIGHT_BIN")
    if not path:
        pytest.fail("PREFLIGHT_BIN is not set: build with `make` and run "
                    "PREFLIGHT_BIN=$PWD/build/preflight /usr/bin/python3 "
                    "-m pytest tests/integration (or `make integration`)")
    if not os.path.isabs(path):
        pytest.fail("PREFLIGHT_BIN must be an absolute path, not %r" % path)
    if not os.access(path, os.X_OK):
        pytest.fail("PREFLIGHT_BIN %s is not an executable file" % path)
    return path


@pytest.fixture
def preflight(tmp_path):
    binary = _preflight_bin()
    workdir = tmp_path / "work"
    workdir.mkdir()
    configs = tmp_path / "configs"
    configs.mkdir()
    count = [0]

    def run(*args, cwd=None, env=None, timeout=30, config=None):
        argv = shlex.split(os.environ.get("PREFLIGHT_WRAPPER", "")) + [binary]
        config_path = None
        if config is not None:
            count[0] += 1
            config_path = configs / ("preflight-%d.json" % count[0])
            text = config if isinstance(config, str) else \
                json.dumps(config, indent=2)
            config_path.write_text(text)
            argv += ["-c", str(config_path)]
        argv += [str(a) for a in args]
        full_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = str(value)
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, cwd=str(cwd or workdir),
                                  env=full_env, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            pytest.fail("preflight did not finish within %s s: %s\n%s"
                        % (timeout, " ".join(argv),
                           (e.stderr or b"").decode("utf-8", "replace")))
        result = Run(argv, proc, time.monotonic() - start, config_path)
        sys.stderr.write(repr(result) + "\n")
        return result

    run.workdir = workdir
    return run
