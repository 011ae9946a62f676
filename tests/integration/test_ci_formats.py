"""The CI formats of a real run are read by real parsers with the right
counts: JUnit XML by xml.etree, Prometheus text by prometheus_client's
exposition parser, TAP by its grammar; hostile server bytes included.
"""

import re
import xml.etree.ElementTree as ET

import pytest

from ci_helpers import BROKEN_COUNTS, HostileServer, broken_stack


@pytest.fixture
def broken(backend, refused_port):
    server = HostileServer()
    yield broken_stack(backend().url, refused_port, server.url)
    server.close()


def test_junit_file_parses_with_the_right_counts(preflight, broken):
    run = preflight("-f", "junit", "-o", "junit.xml", config=broken)
    assert run.rc == 1, run
    root = ET.parse(str(preflight.workdir / "junit.xml")).getroot()

    suites = root.findall("testsuite")
    assert root.tag == "testsuites" and len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert len(cases) == 6
    assert suite.get("tests") == "6"
    assert suite.get("failures") == str(BROKEN_COUNTS["fail"])
    assert suite.get("skipped") == str(BROKEN_COUNTS["skip"])
    assert len(suite.findall("testcase/failure")) == BROKEN_COUNTS["fail"]
    assert len(suite.findall("testcase/skipped")) == BROKEN_COUNTS["skip"]


def test_junit_failure_carries_the_message(preflight, broken):
    run = preflight("-f", "junit", config=broken)
    root = ET.fromstring(run.out)
    case = root.find("testsuite/testcase[@name='sync-api']")
    failure = case.find("failure")
    assert "503" in failure.get("message")
    assert failure.get("message") in failure.text
    assert float(case.get("time")) >= 0


def test_junit_warning_passes_with_message_and_hint(preflight, broken):
    run = preflight("-f", "junit", config=broken)
    root = ET.fromstring(run.out)
    case = root.find("testsuite/testcase[@name='db-port']")
    assert case.find("failure") is None
    out = case.find("system-out").text
    assert out.startswith("warning: ") and "refused" in out
    assert "\nhint: " in out


def test_junit_keeps_hostile_server_bytes_well_formed(preflight, broken):
    run = preflight("-f", "junit", config=broken)
    root = ET.fromstring(run.out.encode("utf-8"))
    failure = root.find("testsuite/testcase[@name='hostile']/failure")
    assert 'he said \\"no\\" ]]> <x/> &amp;' in failure.get("message")
    assert "]]>" not in run.out
    assert "\x01" not in run.out and "\x1b" not in run.out


def test_junit_skip_names_the_failed_prerequisite(preflight, broken):
    run = preflight("-f", "junit", config=broken)
    root = ET.fromstring(run.out)
    skipped = root.find("testsuite/testcase[@name='after-sync']/skipped")
    assert "sync-api" in skipped.get("message")


def test_tap_has_a_plan_and_one_point_per_check(preflight, broken):
    run = preflight("-f", "tap", config=broken)
    lines = run.out.splitlines()
    assert lines[:2] == ["TAP version 13", "1..6"]
    points = [l for l in lines if re.match(r"^(not )?ok \d+ ", l)]
    assert len(points) == 6
    assert sum(l.startswith("not ok") for l in points) == 2
    assert sum("# SKIP" in l for l in points) == 1


def test_tap_yaml_block_parses_with_hostile_server_bytes(preflight, broken):
    import yaml
    run = preflight("-f", "tap", config=broken)
    block = run.out.split("- hostile\n  ---\n", 1)[1].split("  ...\n")[0]
    diag = yaml.safe_load(block)
    assert diag["status"] == "fail" and diag["type"] == "http"
    assert 'he said \\"no\\" ]]> <x/>' in diag["message"]
    assert "\x1b" not in run.out


def parse_prometheus(text):
    from prometheus_client.parser import text_string_to_metric_families
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            samples[key] = s.value
    return samples


def test_prometheus_output_parses_with_the_right_values(preflight, broken):
    run = preflight("-f", "prometheus", config=broken)
    assert run.rc == 1, run
    samples = parse_prometheus(run.out)

    def status(check_id, check_type="http"):
        return samples[("preflight_check_status",
                        (("id", check_id), ("type", check_type)))]

    assert status("health") == 1
    assert status("sync-api") == 0
    assert status("db-port", "tcp") == 0
    for name, count in BROKEN_COUNTS.items():
        assert samples[("preflight_checks", (("status", name),))] == count
    assert samples[("preflight_last_run_success", ())] == 0
    assert samples[("preflight_last_run_timestamp_seconds", ())] > 1.5e9
    durations = [v for (n, _), v in samples.items()
                 if n == "preflight_check_duration_seconds"]
    assert len(durations) == 6 and all(d >= 0 for d in durations)


def test_prometheus_file_is_written_for_the_textfile_collector(preflight,
                                                               broken):
    run = preflight("-f", "prometheus", "-o", "preflight.prom",
                    config=broken)
    assert run.rc == 1, run
    text = (preflight.workdir / "preflight.prom").read_text()
    assert parse_prometheus(text)


def test_every_format_in_one_run_tells_the_same_story(preflight, broken):
    """-f text plus four files: one run, one result tree, five renderings
    that agree on every check's outcome."""
    import json
    run = preflight("-f", "text", "-f", "json:r.json", "-f", "junit:r.xml",
                    "-f", "tap:r.tap", "-f", "prometheus:r.prom",
                    config=broken)
    assert run.rc == 1, run
    work = preflight.workdir
    report = json.loads((work / "r.json").read_text())
    want = {c["id"]: c["status"] for c in report["checks"]}

    text = {l.split()[1]: l.split()[0].lower() for l in run.out.splitlines()
            if l[:4] in ("PASS", "FAIL", "WARN", "SKIP")}
    assert text == want

    suite = ET.parse(str(work / "r.xml")).getroot().find("testsuite")
    junit = {}
    for case in suite.findall("testcase"):
        junit[case.get("name")] = (
            "fail" if case.find("failure") is not None else
            "skip" if case.find("skipped") is not None else
            "warn" if (case.findtext("system-out") or "").startswith(
                "warning: ") else "pass")
    assert junit == want

    tap = {}
    for line in (work / "r.tap").read_text().splitlines():
        m = re.match(r"^(not ok|ok) \d+ - (\S+)( # SKIP)?", line)
        if m:
            tap[m.group(2)] = ("fail" if m.group(1) == "not ok" else
                               "skip" if m.group(3) else "ok")
    assert tap == {k: v if v in ("fail", "skip") else "ok"
                   for k, v in want.items()}

    prom = parse_prometheus((work / "r.prom").read_text())
    for check_id, status in want.items():
        value = [v for (n, labels), v in prom.items()
                 if n == "preflight_check_status"
                 and dict(labels)["id"] == check_id]
        assert value == [1 if status == "pass" else 0]
