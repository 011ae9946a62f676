"""scripts/bench keeps working: its smoke mode starts the backend and a
PostgreSQL cluster, runs every section of its own once with small sizes,
and writes a complete document (the full benchmark is `make bench`)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "scripts" / "bench"
SECTIONS = [
    "## Goals",
    "## Machine and versions",
    "## The incident's manual steps against preflight",
    "## monitoring-plugins",
    "## Failure paths",
    "## Growth: HTTP checks against one server",
    "## Growth: container logs and service logs",
    "## Growth: requirements files",
    "## Where the time goes: a one-check run",
]


def build_dir():
    return str(Path(os.environ["PREFLIGHT_BIN"]).resolve().parent)


def run_bench(*args, timeout=120):
    return subprocess.run([str(BENCH)] + list(args), capture_output=True,
                          text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if not shutil.which("hyperfine"):
        pytest.fail("hyperfine is missing: scripts/install-deps --install "
                    "test")
    if os.environ.get("PREFLIGHT_WRAPPER"):
        pytest.skip("timings mean nothing under a wrapper")
    out = tmp_path_factory.mktemp("bench") / "PERFORMANCE.md"
    r = run_bench("--smoke", "--build", build_dir(), "--output", str(out))
    return r, out


def goals(doc):
    """The rows of the Goals table: [comparison, goal, measured, met]."""
    part = doc.split("## Goals", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in part.splitlines()
            if line.startswith("| ") and not line.startswith("| comparison")]
    return [[c.strip() for c in row] for row in rows]


def test_smoke_mode_exits_zero_and_writes_the_document(smoke):
    r, out = smoke
    assert r.returncode == 0, r.stderr
    assert out.exists()
    assert "wrote %s" % out in r.stderr


def test_smoke_document_has_every_section_in_order(smoke):
    doc = smoke[1].read_text()
    where = [doc.find(s) for s in SECTIONS]
    assert -1 not in where, [s for s, w in zip(SECTIONS, where) if w < 0]
    assert where == sorted(where)


def test_smoke_goals_carry_measured_figures(smoke):
    rows = goals(smoke[1].read_text())
    names = [row[0] for row in rows]
    assert "incident's manual steps vs preflight" in names
    assert "five hung endpoints, 1 s deadline each" in names
    for row in rows:
        assert len(row) == 4, row
        if row[2] != "not run":
            assert re.search(r"\d", row[2]), row
        assert row[3] in ("yes", "**no**"), row


def test_smoke_hung_endpoints_cost_one_deadline_not_five(smoke):
    row = [r for r in goals(smoke[1].read_text())
           if r[0].startswith("five hung endpoints")][0]
    measured = float(row[2].split()[0])
    assert 900 <= measured < 3000, row


def test_smoke_tables_hold_numbers_not_placeholders(smoke):
    doc = smoke[1].read_text()
    for bad in ("nan", "None", "inf ms", "0.0 ms | 0.0 ms"):
        assert bad not in doc, bad
    assert re.search(r"\| `preflight` \| [\d.]+ ms \|", doc)


def test_missing_build_is_refused_with_the_make_command(tmp_path):
    r = run_bench("--smoke", "--build", str(tmp_path / "nowhere"),
                  "--output", str(tmp_path / "out.md"), timeout=30)
    assert r.returncode == 2
    assert "make BUILD=" in r.stderr
    assert not (tmp_path / "out.md").exists()
