"""gunicorn, started as deploy/healthpro.service starts it: its own log lines go through
core.logging's formatter (JSON, redacted, no exception message) in every mode, and a server
without collectstatic's manifest refuses to start with a message instead of answering 500.
"""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from healthpro.tests.failing_wsgi import PHI_MESSAGE
from healthpro.tests.startup import BASE_DIR, SETUP, process_env, production_env, run_django

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
TOKEN = "0123456789abcdefTOKEN"
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]+ [\w.]+ \[[^\]]*\] ")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(app: str, env: dict[str, str], port: int) -> subprocess.Popen:
    command = [GUNICORN, "-c", "python:healthpro.gunicorn_config", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--no-control-socket", "--access-logfile", "-", app]
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=process_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def get_when_up(port: int, path: str, server: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


def stop(server: subprocess.Popen) -> str:
    server.terminate()
    stdout, stderr = server.communicate(timeout=30)
    return stdout + stderr


def failing_request_log(env: dict[str, str]) -> str:
    port = free_port()
    server = gunicorn("healthpro.tests.failing_wsgi:application", env, port)
    try:
        assert get_when_up(port, f"/records/?token={TOKEN}", server) == 500
    finally:
        output = stop(server)
    return output


@pytest.mark.parametrize("debug", ["False", "True"])
def test_gunicorn_error_log_is_json_from_the_app_formatter(debug):
    output = failing_request_log(production_env(DEBUG=debug, LOG_FORMAT="json"))
    entries = [json.loads(line) for line in output.splitlines()]  # every line, gunicorn's own included
    errors = [entry for entry in entries if entry["message"].startswith("Error handling request")]
    assert errors, output
    assert errors[0]["logger"] == "gunicorn.error"
    assert errors[0]["exception"] == "RuntimeError"
    assert errors[0]["stack"]
    assert any(entry["logger"] == "gunicorn.access" for entry in entries)
    assert PHI_MESSAGE not in output
    assert TOKEN not in output  # the request line is redacted too


def test_gunicorn_error_log_in_debug_text_mode_has_no_exception_message():
    """DEBUG on, LOG_FORMAT left to its default (text): one line per record, no message."""
    output = failing_request_log(production_env(DEBUG="True"))
    lines = output.splitlines()
    assert all(TEXT_LINE.match(line) or line.startswith("  ") for line in lines), output
    assert any("ERROR gunicorn.error [-] Error handling request" in line for line in lines), output
    assert any(line.startswith("  RuntimeError at ") for line in lines), output
    assert PHI_MESSAGE not in output
    assert TOKEN not in output


def test_server_without_the_static_manifest_refuses_to_start(tmp_path):
    """With DEBUG off, no collectstatic: every page would answer 500. gunicorn stops instead."""
    env = production_env(STATIC_ROOT=str(tmp_path / "static"))
    server = gunicorn("healthpro.wsgi:application", env, free_port())
    try:
        server.wait(timeout=60)
    finally:
        output = stop(server) if server.returncode is None else "".join(server.communicate())
    assert server.returncode != 0
    lines = output.splitlines()
    messages = [json.loads(line)["message"] for line in lines if line.startswith("{")]
    assert any("static files manifest" in message and "collectstatic" in message for message in messages), output
    # The one line outside logging: gunicorn print()s a failed worker's exception, here our message.
    assert all(line.startswith("{") or line.startswith("The static files manifest") for line in lines), output


@pytest.mark.parametrize("module", ["healthpro.wsgi", "healthpro.asgi"])
def test_loading_the_app_without_the_manifest_is_refused(tmp_path, module):
    result = run_django(f"import {module}", production_env(STATIC_ROOT=str(tmp_path / "static")))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "collectstatic --noinput" in result.stderr.strip().splitlines()[-1]


def test_the_app_loads_after_collectstatic(tmp_path):
    env = production_env(STATIC_ROOT=str(tmp_path / "static"))
    collected = run_django(["collectstatic", "--noinput"], env, timeout=180)
    assert collected.returncode == 0, collected.stderr
    code = "import healthpro.wsgi; from django.templatetags.static import static; print(static('css/app.css'))"
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", result.stdout.strip())


def test_development_needs_no_manifest(tmp_path):
    result = run_django(f"{SETUP}; import healthpro.wsgi", production_env(DEBUG="True", STATIC_ROOT=str(tmp_path)))
    assert result.returncode == 0, result.stderr
