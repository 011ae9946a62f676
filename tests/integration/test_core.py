"""The core's promises, checked by running the built binary.

Every test drives $PREFLIGHT_BIN against real servers on 127.0.0.1 (the
fixture backend under uvicorn, a refused port) or a real scratch directory,
and asserts the exit status, the report and the wording a person reads.
"""

import json
import os
import pty
import re
import select
import socket
import stat
import subprocess
import time

import pytest

ANSI = re.compile(r"\x1b\[")
STATUSES = {"pass", "warn", "fail", "skip"}
# Under a wrapper such as valgrind (make valgrind) wall-clock limits do not
# hold; every other assertion still does.
WRAPPED = bool(os.environ.get("PREFLIGHT_WRAPPER"))


def http(check_id, url, **keys):
    return dict(id=check_id, type="http", url=url, **keys)


def config(*checks):
    return {"checks": list(checks)}


def make_file(path, mode=0o644, text="#!/bin/sh\necho hi\n"):
    path.write_text(text)
    path.chmod(mode)
    return path


def assert_within(run, seconds):
    if not WRAPPED:
        assert run.elapsed < seconds, run


def lower(entry):
    """A check entry's message, hint and details as one lowercase text."""
    return json.dumps(entry).lower()


# ---- http ---------------------------------------------------------------


def test_healthy_health_passes(backend, preflight):
    b = backend("healthy")
    r = preflight("-f", "json", config=config(http(
        "health", b.url + "/health",
        expect={"status": 200, "json": {"status": "healthy"}})))
    assert r.rc == 0, r
    assert r.check("health")["status"] == "pass"
    assert r.json["status"] == "pass"


def test_http_details_carry_timings(backend, preflight):
    r = preflight("-f", "json", config=config(
        http("health", backend().url + "/health")))
    details = r.check("health")["details"]
    keys = " ".join(details).lower()
    assert "connect" in keys and "total" in keys, details


@pytest.mark.parametrize("variant, expected, got", [
    ("unhealthy", "200", "503"),
    ("wrong-json", "healthy", "degraded"),
])
def test_health_failure_says_expected_and_got(backend, preflight, variant,
                                              expected, got):
    b = backend(variant)
    r = preflight("-f", "json", config=config(http(
        "health", b.url + "/health",
        expect={"status": 200, "json": {"status": "healthy"}})))
    c = r.check("health")
    assert r.rc == 1, r
    assert c["status"] == "fail"
    assert expected in c["message"] and got in c["message"], c["message"]


def test_non_json_body_fails_saying_it_is_not_json(backend, preflight):
    b = backend("not-json")
    r = preflight("-f", "json", config=config(http(
        "health", b.url + "/health",
        expect={"json": {"status": "healthy"}})))
    c = r.check("health")
    assert r.rc == 1 and c["status"] == "fail", r
    assert re.search(r"not (valid )?json|invalid json|json.*pars",
                     c["message"], re.I), c["message"]


def test_default_expectation_is_any_2xx(backend, preflight):
    b = backend("healthy")
    r = preflight("-f", "json", config=config(
        http("created", b.url + "/status/201"),
        http("teapot", b.url + "/status/418")))
    assert r.check("created")["status"] == "pass"
    assert r.check("teapot")["status"] == "fail"
    assert "418" in r.check("teapot")["message"]


def test_status_list_accepts_any_listed(backend, preflight):
    r = preflight("-f", "json", config=config(http(
        "health", backend("unhealthy").url + "/health",
        expect={"status": [200, 503]})))
    assert r.rc == 0, r


def test_redirect_is_not_followed_unless_asked(backend, preflight):
    r = preflight("-f", "json", config=config(
        http("moved", backend().url + "/redirect")))
    c = r.check("moved")
    assert c["status"] == "fail" and "302" in c["message"], c


def test_follow_redirects_when_asked(backend, preflight):
    r = preflight("-f", "json", config=config(http(
        "moved", backend().url + "/redirect", follow_redirects=True,
        expect={"json": {"status": "healthy"}})))
    assert r.rc == 0, r


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_hostile_body_is_escaped_in_reports(fmt, backend, preflight):
    r = preflight("-f", fmt, "-v", config=config(http(
        "junk", backend().url + "/junk",
        expect={"json": {"status": "healthy"}})))
    assert r.rc == 1, r
    out = r.out_bytes.decode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out), repr(out)
    if fmt == "json":
        assert "not JSON" in r.check("junk")["message"]


def test_nested_json_and_body_contains(backend, preflight):
    b = backend()
    r = preflight("-f", "json", config=config(
        http("spec", b.url + "/openapi.json",
             expect={"json": {"info": {"title": "sync backend"}}}),
        http("spec-wrong", b.url + "/openapi.json",
             expect={"json": {"info": {"title": "other"}}}),
        http("docs", b.url + "/docs",
             expect={"body_contains": "swagger-ui"}),
        http("docs-wrong", b.url + "/docs",
             expect={"body_contains": "no such text here"})))
    got = {c["id"]: c["status"] for c in r.json["checks"]}
    assert got == {"spec": "pass", "spec-wrong": "fail",
                   "docs": "pass", "docs-wrong": "fail"}
    assert "other" in r.check("spec-wrong")["message"]


def test_post_with_json_body(backend, preflight):
    r = preflight("-f", "json", config=config(http(
        "sync", backend().url + "/api/v1/sync/start", method="POST",
        headers={"Content-Type": "application/json"},
        body='{"max_emails": 1000}',
        expect={"status": 200, "json": {"max_emails": 1000}})))
    assert r.rc == 0, r


def test_body_is_capped(backend, preflight):
    url = backend().url + "/big?bytes=%d" % (2 * 1024 * 1024)
    r = preflight("-f", "json", config=config(
        http("default-cap", url),
        http("raised-cap", url, max_body=4 * 1024 * 1024)))
    capped = r.check("default-cap")
    assert capped["status"] == "fail"
    assert re.search(r"larger|limit|cap", capped["message"], re.I), capped
    assert r.check("raised-cap")["status"] == "pass"


def test_hung_endpoint_fails_at_deadline_while_healthy_passes(backend,
                                                              preflight):
    b = backend()
    r = preflight("-f", "json", config=config(
        http("hung", b.url + "/hang", timeout=1),
        http("health", b.url + "/health")))
    hung = r.check("hung")
    assert r.rc == 1, r
    assert r.check("health")["status"] == "pass"
    assert hung["status"] == "fail"
    assert re.search(r"time|deadline", hung["message"], re.I), hung
    assert 900 <= hung["duration_ms"], hung
    if not WRAPPED:
        assert hung["duration_ms"] <= 2000, hung
    assert_within(r, 3)


def test_fractional_timeout_holds(backend, preflight):
    r = preflight("-f", "json", config=config(
        http("hung", backend().url + "/hang", timeout=0.5)))
    assert r.check("hung")["status"] == "fail"
    assert_within(r, 1.5)


def test_timeout_option_sets_default_deadline(backend, preflight):
    r = preflight("-f", "json", "--timeout", "1", config=config(
        http("hung", backend().url + "/hang")))
    assert r.check("hung")["status"] == "fail"
    assert_within(r, 2.5)


def test_trickling_body_fails_at_deadline(backend, preflight):
    r = preflight("-f", "json", config=config(
        http("slow", backend().url + "/slow-bytes", timeout=1)))
    assert r.check("slow")["status"] == "fail"
    assert_within(r, 2.5)


def test_jobs_limits_how_many_run_at_once(backend, preflight):
    b = backend()
    r = preflight("-f", "json", "-j", "1", config=config(
        http("hung-1", b.url + "/hang", timeout=0.6),
        http("hung-2", b.url + "/hang", timeout=0.6)))
    assert [c["status"] for c in r.json["checks"]] == ["fail", "fail"]
    assert r.elapsed >= 1.1, r


def test_hung_checks_run_at_the_same_time(backend, preflight):
    b = backend()
    r = preflight("-f", "json", config=config(
        *[http("hung-%d" % i, b.url + "/hang", timeout=1)
          for i in range(4)]))
    assert [c["status"] for c in r.json["checks"]] == ["fail"] * 4
    assert_within(r, 2.5)


def test_refused_connection_fails_at_once(refused_port, preflight):
    r = preflight("-f", "json", config=config(http(
        "health", "http://127.0.0.1:%d/health" % refused_port,
        timeout=5)))
    c = r.check("health")
    assert r.rc == 1 and c["status"] == "fail", r
    assert "refused" in c["message"].lower(), c
    assert_within(r, 1.5)


def test_unresolvable_host_has_its_own_sentence(preflight):
    r = preflight("-f", "json", config=config(http(
        "health", "http://no-such-host.invalid/health", timeout=3)))
    c = r.check("health")
    assert c["status"] == "fail"
    assert re.search(r"resolv|dns|name", c["message"], re.I), c
    assert "refused" not in c["message"].lower()


def test_each_network_failure_has_its_own_sentence(backend, refused_port,
                                                   blackhole_port, preflight):
    host = "127.0.0.1:%d" % backend().port
    cases = {
        "refused": ("http://127.0.0.1:%d/" % refused_port, r"refused"),
        "dns": ("http://no-such-host.invalid/", r"resolv|dns"),
        "tls": ("https://%s/health" % host, r"tls|ssl"),
        "timeout": ("http://%s/hang" % host, r"deadline|timed? ?out"),
        "connect-timeout": ("http://127.0.0.1:%d/" % blackhole_port,
                            r"deadline|timed? ?out"),
    }
    r = preflight("-f", "json", config=config(
        *[http(k, url, timeout=1) for k, (url, _) in cases.items()]))
    for key, (_, words) in cases.items():
        message = r.check(key)["message"]
        for other, (_, other_words) in cases.items():
            found = re.search(other_words, message, re.I)
            same = other_words == words
            assert bool(found) == same, (key, other, message)


# ---- tcp ----------------------------------------------------------------


def tcp(check_id, *targets, **keys):
    return dict(id=check_id, type="tcp", targets=list(targets), **keys)


def test_tcp_tells_refusal_resolution_timeout_and_open_apart(
        backend, refused_port, blackhole_port, preflight):
    r = preflight("-f", "json", config=config(
        tcp("open", "127.0.0.1:%d" % backend().port),
        tcp("refused", "127.0.0.1:%d" % refused_port),
        tcp("unresolved", "no-such-host.invalid:80", timeout=1),
        tcp("silent", "127.0.0.1:%d" % blackhole_port, timeout=1)))
    assert r.check("open")["status"] == "pass"
    words = {"refused": r"refused", "unresolved": r"resolv|dns",
             "silent": r"timed? ?out|deadline"}
    for key in words:
        c = r.check(key)
        assert c["status"] == "fail", c
        for other, pattern in words.items():
            found = re.search(pattern, c["message"], re.I)
            assert bool(found) == (other == key), (key, other, c)
    assert_within(r, 2.5)


def test_tcp_takes_bracketed_ipv6_targets(preflight):
    with socket.socket(socket.AF_INET6) as listener:
        listener.bind(("::1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        r = preflight("-f", "json", config=config(
            tcp("v6", "[::1]:%d" % port)))
    assert r.check("v6")["status"] == "pass", r


def test_tcp_names_each_failing_target(backend, refused_port, preflight):
    bad = "127.0.0.1:%d" % refused_port
    r = preflight("-f", "json", config=config(tcp(
        "ports", "127.0.0.1:%d" % backend().port, bad,
        "no-such-host.invalid:80", timeout=3)))
    c = r.check("ports")
    assert c["status"] == "fail"
    text = lower(c)
    assert bad in text and "no-such-host.invalid" in text, c


# ---- permissions --------------------------------------------------------


def perms(check_id, *paths, **keys):
    return dict(id=check_id, type="permissions", paths=list(paths), **keys)


def test_permissions_name_each_problem_per_path(tmp_path, preflight):
    missing = tmp_path / "missing.sh"
    not_dir = make_file(tmp_path / "plain-file")
    not_exec = make_file(tmp_path / "start.sh")
    r = preflight("-f", "json", config=config(
        perms("missing", {"path": str(missing), "kind": "file"}),
        perms("kind", {"path": str(not_dir), "kind": "dir"}),
        perms("mode", {"path": str(not_exec), "mode": "executable"})))
    want = {"missing": (missing, r"exist|missing|not found"),
            "kind": (not_dir, r"not a dir|directory"),
            "mode": (not_exec, r"execut")}
    for check_id, (path, words) in want.items():
        c = r.check(check_id)
        assert c["status"] == "fail", c
        assert path.name in c["message"], c
        assert re.search(words, c["message"], re.I), c


def test_permissions_one_check_names_every_bad_path(tmp_path, preflight):
    good = make_file(tmp_path / "good.sh", 0o755)
    bad1 = make_file(tmp_path / "bad-one.sh")
    bad2 = tmp_path / "bad-two-missing"
    r = preflight("-f", "json", config=config(perms(
        "scripts", {"path": str(good), "mode": "executable"},
        {"path": str(bad1), "mode": "executable"},
        {"path": str(bad2), "mode": "executable"})))
    text = lower(r.check("scripts"))
    assert "bad-one.sh" in text and "bad-two-missing" in text


def test_permissions_pass_and_exact_octal_mode(tmp_path, preflight):
    script = make_file(tmp_path / "run.sh", 0o755)
    data = make_file(tmp_path / "data.txt", 0o644)
    r = preflight("-f", "json", config=config(
        perms("ok", {"path": str(script), "mode": "executable",
                     "kind": "file"},
              {"path": str(tmp_path), "kind": "dir"}),
        perms("octal", {"path": str(data), "mode": "0600"})))
    assert r.check("ok")["status"] == "pass"
    octal = r.check("octal")
    assert octal["status"] == "fail"
    assert "0644" in octal["message"] or "644" in octal["message"], octal


# ---- fixes --------------------------------------------------------------


def test_fix_dry_run_changes_nothing(tmp_path, preflight):
    script = make_file(tmp_path / "start.sh", 0o644)
    r = preflight("-f", "json", "--fix", "--dry-run", config=config(
        perms("scripts", {"path": str(script), "mode": "executable"})))
    assert stat.S_IMODE(script.stat().st_mode) == 0o644
    assert r.rc == 1, r
    fix = r.check("scripts")["fix"]
    assert fix["actions"] and not fix["applied"], fix
    assert "start.sh" in " ".join(fix["actions"])


def test_fix_makes_script_executable_and_proves_it(tmp_path, preflight):
    script = make_file(tmp_path / "start.sh", 0o644)
    r = preflight("-f", "json", "--fix", config=config(
        perms("scripts", {"path": str(script), "mode": "executable"})))
    mode = stat.S_IMODE(script.stat().st_mode)
    assert mode & 0o100, oct(mode)
    assert not mode & 0o022, "fix loosened write bits: " + oct(mode)
    fix = r.check("scripts")["fix"]
    assert fix["applied"] is True and fix["recheck"] == "pass", fix
    assert r.rc == 0, r
    assert r.json["summary"]["fixed"] == 1


@pytest.mark.parametrize("before, mode, after", [
    (0o600, "executable", 0o700),
    (0o640, "executable", 0o750),
    (0o444, "writable", 0o644),
    (0o644, "0600", 0o600),
])
def test_fix_adds_only_the_missing_bits(before, mode, after, tmp_path,
                                        preflight):
    path = make_file(tmp_path / "f", before)
    r = preflight("-f", "json", "--fix", config=config(
        perms("p", {"path": str(path), "mode": mode})))
    assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(after), r
    assert r.check("p")["fix"]["recheck"] == "pass"


def test_fix_twice_changes_nothing_the_second_time(tmp_path, preflight):
    script = make_file(tmp_path / "start.sh", 0o644)
    cfg = config(perms("scripts", {"path": str(script),
                                   "mode": "executable"}))
    preflight("--fix", config=cfg)
    mode = script.stat().st_mode
    r = preflight("-f", "json", "--fix", config=cfg)
    assert r.rc == 0 and script.stat().st_mode == mode
    assert not (r.check("scripts").get("fix") or {}).get("applied")


def test_dry_run_prints_the_actions_in_text(tmp_path, preflight):
    script = make_file(tmp_path / "start.sh", 0o644)
    r = preflight("--fix", "--dry-run", config=config(
        perms("scripts", {"path": str(script), "mode": "executable"})))
    assert re.search(r"chmod.*start\.sh", r.out), r.out
    assert stat.S_IMODE(script.stat().st_mode) == 0o644


def test_fix_takes_shell_characters_literally(tmp_path, preflight):
    name = "a b;touch pwned1;$(touch pwned2)`touch pwned3`'\"\nx"
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    script = make_file(scripts / name, 0o644)
    r = preflight("-f", "json", "--fix", cwd=scripts, config=config(
        perms("scripts", {"path": str(script), "mode": "executable"})))
    assert r.check("scripts")["fix"]["recheck"] == "pass", r
    assert os.access(script, os.X_OK)
    assert sorted(os.listdir(scripts)) == [name], "a fix ran a shell"


def test_create_true_creates_missing_directory(tmp_path, preflight):
    target = tmp_path / "var" / "spool"
    cfg = config(perms("spool", {"path": str(target), "kind": "dir",
                                 "create": True}))
    dry = preflight("--fix", "--dry-run", config=cfg)
    assert dry.rc == 1 and not target.exists(), dry
    r = preflight("-f", "json", "--fix", config=cfg)
    assert target.is_dir(), r
    fix = r.check("spool")["fix"]
    assert fix["applied"] is True and fix["recheck"] == "pass", fix
    assert r.rc == 0


def test_missing_directory_is_not_created_without_fix(tmp_path, preflight):
    target = tmp_path / "spool"
    r = preflight(config=config(perms(
        "spool", {"path": str(target), "kind": "dir", "create": True})))
    assert r.rc == 1 and not target.exists()


# ---- config refusals ----------------------------------------------------

GOOD = '{"id": "ok", "type": "http", "url": "http://127.0.0.1:9/x"}'

# Each case: the config text (one key per line so lines are known), the
# line(s) an error may point at, and words the message must contain.
REFUSALS = {
    "unknown key": ("""{"checks": [
  {"id": "a",
   "type": "http",
   "url": "http://127.0.0.1:9/x",
   "bogus_key": 1}
]}""", {5}, ["bogus_key"]),
    "wrong type": ("""{"checks": [
  {"id": "a",
   "type": "http",
   "url": "http://127.0.0.1:9/x",
   "timeout": "soon"}
]}""", {5}, ["timeout"]),
    "duplicate id": ("""{"checks": [
  {"id": "twin",
   "type": "http",
   "url": "http://127.0.0.1:9/x"},
  {"id": "twin",
   "type": "http",
   "url": "http://127.0.0.1:9/y"}
]}""", {5}, ["twin"]),
    "unknown needs": ("""{"checks": [
  {"id": "a",
   "type": "http",
   "url": "http://127.0.0.1:9/x",
   "needs": ["ghost"]}
]}""", {5}, ["ghost", "needs"]),
    "cycle": ("""{"checks": [
  {"id": "a",
   "type": "http",
   "url": "http://127.0.0.1:9/x",
   "needs": ["b"]},
  {"id": "b",
   "type": "http",
   "url": "http://127.0.0.1:9/y",
   "needs": ["a"]}
]}""", {2, 5, 6, 9}, ["cycl", "needs"]),
    "unknown type": ("""{"checks": [
  {"id": "a",
   "type": "no-such-type",
   "url": "http://127.0.0.1:9/x"}
]}""", {3}, ["no-such-type"]),
    "json syntax": ("""{"checks": [
  {"id": "a",
   "type": "http"
   "url": "http://127.0.0.1:9/x"}
]}""", {3, 4}, []),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_config_refusal_names_file_line_and_key(case, tmp_path, preflight):
    text, lines, words = REFUSALS[case]
    spool = tmp_path / "side-effect"
    # A fixable check in the same file proves nothing ran: with --fix it
    # would create this directory.
    text = text.replace('[\n', '[\n' + json.dumps(
        {"id": "zz-side", "type": "permissions",
         "paths": [{"path": str(spool), "kind": "dir",
                    "create": True}]}) + ',\n', 1)
    lines = {n + 1 for n in lines}
    r = preflight("--fix", config=text)
    assert r.rc == 2, r
    assert not spool.exists(), "a check ran despite the config error"
    assert r.out.strip() == "", "a report was printed: " + r.out
    m = re.search(re.escape(r.config_path.name) + r":(\d+)", r.err)
    assert m, "no file:line in: " + r.err
    assert int(m.group(1)) in lines, r.err
    for word in words:
        assert word in r.err.lower(), r.err


def test_missing_config_file_is_a_usage_error(tmp_path, preflight):
    r = preflight("-c", str(tmp_path / "nope.json"))
    assert r.rc == 2 and "nope.json" in r.err


def test_unknown_option_is_a_usage_error(preflight):
    r = preflight("--no-such-option")
    assert r.rc == 2
    assert "no-such-option" in r.err


def test_preflight_json_in_working_directory_is_the_default(backend,
                                                            preflight):
    cwd = preflight.workdir
    (cwd / "preflight.json").write_text(json.dumps(config(
        http("from-cwd", backend().url + "/health"))))
    r = preflight("-f", "json", cwd=cwd)
    assert [c["id"] for c in r.json["checks"]] == ["from-cwd"]


# ---- runner -------------------------------------------------------------


def test_needs_skip_names_the_failed_prerequisite(refused_port, backend,
                                                  preflight):
    down = "http://127.0.0.1:%d" % refused_port
    r = preflight("-f", "json", config=config(
        http("root-health", down + "/health"),
        http("docs-page", down + "/docs", needs=["root-health"]),
        http("contract", down + "/openapi.json", needs=["docs-page"]),
        http("elsewhere", backend().url + "/health")))
    assert r.rc == 1
    assert r.check("root-health")["status"] == "fail"
    docs = r.check("docs-page")
    contract = r.check("contract")
    assert docs["status"] == contract["status"] == "skip"
    assert "root-health" in docs["message"], docs
    assert re.search(r"docs-page|root-health", contract["message"])
    assert r.check("elsewhere")["status"] == "pass"
    assert r.json["summary"]["skip"] == 2


def test_results_come_in_config_order(backend, preflight):
    b = backend()
    ids = ["zeta-slow", "alpha", "mid", "beta-slow", "omega"]
    checks = [http(i, b.url + ("/hang" if "slow" in i else "/health"),
                   timeout=0.7) for i in ids]
    r = preflight("-f", "json", config=config(*checks))
    assert [c["id"] for c in r.json["checks"]] == ids
    text = preflight(config=config(*checks)).out
    where = [text.find(i) for i in ids]
    assert -1 not in where and where == sorted(where), text


def test_severity_warn_reports_a_warning(refused_port, preflight):
    r = preflight("-f", "json", config=config(http(
        "optional", "http://127.0.0.1:%d/" % refused_port,
        severity="warn")))
    assert r.rc == 0, r
    assert r.check("optional")["status"] == "warn"
    assert r.json["status"] == "warn"
    assert r.json["summary"]["warn"] == 1


def test_positional_ids_run_those_and_their_needs(backend, preflight):
    b = backend()
    r = preflight("-f", "json", "docs", config=config(
        http("health", b.url + "/health"),
        http("docs", b.url + "/docs", needs=["health"]),
        http("other", b.url + "/status/500")))
    got = {c["id"]: c["status"] for c in r.json["checks"]}
    assert got == {"health": "pass", "docs": "pass"}, r
    assert r.rc == 0


def test_unknown_positional_id_is_a_usage_error(backend, preflight):
    r = preflight("nope", config=config(http("health",
                                             backend().url + "/health")))
    assert r.rc == 2 and "nope" in r.err


def test_default_profile_checks_backend_and_scripts(backend, preflight):
    cwd = preflight.workdir
    make_file(cwd / "start.sh", 0o644)
    env = {"PREFLIGHT_BACKEND_URL": backend().url}
    listing = preflight("--list", cwd=cwd, env=env)
    assert listing.rc == 0
    for word in ("http", "tcp", "permissions"):
        assert word in listing.out, listing
    r = preflight("-f", "json", cwd=cwd, env=env)
    by_type = {}
    for c in r.json["checks"]:
        by_type.setdefault(c["type"], []).append(c["status"])
    assert set(by_type["http"]) == {"pass"}, r
    assert by_type["tcp"] == ["pass"], r
    assert by_type["permissions"] == ["fail"], r
    assert r.rc == 1


def test_default_profile_leaves_out_what_has_no_inputs(preflight):
    r = preflight("--list", env={"PREFLIGHT_BACKEND_URL": None})
    assert r.rc == 0, r
    assert re.search(r"^health\s+http", r.out, re.M), r.out
    assert "permissions" not in r.out, r.out


# ---- report -------------------------------------------------------------


def assert_report_shape(rep):
    assert rep["schema_version"] == 1
    assert rep["tool"]["name"] == "preflight"
    assert isinstance(rep["tool"]["version"], str) and rep["tool"]["version"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rep["started_at"])
    assert isinstance(rep["duration_ms"], (int, float))
    assert rep["duration_ms"] >= 0
    assert rep["status"] in {"pass", "warn", "fail"}
    summary = rep["summary"]
    assert set(summary) == {"pass", "warn", "fail", "skip", "fixed"}
    for check in rep["checks"]:
        for key in ("id", "type", "status", "duration_ms", "message",
                    "hint", "details"):
            assert key in check, (key, check)
        assert isinstance(check["id"], str)
        assert isinstance(check["type"], str)
        assert check["status"] in STATUSES
        assert isinstance(check["duration_ms"], (int, float))
        assert isinstance(check["message"], str) and check["message"]
        assert check["hint"] is None or isinstance(check["hint"], str)
        assert isinstance(check["details"], dict)
        fix = check.get("fix")
        if fix is not None:
            assert isinstance(fix["name"], str)
            assert isinstance(fix["actions"], list)
            assert isinstance(fix["applied"], bool)
            assert fix["recheck"] is None or \
                fix["recheck"] in STATUSES
    for status in STATUSES:
        assert summary[status] == sum(
            1 for c in rep["checks"] if c["status"] == status)


def test_verbose_text_adds_details(backend, preflight):
    cfg = config(http("health", backend().url + "/health"))
    plain = preflight(config=cfg)
    verbose = preflight("-v", config=cfg)
    assert "total_ms" not in plain.out
    assert "total_ms" in verbose.out, verbose


def test_json_report_has_the_documented_shape(backend, refused_port,
                                              tmp_path, preflight):
    b = backend()
    script = make_file(tmp_path / "start.sh")
    r = preflight("-f", "json", "--fix", config=config(
        http("health", b.url + "/health"),
        http("down", "http://127.0.0.1:%d/" % refused_port),
        http("after-down", b.url + "/docs", needs=["down"]),
        http("soft", "http://127.0.0.1:%d/" % refused_port,
             severity="warn"),
        perms("scripts", {"path": str(script),
                          "mode": "executable"})))
    assert r.json is not None, r
    assert_report_shape(r.json)
    assert r.json["status"] == "fail"
    assert r.json["summary"]["fixed"] == 1
    assert r.check("down")["hint"], "a failure should carry a hint"


def test_text_report_has_a_line_per_check_and_a_summary(refused_port,
                                                        backend, preflight):
    r = preflight(config=config(
        http("health", backend().url + "/health"),
        http("down", "http://127.0.0.1:%d/" % refused_port)))
    lines = r.out.splitlines()
    health = [ln for ln in lines if "health" in ln]
    down = [i for i, ln in enumerate(lines) if "down" in ln]
    assert health and down, r.out
    assert "refused" in lines[down[0]].lower()
    assert down[0] + 1 < len(lines), "no hint line after the failure"
    assert re.search(r"1 passed.*1 failed", r.out + r.err), r


def test_exit_codes(backend, refused_port, preflight):
    good = preflight(config=config(http("h", backend().url + "/health")))
    bad = preflight(config=config(
        http("h", "http://127.0.0.1:%d/" % refused_port)))
    usage = preflight(config='{"checks": 1}')
    assert (good.rc, bad.rc, usage.rc) == (0, 1, 2)


def test_list_shows_id_type_and_needs(preflight):
    r = preflight("--list", config=config(
        http("health", "http://127.0.0.1:9/health"),
        http("docs", "http://127.0.0.1:9/docs", needs=["health"]),
        tcp("port", "127.0.0.1:9")))
    assert r.rc == 0, r
    docs = [ln for ln in r.out.splitlines() if ln.split()[:1] == ["docs"]]
    assert docs and "http" in docs[0] and "health" in docs[0], r.out
    assert re.search(r"^port\s+tcp", r.out, re.M), r.out


def test_version_prints_a_version(preflight):
    r = preflight("--version")
    assert r.rc == 0
    assert re.search(r"preflight\D*\d+\.\d+\.\d+", r.out), r.out


def test_help_documents_the_exit_codes(preflight):
    r = preflight("--help")
    assert r.rc == 0
    assert "exit" in r.out.lower()
    for code in "0123":
        assert re.search(r"(^|\s)%s\b.*\S" % code, r.out, re.M), code
    for option in ("--config", "--format", "--output", "--fix",
                   "--dry-run", "--jobs", "--timeout", "--list"):
        assert option in r.out


def test_output_file_is_written_atomically_with_summary_on_stderr(
    backend, tmp_path, preflight):
    outdir = tmp_path / "reports"
    outdir.mkdir()
    target = outdir / "report.json"
    target.write_text("old")
    old_inode = target.stat().st_ino
    r = preflight("-f", "json", "-o", target, config=config(
        http("health", backend().url + "/health")))
    assert r.rc == 0, r
    assert r.out == ""
    assert_report_shape(json.loads(target.read_text()))
    assert target.stat().st_ino != old_inode, "file rewritten in place"
    assert os.listdir(outdir) == ["report.json"], "temporary file left"
    summary = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(summary) == 1 and "1 passed" in summary[0], r.err


def test_failed_report_write_is_an_internal_error(backend, tmp_path,
                                                 preflight):
    cfg = config(http("health", backend().url + "/health"))
    target = tmp_path / "no-such-dir" / "report.json"
    r = preflight("-o", target, config=cfg)
    assert r.rc == 3 and str(target) in r.err, r
    with open("/dev/full", "w") as full:
        argv = [os.environ["PREFLIGHT_BIN"], "-c", str(r.config_path)]
        rc = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE,
                            cwd=str(tmp_path), timeout=30).returncode
    assert rc == 3


def test_quiet_output_file_prints_nothing(backend, tmp_path, preflight):
    target = tmp_path / "report.txt"
    r = preflight("-q", "-o", target, config=config(
        http("health", backend().url + "/health")))
    assert r.rc == 0 and r.out == "" and r.err == "", r
    assert "health" in target.read_text()


def run_on_terminal(argv, env, cwd):
    """Runs argv with stdout on a pseudo-terminal; returns (rc, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=slave, stderr=slave,
                            stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    os.close(slave)
    chunks = []
    end = time.monotonic() + 20
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=5), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color", "pipe"])
def test_no_ansi_escapes_unless_terminal_allows(how, refused_port, tmp_path,
                                                preflight):
    cfg = config(http("down", "http://127.0.0.1:%d/" % refused_port))
    if how == "pipe":
        r = preflight(config=cfg, env={"NO_COLOR": None})
        output = r.out + r.err
    else:
        path = tmp_path / "cfg.json"
        path.write_text(json.dumps(cfg))
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env["TERM"] = "xterm"
        argv = [os.environ["PREFLIGHT_BIN"], "-c", str(path)]
        if how == "NO_COLOR":
            env["NO_COLOR"] = "1"
        else:
            argv.append("--no-color")
        _, output = run_on_terminal(argv, env, str(tmp_path))
        assert "down" in output
    assert not ANSI.search(output), repr(output)


def test_terminal_gets_colour(refused_port, tmp_path):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(config(http(
        "down", "http://127.0.0.1:%d/" % refused_port))))
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    rc, output = run_on_terminal(
        [os.environ["PREFLIGHT_BIN"], "-c", str(path)], env,
        str(tmp_path))
    assert rc == 1
    assert ANSI.search(output), repr(output)


# ---- secrets ------------------------------------------------------------

PASSWORD = "s3cretPW-xyzzy"
TOKEN = "tok-SEKRIT-4242"


def secret_config(url_base):
    host = url_base.replace("http://", "")
    return config(
        http("with-password",
             "http://user:%s@%s/health" % (PASSWORD, host)),
        http("with-token", url_base + "/private",
             headers={"Authorization": "Bearer " + TOKEN}),
        http("failing-with-password",
             "http://user:%s@%s/status/500" % (PASSWORD, host)),
        http("failing-with-token", url_base + "/status/401",
             headers={"Authorization": "Bearer " + TOKEN}))


@pytest.mark.parametrize("args", [
    [], ["-v"], ["-f", "json"], ["-f", "json", "-v"], ["--list"],
    ["--fix", "--dry-run"],
])
def test_secrets_never_appear_in_output(args, backend, preflight):
    b = backend(env={"BACKEND_TOKEN": TOKEN})
    r = preflight(*args, config=secret_config(b.url))
    assert r.rc in (0, 1), r
    if "--list" not in args:
        assert "with-token" in r.out
    for secret in (PASSWORD, TOKEN):
        assert secret not in r.out and secret not in r.err, r


def test_secrets_stay_out_of_refused_connection_messages(refused_port,
                                                         preflight):
    base = "http://127.0.0.1:%d" % refused_port
    r = preflight("-f", "json", "-v", config=secret_config(base))
    assert r.rc == 1
    assert PASSWORD not in r.out + r.err and TOKEN not in r.out + r.err


def test_secrets_stay_out_of_config_errors(preflight):
    cfg = secret_config("http://127.0.0.1:9")
    cfg["checks"][0]["bogus"] = True
    cfg["checks"][1]["headers"]["X-Bad"] = 5
    r = preflight(config=cfg)
    assert r.rc == 2
    assert PASSWORD not in r.err and TOKEN not in r.err, r.err


def test_secrets_stay_out_of_output_file(backend, tmp_path, preflight):
    target = tmp_path / "report.json"
    b = backend(env={"BACKEND_TOKEN": TOKEN})
    preflight("-f", "json", "-o", target, config=secret_config(b.url))
    text = target.read_text()
    assert PASSWORD not in text and TOKEN not in text
