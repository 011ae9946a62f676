"""The python-deps check and the pip-install fix against real environments.

Venvs come from Debian's python3-venv, packages from wheels built by the
tests (pydeps_helpers), the version mismatch from Debian's own
python3-aiohttp, and the fix runs the real pip, offline.
"""

import pytest

from pydeps_helpers import (build_wheel, installed, make_venv, site_packages,
                            system_version, unpack_wheel)

INCIDENT = "aiohttp==3.9.1\nhttpx==0.25.2\n"


@pytest.fixture
def wheels(tmp_path):
    d = tmp_path / "wheels"
    build_wheel(d, "aiohttp", "3.9.1")
    build_wheel(d, "httpx", "0.25.2")
    return d


def deps_config(req, **keys):
    check = {"id": "deps", "type": "python-deps", "requirements": str(req)}
    check.update(keys)
    return {"checks": [check]}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_deps(preflight, req, *args, env=None, **keys):
    env = dict({"VIRTUAL_ENV": None}, **(env or {}))
    run = preflight("-f", "json", *args, config=deps_config(req, **keys),
                    env=env)
    assert run.json is not None, run
    return run, run.check("deps")


def test_empty_venv_names_both_missing_packages_and_versions(
        tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert c["status"] == "fail"
    assert "aiohttp not installed (wants ==3.9.1)" in c["message"]
    assert "httpx not installed (wants ==0.25.2)" in c["message"]
    assert c["hint"] == ("%s/bin/python -m pip install aiohttp==3.9.1 "
                         "httpx==0.25.2" % venv)
    assert c["details"]["started_python"] is False
    assert c["details"]["install"] == ["aiohttp==3.9.1", "httpx==0.25.2"]


def test_debian_aiohttp_is_named_against_the_required_version(
        tmp_path, preflight):
    debian = system_version("aiohttp")
    if debian is None:
        pytest.skip("Debian's python3-aiohttp is not installed")
    venv = make_venv(tmp_path / "venv", system_site=True)
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert "aiohttp %s installed, wants ==3.9.1" % debian in c["message"]
    assert c["details"]["system_site_packages"] is True
    assert c["details"]["started_python"] is True
    assert "/usr/lib/python3/dist-packages" in c["details"]["site_dirs"]


def test_installed_wheels_meet_the_requirements(tmp_path, preflight, wheels):
    venv = make_venv(tmp_path / "venv")
    for w in wheels.iterdir():
        unpack_wheel(venv, w)
    req = write(tmp_path / "requirements.txt",
                "AIOHTTP==3.9.1  # names compare normalised\n"
                "HTTPX[http2] >= 0.25, < 0.26 \\\n"
                "    --hash=sha256:0000\n")

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 0, run
    assert c["status"] == "pass"
    assert "2 requirements of" in c["message"]
    assert "AIOHTTP 3.9.1, HTTPX 0.25.2" in c["message"]
    assert c["hint"] is None


def test_markers_are_evaluated_for_the_target_interpreter(
        tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    req = write(tmp_path / "requirements.txt",
                'oldthing==1.0 ; python_version < "3.0"\n'
                'newthing==2.0 ; python_version >= "3.0"\n')

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert "newthing not installed" in c["message"]
    assert "1 excluded by marker: oldthing" in c["message"]
    assert c["details"]["install"] == ["newthing==2.0"]


def test_an_extra_is_met_only_with_what_it_adds(tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    w = tmp_path / "w"
    unpack_wheel(venv, build_wheel(
        w, "fastclient", "1.0",
        requires=['helper>=2 ; extra == "speed"', "basedep"]))
    req = write(tmp_path / "requirements.txt", "fastclient[Speed]==1.0\n")

    run, c = run_deps(preflight, req, venv=str(venv))
    assert run.rc == 1, run
    assert ("fastclient 1.0 installed, but [speed] needs helper "
            "(not installed)") in c["message"]
    assert c["details"]["install"] == ["fastclient[speed]==1.0"]

    unpack_wheel(venv, build_wheel(w, "helper", "1.5"))
    run, c = run_deps(preflight, req, venv=str(venv))
    assert "needs helper>=2 (1.5 installed)" in c["message"], run

    unpack_wheel(venv, build_wheel(w, "helper", "2.0"))
    (site_packages(venv) / "helper-1.5.dist-info").rename(
        tmp_path / "old-helper")
    run, c = run_deps(preflight, req, venv=str(venv))
    assert c["status"] == "pass", run


def test_includes_and_constraints_apply(tmp_path, preflight, wheels):
    venv = make_venv(tmp_path / "venv")
    unpack_wheel(venv, next(wheels.glob("aiohttp-*")))
    write(tmp_path / "reqs/base.txt", "aiohttp>=3\n")
    write(tmp_path / "reqs/constraints.txt", "aiohttp<3.9\n")
    req = write(tmp_path / "requirements.txt",
                "-r reqs/base.txt\n-c reqs/constraints.txt\n")

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert "aiohttp 3.9.1 installed, wants >=3,<3.9" in c["message"]
    assert len(c["details"]["files"]) == 3


def test_include_loop_is_refused_with_file_and_line(tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    write(tmp_path / "b.txt", "six\n-r requirements.txt\n")
    req = write(tmp_path / "requirements.txt", "-r b.txt\n")

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert "include loop" in c["message"]
    assert "b.txt:2:" in c["message"]


def test_environment_is_found_in_the_documented_order(tmp_path, preflight):
    work = tmp_path / "app"
    write(work / "requirements.txt", "aiohttp==3.9.1\n")
    beside = make_venv(work / ".venv")
    active = make_venv(tmp_path / "active")
    unpack_wheel(active, build_wheel(tmp_path / "w", "aiohttp", "3.9.1"))

    # No config: the default profile picks up ./requirements.txt.
    listed = preflight("--list", cwd=work)
    assert "python-deps" in listed.out, listed
    plain = preflight("-f", "json", "python-deps", cwd=work,
                      env={"VIRTUAL_ENV": None})
    c = plain.check("python-deps")
    assert c["details"]["venv"] == str(beside)
    assert c["status"] == "fail"

    activated = preflight("-f", "json", "python-deps", cwd=work,
                          env={"VIRTUAL_ENV": str(active)})
    c = activated.check("python-deps")
    assert c["details"]["found_by"] == "$VIRTUAL_ENV"
    assert c["status"] == "pass", activated


def test_import_option_catches_a_module_that_does_not_import(
        tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    unpack_wheel(venv, build_wheel(
        tmp_path / "w", "nativepkg", "1.0",
        body="raise ImportError('libnative.so.1: cannot open shared "
             "object file')\n"))
    req = write(tmp_path / "requirements.txt", "nativepkg==1.0\n")

    run, c = run_deps(preflight, req, venv=str(venv))
    assert c["status"] == "pass", run

    run, c = run_deps(preflight, req, venv=str(venv), **{"import": True})
    assert run.rc == 1, run
    assert "nativepkg 1.0 does not import" in c["message"]
    assert "libnative.so.1" in c["message"]
    assert "--force-reinstall" in c["hint"]


def test_interpreter_outside_a_venv_is_started_once_to_learn_its_paths(
        tmp_path, preflight):
    req = write(tmp_path / "requirements.txt", "surely-not-installed==1\n")

    run, c = run_deps(preflight, req, python="/usr/bin/python3")

    assert run.rc == 1, run
    assert c["details"]["started_python"] is True
    assert c["details"]["python"] == "/usr/bin/python3"
    assert "surely-not-installed not installed" in c["message"]


def test_missing_interpreter_is_a_clear_failure(tmp_path, preflight):
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, python=str(tmp_path / "nope/python"))

    assert run.rc == 1, run
    assert "no Python interpreter" in c["message"]


def test_bad_config_is_refused_before_anything_runs(tmp_path, preflight):
    run = preflight(config={"checks": [{
        "id": "deps", "type": "python-deps", "requirements": "r.txt",
        "python": "python3", "venv": ".venv"}]})

    assert run.rc == 2, run
    assert "not both" in run.err


def test_fix_dry_run_prints_the_argv_and_changes_nothing(
        tmp_path, preflight, wheels):
    venv = make_venv(tmp_path / "venv")
    before = sorted(p.name for p in site_packages(venv).iterdir())
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, "--fix", "--dry-run", venv=str(venv),
                      pip_args=["--no-index", "--find-links", str(wheels)])

    assert run.rc == 1, run
    action = c["fix"]["actions"][0]
    assert ("%s/bin/python -m pip install aiohttp==3.9.1 httpx==0.25.2 "
            "--no-index --find-links %s" % (venv, wheels)) in action
    assert c["fix"]["applied"] is False
    assert sorted(p.name for p in site_packages(venv).iterdir()) == before


def test_fix_installs_offline_wheels_and_the_recheck_passes(
        tmp_path, preflight, wheels):
    venv = make_venv(tmp_path / "venv", pip=True)
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, "--fix", venv=str(venv),
                      pip_args=["--no-index", "--find-links", str(wheels)])

    assert run.rc == 0, run
    assert c["fix"]["name"] == "pip-install"
    assert c["fix"]["applied"] is True
    assert c["fix"]["recheck"] == "pass"
    assert "Successfully installed" in c["fix"]["output"]
    assert installed(venv)["aiohttp"] == "3.9.1"
    assert installed(venv)["httpx"] == "0.25.2"


def test_fix_looks_where_the_requirements_file_says(tmp_path, preflight,
                                                    wheels):
    venv = make_venv(tmp_path / "venv", system_site=True)
    app = tmp_path / "app"
    app.mkdir()
    wheels.rename(app / "wheels")
    req = write(app / "requirements.txt",
                "--no-index\n--find-links wheels\n" + INCIDENT)

    run, c = run_deps(preflight, req, "--fix", venv=str(venv))

    assert run.rc == 0, run
    assert ("--no-index --find-links %s/wheels" % app) in \
        c["fix"]["actions"][0]
    assert c["fix"]["recheck"] == "pass"
    assert installed(venv)["aiohttp"] == "3.9.1"


def test_failed_install_leaves_pips_reason(tmp_path, preflight):
    venv = make_venv(tmp_path / "venv", system_site=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    req = write(tmp_path / "requirements.txt", "surely-not-installed==1\n")

    run, c = run_deps(preflight, req, "--fix", venv=str(venv),
                      pip_args=["--no-index", "--find-links", str(empty)])

    assert run.rc == 1, run
    assert c["fix"]["applied"] is False
    assert "pip exited with status 1" in c["fix"]["error"]
    assert "surely-not-installed" in c["fix"]["error"]


def test_missing_requirements_file_is_named_with_its_own_hint(
        tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")

    run, c = run_deps(preflight, tmp_path / "nope.txt", venv=str(venv))

    assert run.rc == 1, run
    assert "cannot read %s" % (tmp_path / "nope.txt") in c["message"]
    assert "'requirements'" in c["hint"]


def test_a_line_listed_twice_is_installed_once(tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    write(tmp_path / "base.txt", "httpx==0.25.2\n")
    req = write(tmp_path / "requirements.txt",
                "httpx==0.25.2\n-r base.txt\n")

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert c["details"]["install"] == ["httpx==0.25.2"]


def test_a_venv_whose_python_was_removed_is_named(tmp_path, preflight):
    venv = make_venv(tmp_path / "venv")
    for name in ("python", "python3"):
        link = venv / "bin" / name
        link.unlink()
        link.symlink_to(tmp_path / "gone" / "python3.9")
    req = write(tmp_path / "requirements.txt", INCIDENT)

    run, c = run_deps(preflight, req, venv=str(venv))

    assert run.rc == 1, run
    assert "has no working interpreter" in c["message"]
    assert "python3 -m venv" in c["hint"]
