"""Secrets: passwords in URLs and DSNs, Authorization headers and
values of keys named like secrets are planted in a config, and every output
preflight makes is searched for them: each report format with -v, stderr,
-o files, --list, --explain, --fix --dry-run actions, captured command
output, and the messages of refused configs."""

import json
import subprocess

import pytest

from hostile_peers import HostileServer

URL_PW = "urlpw-Q7x9c"
AUTH = "authtok-Z3k8d"
TOKEN = "tokval-P4m2e"
API_KEY = "apikey-W5n1f"
DSN_PW = "dsnpw-R8v3g"
KV_PW = "kvpw-T6c4h"
PLANTED = [URL_PW, AUTH, TOKEN, API_KEY, DSN_PW, KV_PW]
FORMATS = ["text", "json", "junit", "tap", "prometheus"]


@pytest.fixture(scope="module")
def server():
    s = HostileServer()
    yield s
    s.close()


def secret_checks(server, refused):
    return [
        {"id": "echo", "type": "http",
         "url": "http://admin:%s@127.0.0.1:%d/echo" % (URL_PW, server.port),
         "method": "POST",
         "headers": {"Authorization": "Bearer " + AUTH, "X-Token": TOKEN},
         "body": {"api_key": API_KEY, "token": TOKEN},
         "expect": {"status": 200, "body_contains": ["never there"]}},
        {"id": "db-url", "type": "postgres",
         "dsn": "postgresql://app:%s@127.0.0.1:%d/app" % (DSN_PW, refused)},
        {"id": "db-kv", "type": "postgres",
         "dsn": "host=127.0.0.1 port=%d user=app password=%s dbname=app"
                % (refused, KV_PW)},
        {"id": "worker", "type": "service",
         "status": ["/bin/sh", "-c",
                    "echo connecting with password=%s token %s; "
                    "echo postgresql://app:%s@db/app >&2; exit 3"
                    % (DSN_PW, TOKEN, DSN_PW)],
         "start": ["/bin/echo", "--password=" + KV_PW, API_KEY]},
    ]


def assert_clean(where, data):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    for secret in PLANTED:
        assert secret not in data, "%s shows %s:\n%s" % (where, secret, data)


@pytest.fixture
def config(server, refused_port):
    return {"checks": secret_checks(server, refused_port)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_format_shows_a_secret(preflight, config, fmt):
    r = preflight("-f", fmt, "-v", config=config)
    assert r.rc == 1, r
    assert "echo" in r.out, r
    assert_clean("-f %s -v stdout" % fmt, r.out_bytes)
    assert_clean("-f %s -v stderr" % fmt, r.err_bytes)


def test_the_server_echo_really_carries_the_secrets(preflight, config):
    # Guards the test above: the planted values do reach the report's
    # inputs (masked), so their absence is the masking's doing.
    r = preflight("-f", "json", "-v", config=config)
    echo = json.dumps(r.check("echo"))
    worker = json.dumps(r.check("worker"))
    assert "***" in echo and "***" in worker, (echo, worker)


def test_report_files_and_the_summary_line(preflight, config, tmp_path):
    args = []
    for fmt in FORMATS:
        args += ["-f", "%s:%s" % (fmt, tmp_path / ("report." + fmt))]
    r = preflight(*args, config=config)
    assert r.rc == 1, r
    assert_clean("stderr", r.err_bytes)
    for fmt in FORMATS:
        assert_clean("report." + fmt, (tmp_path / ("report." + fmt))
                     .read_bytes())


def test_list_and_explain(preflight, config):
    r = preflight("--list", "-v", config=config)
    assert r.rc == 0, r
    assert_clean("--list", r.out_bytes + r.err_bytes)
    for check in config["checks"]:
        r = preflight("--explain", check["id"], config=config)
        assert r.rc == 0, r
        assert_clean("--explain " + check["id"], r.out_bytes + r.err_bytes)


def test_fix_dry_run_actions(preflight, config):
    r = preflight("--fix", "--dry-run", "-f", "json", "-v", "worker",
                  config=config)
    fix = r.check("worker").get("fix")
    assert fix and fix["actions"], r
    assert_clean("--fix --dry-run", r.out_bytes + r.err_bytes)


def test_a_refused_config_does_not_echo_its_secrets(preflight, config):
    config["checks"][0]["bogus"] = TOKEN
    config["checks"][1]["timeout"] = DSN_PW
    config["checks"][3]["start"] = [URL_PW, 5]
    r = preflight(config=config)
    assert r.rc == 2, r
    assert_clean("refused config", r.out_bytes + r.err_bytes)


@pytest.mark.parametrize("broken", [
    '{"checks": [{"id": "db", "type": "postgres", "dsn": '
    'postgresql://app:%s@db/app"}]}' % DSN_PW,
    '{"checks": [{"id": "db", "type": "postgres", "password": %s}]}'
    % DSN_PW,
    '{"checks": [{"id": "h", "type": "http", "url": "http://x/", '
    '"headers": {"Authorization": Bearer %s}}]}' % AUTH,
])
def test_a_syntax_error_near_a_secret_does_not_show_it(preflight, broken):
    r = preflight(config=broken)
    assert r.rc == 2, r
    assert "not valid JSON" in r.err, r
    for secret in PLANTED:
        for n in range(6, len(secret) + 1):
            assert secret[:n] not in r.err, (secret[:n], r.err)
