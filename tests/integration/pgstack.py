"""A real PostgreSQL and a real container engine for the integration tests.

PgCluster: a cluster made with initdb in a temporary directory and started
with pg_ctl on a free 127.0.0.1 port, as the postgres user (the tests run
as root; the server refuses to). Password authentication (scram) with a
planted password, so tests can prove it never leaks.

Podman: Debian's podman serving the Docker Engine API on a unix socket in
a temporary directory (`podman system service --time=0 unix://SOCK`). Its
storage, run and temporary directories are private to the session, and a
containers.conf of its own picks runc (crun fails on these machines) and
empty default ulimits (the defaults are refused). No registry is reachable,
so the image is made here from the machine's own PostgreSQL server binary,
the shared libraries ldd names, busybox-static and a passwd entry, packed
with tar and loaded with `podman import`; once per session.

shared_podman() and shared_containers() give every test module of a
session the same engine and image (made on first use); what they start is
stopped at interpreter exit, whatever happens.
"""

import atexit
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

PASSWORD = "planted-Pw-7f3c9"
IMAGE = "localhost/preflight-postgres-test:latest"
DATA_IN_CONTAINER = "/var/lib/postgresql/data"

_cleanups = []


@atexit.register
def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    """The newest installed PostgreSQL's bin directory, or None."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(d.split("/")[-2]))
    return dirs[-1] if dirs else None


def _postgres_ids():
    pw = pwd.getpwnam("postgres")
    return pw.pw_uid, pw.pw_gid


def _as_postgres(argv, **kw):
    """Runs argv as the postgres user when we are root."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    return subprocess.run(argv, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, **kw)


def _private_dir(prefix):
    """A temporary directory the postgres user can enter."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    return Path(d)


def _wait_port(port, limit, alive=lambda: True):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if not alive():
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def initdb(target, bindir):
    """A fresh data directory at target, owned by postgres."""
    target = Path(target)
    target.mkdir(mode=0o700)
    uid, gid = _postgres_ids()
    os.chown(target, uid, gid)
    pwfile = target.parent / ("%s.pw" % target.name)
    pwfile.write_text(PASSWORD + "\n")
    os.chmod(pwfile, 0o644)
    # No fsync and 1 MB WAL segments: a cluster made and copied in a
    # fraction of the time, which is all a test needs.
    r = _as_postgres([bindir + "/initdb", "-D", str(target), "-U",
                      "postgres", "--locale=C", "-E", "UTF8",
                      "--auth=scram-sha-256", "--no-sync",
                      "--wal-segsize=1", "--pwfile", str(pwfile)])
    pwfile.unlink()
    if r.returncode != 0:
        raise RuntimeError("initdb failed: %s" % r.stderr)
    # A role that does not exist but may log in without a password, so
    # the server itself says "role does not exist".
    with open(target / "pg_hba.conf", "r+") as f:
        rest = f.read()
        f.seek(0)
        f.write("host all ghost 127.0.0.1/32 trust\n" + rest)
    return target


class PgCluster:
    """A PostgreSQL server on 127.0.0.1:port, run by pg_ctl."""

    def __init__(self, bindir, server_options=""):
        self.bindir = bindir
        self.dir = _private_dir("preflight-pg-")
        os.chown(self.dir, *_postgres_ids())
        self.data = initdb(self.dir / "data", bindir)
        self.port = free_port()
        self.log = self.dir / "server.log"
        self.password = PASSWORD
        _cleanups.append(self.stop)
        opts = "-p %d -c listen_addresses=127.0.0.1 -k %s %s" % (
            self.port, self.dir, server_options)
        r = _as_postgres([bindir + "/pg_ctl", "-D", str(self.data), "-l",
                          str(self.log), "-o", opts, "-w", "-t", "30",
                          "start"])
        if r.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError("pg_ctl start failed: %s %s %s"
                               % (r.stdout, r.stderr, log))

    def dsn(self, user="postgres", password=PASSWORD, db="postgres",
            port=None, extra=""):
        auth = user if password is None else "%s:%s" % (user, password)
        return "postgresql://%s@127.0.0.1:%d/%s%s" % (
            auth, port or self.port, db, extra)

    def stop(self):
        if self.data.exists():
            _as_postgres([self.bindir + "/pg_ctl", "-D", str(self.data),
                          "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


CONTAINERS_CONF = """\
[containers]
default_ulimits = []

[engine]
runtime = "runc"
tmp_dir = "{tmp}"
volume_path = "{root}/volumes"
events_logger = "file"
"""

STORAGE_CONF = """\
[storage]
driver = "overlay"
graphroot = "{root}/storage"
runroot = "{run}"
"""


class Podman:
    """A podman API service on a unix socket, with private storage."""

    def __init__(self):
        self.dir = _private_dir("preflight-podman-")
        self.socket = str(self.dir / "engine.sock")
        self.engine = "unix://" + self.socket
        self.env = dict(os.environ)
        conf = self.dir / "containers.conf"
        storage = self.dir / "storage.conf"
        conf.write_text(CONTAINERS_CONF.format(tmp=self.dir / "tmp",
                                               root=self.dir))
        storage.write_text(STORAGE_CONF.format(root=self.dir,
                                               run=self.dir / "run"))
        self.env.update(CONTAINERS_CONF=str(conf),
                        CONTAINERS_STORAGE_CONF=str(storage))
        self.service = None
        self.log = open(self.dir / "service.log", "wb")
        _cleanups.append(self.stop)
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", self.engine],
            env=self.env, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=self.log, start_new_session=True)
        self._wait_socket(20)

    def _wait_socket(self, limit):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.service.poll() is not None:
                raise RuntimeError("podman system service exited: %s"
                                   % (self.dir / "service.log").read_text())
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.socket)
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("podman system service did not listen")

    def run(self, *args, check=True, timeout=60):
        r = subprocess.run(["podman"] + list(args), env=self.env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("podman %s failed: %s"
                               % (" ".join(args), r.stderr))
        return r

    def stop(self):
        if self.service is None:
            return
        self.run("rm", "-af", "-t", "0", check=False)
        self.run("rmi", "-af", check=False)
        if self.service.poll() is None:
            os.killpg(self.service.pid, signal.SIGKILL)
            self.service.wait(timeout=10)
        self.service = None
        self.log.close()
        subprocess.run(["umount", "-lR", str(self.dir / "storage/overlay")],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def _copy_with_libs(binary, root):
    """Copies binary and every shared library ldd names under root."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True,
                         check=True).stdout
    paths = [binary]
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) > parts.index("=>") + 1:
            paths.append(parts[parts.index("=>") + 1])
        elif parts and parts[0].startswith("/"):
            paths.append(parts[0])
    for p in paths:
        if not p.startswith("/"):
            continue
        dest = root / p.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.realpath(p), dest)


def build_image(engine, bindir):
    """Imports the PostgreSQL image into the engine's storage."""
    work = Path(tempfile.mkdtemp(prefix="preflight-image-"))
    try:
        root = work / "root"
        version_dir = Path(bindir).parent
        share = Path("/usr/share/postgresql") / version_dir.name
        _copy_with_libs(bindir + "/postgres", root)
        (root / str(version_dir).lstrip("/") / "lib").mkdir(parents=True)
        plpgsql = version_dir / "lib" / "plpgsql.so"
        if plpgsql.exists():
            shutil.copy2(plpgsql, root / str(plpgsql).lstrip("/"))
        shutil.copytree(share / "timezonesets",
                        root / str(share / "timezonesets").lstrip("/"))
        zone = root / "usr/share/zoneinfo"
        shutil.copytree("/usr/share/zoneinfo/Etc", zone / "Etc")
        shutil.copy2("/usr/share/zoneinfo/UTC", zone / "UTC")
        (root / "bin").mkdir()
        shutil.copy2("/bin/busybox", root / "bin/sh")
        (root / "etc").mkdir()
        uid, gid = _postgres_ids()
        (root / "etc/passwd").write_text(
            "root:x:0:0::/:/bin/sh\npostgres:x:%d:%d::/tmp:/bin/sh\n"
            % (uid, gid))
        (root / "etc/group").write_text("root:x:0:\npostgres:x:%d:\n" % gid)
        (root / "tmp").mkdir(mode=0o1777)
        os.chmod(root / "tmp", 0o1777)
        tar = work / "image.tar"
        subprocess.run(["tar", "-C", str(root), "-cf", str(tar), "."],
                       check=True)
        engine.run("import", "-q", str(tar), IMAGE)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class ContainerFactory:
    """Makes PostgreSQL containers from one initdb'd template."""

    def __init__(self, engine, bindir):
        self.engine = engine
        self.bindir = bindir
        self.dir = _private_dir("preflight-pgdata-")
        self.template = initdb(self.dir / "template", bindir)
        _cleanups.append(self.close)
        build_image(engine, bindir)

    def close(self):
        """Removes the containers, then the data directories they used."""
        if self.engine.service is not None:
            self.engine.run("rm", "-af", "-t", "0", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def data_dir(self, broken_version=None):
        """A copy of the template; with broken_version, a PG_VERSION that
        the server cannot read."""
        d = self.dir / ("data-" + uuid.uuid4().hex[:8])
        subprocess.run(["cp", "-a", str(self.template), str(d)], check=True)
        if broken_version:
            (d / "PG_VERSION").write_text(broken_version + "\n")
        return d

    def start(self, prefix="postgres", broken_version=None, wait=True):
        """Runs a container; returns (name, port). The name says postgres,
        so the check classifies its log without being told."""
        name = "preflight-%s-%s" % (prefix, uuid.uuid4().hex[:8])
        port = free_port()
        data = self.data_dir(broken_version)
        uid, gid = _postgres_ids()
        self.engine.run(
            "run", "-d", "--name", name, "--network", "host",
            "--user", "%d:%d" % (uid, gid),
            "-v", "%s:%s" % (data, DATA_IN_CONTAINER), IMAGE,
            self.bindir + "/postgres", "-D", DATA_IN_CONTAINER,
            "-p", str(port), "-c", "listen_addresses=127.0.0.1",
            "-k", "/tmp")
        if wait and not broken_version:
            self.wait_ready(name)
        return name, port

    def wait_ready(self, name, since=0, limit=20):
        """Waits for the server's own "ready" line (an open port is not
        enough: clients are turned away while it starts). With since, only
        a line after that many earlier ready lines counts."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r = self.engine.run("logs", name, check=False)
            text = r.stdout + r.stderr
            if text.count("ready to accept connections") > since:
                return
            time.sleep(0.05)
        raise RuntimeError("container %s did not become ready: %s"
                           % (name, text))

    def wait_exited(self, name, limit=10):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r = self.engine.run("inspect", "-f", "{{.State.Status}}", name)
            if r.stdout.strip() == "exited":
                return
            time.sleep(0.05)
        raise RuntimeError("container %s did not exit" % name)


def dsn_for(port, user="postgres", password=PASSWORD, db="postgres"):
    auth = user if password is None else "%s:%s" % (user, password)
    return "postgresql://%s@127.0.0.1:%d/%s" % (auth, port, db)


_shared = {}


def shared_podman():
    """The session's one podman service (started on first use)."""
    if "podman" not in _shared:
        _shared["podman"] = Podman()
    return _shared["podman"]


def shared_containers():
    """The session's one image and data template (made on first use)."""
    if "containers" not in _shared:
        _shared["containers"] = ContainerFactory(shared_podman(),
                                                 pg_bindir())
    return _shared["containers"]
