"""Fuzz the running API against its own OpenAPI schema with schemathesis (`make fuzz`, and CI).

A throwaway deployment on loopback: a fresh SQLite database and documents folder in a temporary
folder, fresh secrets, the demo accounts and records, collectstatic, and gunicorn with the
production settings (DEBUG off). Then schemathesis runs every operation of /api/v1/ with a
doctor's token (issued after the code step) and with a patient's, bounded by examples per
operation and by time. It fails on any 5xx and on any answer the schema does not describe:
status code, content type, headers or body.

What it leaves out, and why: schemathesis's "positive data acceptance" and "negative data
rejection" checks ask whether the API accepts exactly what the schema allows; a few rules cannot be
said in OpenAPI (a date after another, an id that must exist, a reason of a whole sentence), so
those checks are for a person reading the report, not a gate.

Usage, from the repository root: python -m tools.api_fuzz [--examples N] [--seconds S] [--all-checks]
(exit 1 when a check fails).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from healthpro.secret_generation import secrets_generate

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
IDENTITIES = ("doctor@demo.healthpro.test", "patient@demo.healthpro.test")
DEMO_PASSWORD = "HealthPro-demo-2026!"  # noqa: S105  (the published demo password, seed_demo)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(folder: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(secrets_generate())
    env.update(
        {
            "HEALTHPRO_READ_DOTENV": "0",
            "DJANGO_SETTINGS_MODULE": "healthpro.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'fuzz.sqlite3'}",
            "DOCUMENTS_DIR": str(folder / "documents"),
            "STATIC_ROOT": str(folder / "static"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "0",
            # The fuzzer sends thousands of requests a minute with one token: the per-user
            # throttle would answer most of them 429 (documented, but it would test nothing else).
            "THROTTLE_USER": "100000/min",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def manage(env: dict, *args: str, debug: bool = False) -> str:
    run_env = dict(env, DEBUG="1" if debug else "0")
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [str(BIN / "python"), str(ROOT / "manage.py"), *args],
        env=run_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310  (a loopback URL we built)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    # S310: a loopback http URL this script built.
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response)


def access_token(base: str, env: dict, email: str) -> str:
    answer = post_json(f"{base}/api/v1/auth/token/", {"email": email, "password": DEMO_PASSWORD})
    if "access" in answer:
        return answer["access"]
    code = manage(env, "demo_totp", email, debug=True).strip()
    return post_json(f"{base}/api/v1/auth/token/mfa/", {"mfa_token": answer["mfa_token"], "code": code})["access"]


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Until /api/v1/health/ answers; a busy machine's first answer may take longer than the
    request's timeout, which is a reason to ask again, not to fail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            # S310: a loopback http URL this script built.
            with urllib.request.urlopen(f"{base}/api/v1/health/", timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /api/v1/health/ within {seconds:.0f} s")


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10, help="examples per operation and identity (default 10)")
    parser.add_argument(
        "--seconds", type=int, default=150, help="time budget per identity (default 150; access tokens live 5 minutes)"
    )
    parser.add_argument(
        "--all-checks",
        action="store_true",
        help="every schemathesis check, acceptance and rejection included: a report for a person, not the gate",
    )
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="healthpro-fuzz-") as name:
        folder = Path(name)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = environment(folder, port)
        print("fuzz: migrating a fresh database and loading the demo data", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", debug=True)
        manage(env, "seed_demo_records", debug=True)
        manage(env, "collectstatic", "--noinput")
        server_log = (folder / "server.log").open("w")
        server = subprocess.Popen(  # noqa: S603  (gunicorn from our venv, loopback only)
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:healthpro.gunicorn_config",
                "healthpro.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--no-control-socket",
                # The app is under test, not gunicorn: its request-line limit (4094 bytes) answers
                # a fuzzed long query string with an HTML 414 before Django sees it. In production
                # nginx refuses such lines first (large_client_header_buffers).
                "--limit-request-line",
                "0",
            ],
            env=dict(env, DEBUG="0"),
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        failed = False
        try:
            wait_until_up(base, server)
            # Both tokens first: fuzzing the sign-in endpoints uses up the auth throttle.
            tokens = {email: access_token(base, env, email) for email in IDENTITIES}
            for email, token in tokens.items():
                print(f"fuzz: {email}: schemathesis, {options.examples} examples per operation", flush=True)
                result = subprocess.run(  # noqa: S603  (schemathesis from our venv, against loopback)
                    [
                        str(BIN / "schemathesis"),
                        "run",
                        f"{base}/api/v1/schema/",
                        "--header",
                        f"Authorization: Bearer {token}",
                        "--checks",
                        "all" if options.all_checks else CHECKS,
                        "--max-examples",
                        str(options.examples),
                        "--max-time",
                        str(options.seconds),
                        "--seed",
                        "20261201",
                        # One worker: schemathesis's workers are threads, and CPython 3.11 before
                        # 3.11.8 shares the AST builder's recursion counter between threads
                        # (CPython gh-106905), so two threads describing Hypothesis strategies at
                        # once end the run with "AST constructor recursion depth mismatch".
                        "--workers",
                        "1",
                        "--no-color",
                    ],
                    cwd=folder,
                    check=False,
                )
                failed = failed or result.returncode != 0
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
            if failed:
                print("fuzz: the server's log (errors only):")
                for line in (folder / "server.log").read_text().splitlines():
                    if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line:
                        print(line)
    print("fuzz: failed" if failed else "fuzz: no 5xx and no answer outside the schema")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
