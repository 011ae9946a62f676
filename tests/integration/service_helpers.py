"""A real background sync service for the service and log-scan tests.

  SyncService(dir, python)   copies tests/fixtures/sync (the manage script
                             and the worker) into dir, with the worker run
                             by `python`; .manage(verb) runs the script,
                             .wait_log(text) waits until the log holds
                             text, .kill() ends the worker whatever state
                             it is in.
  light_venv(path)           a venv without aiohttp or httpx whose
                             `python -m pip` works offline in a second:
                             Debian's pip is reached through a .pth file
                             instead of being copied in by ensurepip
                             (which takes ten seconds).
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from pydeps_helpers import make_venv, site_packages

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sync"
DEBIAN_PIP = Path("/usr/lib/python3/dist-packages/pip")


def light_venv(path):
    venv = make_venv(path)
    shim = Path(path) / "pip-shim"
    shim.mkdir()
    (shim / "pip").symlink_to(DEBIAN_PIP)
    (site_packages(venv) / "pip_shim.pth").write_text(str(shim) + "\n")
    return venv


class SyncService:
    def __init__(self, directory, python="/usr/bin/python3"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in ("manage_background_sync.sh", "background_sync.py"):
            shutil.copy2(FIXTURE / name, self.dir / name)
        (self.dir / "background_sync.env").write_text(
            "PYTHON=%s\n" % python)
        self.script = self.dir / "manage_background_sync.sh"
        self.log = self.dir / "background_sync.log"
        self.pidfile = self.dir / "background_sync.pid"

    def argv(self, verb):
        return [str(self.script), verb]

    def manage(self, verb):
        return subprocess.run(self.argv(verb), capture_output=True,
                              text=True, timeout=20,
                              stdin=subprocess.DEVNULL)

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text, limit=10.0, count=1):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.log_text().count(text) >= count:
                return
            time.sleep(0.05)
        raise AssertionError("%r never appeared in the log:\n%s"
                             % (text, self.log_text()))

    def pid(self):
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def kill(self):
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
