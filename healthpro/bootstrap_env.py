"""Write a local .env with freshly generated secrets, unless one exists.

Run by `make run` / `make test`: `python -m healthpro.bootstrap_env [path]`. The file is for
local development (DEBUG on, SQLite, console e-mail); production sets real variables instead.
The secrets come from healthpro.secret_generation, as `manage.py generate_secrets` prints them.
"""

import sys
from pathlib import Path

from healthpro.secret_generation import env_lines, secrets_generate

HEADER = """\
# Written by `make run` on first use, with secrets generated for this machine only.
# Never commit this file. See .env.example and the README for every variable.
DEBUG=True
"""
FOOTER = """\
ALLOWED_HOSTS=127.0.0.1,localhost
EMAIL_URL=consolemail://
"""


def render() -> str:
    return HEADER + env_lines(secrets_generate()) + FOOTER


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else ".env")
    if path.exists():
        print(f"{path} exists; keeping it.")
        return 0
    path.write_text(render())
    path.chmod(0o600)
    print(f"Wrote {path} with fresh secrets.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
