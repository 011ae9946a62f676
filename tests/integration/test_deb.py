"""`make deb` builds a package that declares the libraries preflight links
and holds the binary, the man page, the completion and the schemas."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ci_helpers import ROOT


@pytest.fixture(scope="module")
def deb():
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is needed")
    build = Path(os.environ["PREFLIGHT_BIN"]).parent
    # -o all: package the binary under test, never rebuild it
    res = subprocess.run(["make", "-s", "-C", str(ROOT), "-o", "all",
                          "BUILD=%s" % build, "deb"], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return Path(res.stdout.strip().splitlines()[-1])


def field(deb, name):
    res = subprocess.run(["dpkg-deb", "-f", str(deb), name],
                         capture_output=True, text=True, check=True)
    return res.stdout.strip()


def test_deb_declares_the_libraries_it_links(deb):
    depends = field(deb, "Depends")
    for lib in ("libcurl4", "libpq5", "libcjson1", "libc6"):
        assert lib in depends
    assert field(deb, "Package") == "preflight"


def test_deb_holds_binary_man_page_completion_and_schemas(deb):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)],
                             capture_output=True, text=True,
                             check=True).stdout
    for path in ("./usr/bin/preflight", "./usr/share/man/man1/preflight.1.gz",
                 "./usr/share/bash-completion/completions/preflight",
                 "./usr/share/preflight/schema/config.schema.json",
                 "./usr/share/preflight/schema/report.schema.json"):
        assert path in listing


def test_deb_binary_runs(deb, tmp_path):
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp_path)], check=True)
    res = subprocess.run([str(tmp_path / "usr/bin/preflight"), "--version"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0 and res.stdout.startswith("preflight ")
