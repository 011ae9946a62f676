"""The command and executables checks, running real programs."""

import os
import stat

import pytest


def one(preflight, check, *args):
    check = dict(check, id="c")
    run = preflight("-f", "json", *args, config={"checks": [check]})
    return run, run.check("c")


def test_expected_exit_and_output_pass(preflight):
    run, c = one(preflight, {"type": "command",
                             "argv": ["/bin/sh", "-c", "echo ready; exit 3"],
                             "exit_code": 3, "stdout_contains": "ready"})

    assert run.rc == 0, run
    assert c["message"] == ("/bin/sh -c 'echo ready; exit 3' exited with "
                            "status 3 and printed 'ready'")
    assert c["details"]["stdout"] == "ready"


def test_unexpected_exit_quotes_the_last_error_line(preflight):
    run, c = one(preflight, {"type": "command", "argv": [
        "/bin/sh", "-c", "echo working; echo 'database is locked' >&2; "
        "exit 5"]})

    assert run.rc == 1
    assert c["message"].endswith("exited with status 5, expected 0: "
                                 "database is locked")
    assert c["details"]["exit_code"] == 5
    assert c["details"]["stderr"] == "database is locked"


def test_missing_text_in_output_fails(preflight):
    _, c = one(preflight, {"type": "command", "argv": ["echo", "degraded"],
                           "stdout_contains": "healthy"})

    assert c["status"] == "fail"
    assert c["message"] == ("echo degraded exited with status 0 but its "
                            "output does not contain 'healthy'")


def test_argv_is_never_given_to_a_shell(preflight, tmp_path):
    marker = tmp_path / "pwned"
    _, c = one(preflight, {"type": "command", "argv": [
        "echo", "$(touch %s)" % marker, ";", "touch", str(marker)]})

    assert c["status"] == "pass"
    assert not marker.exists()
    assert c["details"]["stdout"] == "$(touch %s) ; touch %s" % (marker,
                                                                 marker)


def test_huge_output_is_capped_to_its_tail(preflight):
    _, c = one(preflight, {"type": "command", "output_cap": 1000,
                           "argv": ["/bin/sh", "-c",
                                    "yes line | head -c 20000000; "
                                    "echo; echo the-end"],
                           "stdout_contains": "the-end"})

    assert c["status"] == "pass", c
    assert c["details"]["output_truncated"] is True
    assert c["details"]["stdout"].endswith("the-end")


def test_hung_command_is_killed_at_its_deadline(preflight):
    run, c = one(preflight, {"type": "command", "timeout": 0.3,
                             "argv": ["/bin/sh", "-c",
                                      "trap '' TERM; sleep 20"]})

    assert c["status"] == "fail"
    assert run.elapsed < 3


def test_missing_program_is_named(preflight):
    _, c = one(preflight, {"type": "command",
                           "argv": ["no-such-program-here", "--x"]})

    assert c["message"] == ("cannot run no-such-program-here --x: No such "
                            "file or directory")


@pytest.mark.parametrize("keys, words", [
    ({"argv": []}, "key 'argv' must be a non-empty array"),
    ({"argv": ["x"], "exit_code": 300}, "key 'exit_code' must be a whole"),
    ({"argv": ["x", 1]}, "key 'argv': every element must be a string"),
])
def test_bad_command_config_is_refused(preflight, keys, words):
    run = preflight(config={"checks": [dict(keys, id="c", type="command")]})

    assert run.rc == 2
    assert words in run.err


def fake_program(directory, name, version_text, stream="stdout"):
    path = directory / name
    redirect = " >&2" if stream == "stderr" else ""
    path.write_text("#!/bin/sh\necho '%s'%s\n" % (version_text, redirect))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_programs_on_path_with_versions(preflight, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake_program(bindir, "psql", "psql (PostgreSQL) 15.4 (Debian 15.4-1)")
    fake_program(bindir, "oldpsql", "psql (PostgreSQL) 13.11")
    fake_program(bindir, "javaish", "openjdk version \"17.0.9\" 2023-10-17",
                 stream="stderr")
    env = {"PATH": "%s:%s" % (bindir, os.environ["PATH"])}
    check = {"id": "c", "type": "executables", "names": [
        "sh", {"name": "psql", "min_version": "15"},
        {"name": "javaish", "min_version": 17, "version_args": ["-version"]},
        {"name": "oldpsql", "min_version": "15.2"}, "no-such-tool"]}

    run = preflight("-f", "json", config={"checks": [check]}, env=env)

    c = run.check("c")
    assert c["status"] == "fail"
    assert c["message"] == ("not on PATH: no-such-tool; oldpsql 13.11 is "
                            "older than 15.2")
    found = {p["name"]: p for p in c["details"]["programs"]}
    assert found["psql"]["version"] == "15.4"
    assert found["psql"]["path"] == str(bindir / "psql")
    assert found["javaish"]["version"] == "17.0.9"
    assert "path" not in found["no-such-tool"]


def test_all_programs_found_pass(preflight):
    _, c = one(preflight, {"type": "executables", "names": [
        "sh", {"name": "/usr/bin/python3", "min_version": "3.9"}]})

    assert c["status"] == "pass"
    assert c["message"].startswith("found sh, /usr/bin/python3 3.")
