"""The JSON Schemas in docs/schema describe what preflight really accepts
and really writes: real reports validate, the example configs validate and
load, and configs preflight refuses are refused by the schema too.
"""

import json

import pytest

from ci_helpers import (EXAMPLES, HostileServer, broken_stack,
                        schema_errors, validator)


@pytest.fixture
def hostile():
    server = HostileServer()
    yield server
    server.close()


@pytest.mark.parametrize("name", ["config.schema.json",
                                  "report.schema.json"])
def test_schema_is_valid_draft_2020_12(name):
    validator(name)


def example_configs():
    return sorted(p for p in EXAMPLES.rglob("*.json"))


def test_there_are_example_configs():
    assert len(example_configs()) >= 2


@pytest.mark.parametrize("path", example_configs(), ids=lambda p: p.name)
def test_example_config_validates_against_schema(path):
    assert schema_errors("config.schema.json",
                         json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", example_configs(), ids=lambda p: p.name)
def test_example_config_loads_in_preflight(preflight, path):
    run = preflight("--list", "-c", path)
    assert run.rc == 0, run


REFUSED = [
    ("unknown top-level key", {"checks": [], "extra": 1}),
    ("no id", {"checks": [{"type": "tcp", "targets": ["a:1"]}]}),
    ("bad id", {"checks": [{"id": "a b", "type": "tcp",
                            "targets": ["a:1"]}]}),
    ("unknown type", {"checks": [{"id": "a", "type": "htp"}]}),
    ("unknown key", {"checks": [{"id": "a", "type": "tcp",
                                 "targets": ["a:1"], "url": "x"}]}),
    ("wrong type of value", {"checks": [{"id": "a", "type": "tcp",
                                         "targets": "a:1"}]}),
    ("bad severity", {"checks": [{"id": "a", "type": "tcp",
                                  "targets": ["a:1"],
                                  "severity": "fatal"}]}),
    ("negative timeout", {"checks": [{"id": "a", "type": "tcp",
                                      "targets": ["a:1"], "timeout": -1}]}),
    ("tags not strings", {"checks": [{"id": "a", "type": "tcp",
                                      "targets": ["a:1"], "tags": [1]}]}),
    ("http without url", {"checks": [{"id": "a", "type": "http"}]}),
]


@pytest.mark.parametrize("what, config", REFUSED, ids=[r[0] for r in REFUSED])
def test_schema_refuses_what_preflight_refuses(preflight, what, config):
    assert schema_errors("config.schema.json", config) != []
    run = preflight("--list", config=config)
    assert run.rc == 2, run


def test_report_of_a_broken_stack_validates(preflight, backend,
                                            refused_port, hostile):
    config = broken_stack(backend().url, refused_port, hostile.url)
    run = preflight("-f", "json", config=config)
    assert run.rc == 1, run
    assert schema_errors("report.schema.json", run.json) == []
    statuses = [c["status"] for c in run.json["checks"]]
    assert statuses == ["pass", "pass", "fail", "skip", "warn", "fail"]


def test_report_with_a_fix_validates(preflight, tmp_path):
    script = tmp_path / "start.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)
    config = {"checks": [{"id": "scripts", "type": "permissions",
                          "paths": [{"path": str(script),
                                     "mode": "executable"}]}]}
    run = preflight("-f", "json", "--fix", config=config)
    assert run.rc == 0, run
    assert schema_errors("report.schema.json", run.json) == []
    fix = run.check("scripts")["fix"]
    assert fix["applied"] is True and fix["recheck"] == "pass"


def test_report_of_a_dry_run_validates(preflight, tmp_path):
    script = tmp_path / "start.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)
    config = {"checks": [{"id": "scripts", "type": "permissions",
                          "paths": [{"path": str(script),
                                     "mode": "executable"}]}]}
    run = preflight("-f", "json", "--fix", "--dry-run", config=config)
    assert run.rc == 1, run
    assert schema_errors("report.schema.json", run.json) == []
    assert script.stat().st_mode & 0o111 == 0


def test_report_of_the_default_profile_validates(preflight, backend):
    run = preflight("-f", "json",
                    env={"PREFLIGHT_BACKEND_URL": backend().url})
    assert run.rc in (0, 1), run
    assert schema_errors("report.schema.json", run.json) == []
