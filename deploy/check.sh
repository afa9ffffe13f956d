#!/usr/bin/env bash
# Prove that the shipped deployment files parse: `nginx -t` on deploy/nginx/healthpro.conf and
# `systemd-analyze verify` on deploy/systemd/*. Run by .ci/run; needs nginx (installed from
# Debian when missing and run as root) and systemd-analyze (skipped, with a message, when absent).
# The files are checked as shipped: only the certificate paths (a throwaway self-signed
# certificate) and the install paths (this checkout and its .venv) are substituted in temporary copies.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v nginx >/dev/null && [ -x /usr/sbin/nginx ]; then PATH=$PATH:/usr/sbin; fi
if ! command -v nginx >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
    PATH=$PATH:/usr/sbin
  else
    echo "nginx is missing: run 'sudo apt-get install nginx-light' (deploy/check.sh tests its config)." >&2
    exit 1
  fi
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=healthpro.example.org -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
sed -e "s#/etc/ssl/healthpro/#$work/#g" deploy/nginx/healthpro.conf >"$work/healthpro.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    access_log off;
    include $work/healthpro.conf;
}
CONF
nginx -v
nginx -t -q -p "$work" -c "$work/nginx.conf"
echo "nginx: deploy/nginx/healthpro.conf parses"

if command -v systemd-analyze >/dev/null; then
  mkdir "$work/units"
  for unit in deploy/systemd/*; do
    sed -e "s#/opt/healthpro/venv/#$repo/.venv/#g" -e "s#/opt/healthpro/app#$repo#g" "$unit" >"$work/units/$(basename "$unit")"
  done
  # verify reports problems on stderr and may still exit 0: any output is a failure.
  report=$(cd "$work/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service ./*.timer 2>&1 || true)
  if [ -n "$report" ]; then
    echo "$report" >&2
    exit 1
  fi
  echo "systemd: deploy/systemd/* verify cleanly"
else
  echo "systemd-analyze is missing: the systemd units were not verified." >&2
fi
