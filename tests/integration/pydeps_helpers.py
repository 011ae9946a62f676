"""Real Python environments for the python-deps tests.

No package index is reachable, so the packages are built here: a wheel is
a zip holding the package and a NAME-VERSION.dist-info folder (METADATA,
WHEEL, top_level.txt, RECORD), which is all pip needs to install it.

  build_wheel(dest, name, version, body=...)   writes a py3-none-any wheel
  make_venv(path, pip=False, system_site=False) creates a venv with Debian's
                                               python3-venv
  unpack_wheel(venv, wheel)                    installs a pure wheel the way
                                               an installer lays it out,
                                               without starting Python
  installed(venv)                              {normalised name: version}
                                               read from the venv's
                                               dist-info folders
"""

import base64
import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

PYTHON = "/usr/bin/python3"


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def build_wheel(dest, name, version, body=None, requires=()):
    """Writes dest/NAME-VERSION-py3-none-any.whl and returns its path.

    requires: Requires-Dist values, e.g. 'helper>=2 ; extra == "fast"'.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    module = re.sub(r"[-.]+", "_", name).lower()
    dist = "%s-%s" % (re.sub(r"[-_.]+", "_", name), version)
    if body is None:
        body = "__version__ = %r\n" % version
    files = {
        "%s/__init__.py" % module: body,
        "%s.dist-info/METADATA" % dist:
            "Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: test package built by the preflight tests\n%s\n"
            % (name, version,
               "".join("Requires-Dist: %s\n" % r for r in requires)),
        "%s.dist-info/WHEEL" % dist:
            "Wheel-Version: 1.0\nGenerator: preflight-tests\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n",
        "%s.dist-info/top_level.txt" % dist: module + "\n",
    }
    record = ""
    for path, text in files.items():
        data = text.encode()
        record += "%s,%s,%d\n" % (path, _record_hash(data), len(data))
    record += "%s.dist-info/RECORD,,\n" % dist
    files["%s.dist-info/RECORD" % dist] = record
    wheel = dest / ("%s-py3-none-any.whl" % dist)
    with zipfile.ZipFile(wheel, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    return wheel


def make_venv(path, pip=False, system_site=False):
    argv = [PYTHON, "-m", "venv"]
    if not pip:
        argv.append("--without-pip")
    if system_site:
        argv.append("--system-site-packages")
    subprocess.run(argv + [str(path)], check=True, timeout=120)
    return Path(path)


def site_packages(venv):
    found = sorted(Path(venv).glob("lib/python3*/site-packages"))
    assert found, "no site-packages in %s" % venv
    return found[0]


def unpack_wheel(venv, wheel):
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site_packages(venv))


def installed(venv):
    out = {}
    for info in site_packages(venv).glob("*.dist-info"):
        meta = (info / "METADATA").read_text()
        name = re.search(r"^Name: (.*)$", meta, re.M).group(1).strip()
        version = re.search(r"^Version: (.*)$", meta, re.M).group(1).strip()
        out[normalise(name)] = version
    return out


def system_version(name):
    """The version Debian's /usr/bin/python3 sees, or None."""
    proc = subprocess.run(
        [PYTHON, "-c", "import importlib.metadata as m, sys\n"
         "try: print(m.version(sys.argv[1]))\n"
         "except m.PackageNotFoundError: pass", name],
        capture_output=True, text=True, timeout=30)
    return proc.stdout.strip() or None
