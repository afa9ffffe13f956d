#!/usr/bin/env bash
# Prove that the shipped deployment files work: `nginx -t` on deploy/nginx/healthpro.conf inside
# Debian's own nginx.conf, a TLS handshake test (1.3 accepted, 1.2 refused), and
# `systemd-analyze verify` on deploy/systemd/* (gunicorn, the timers, the Celery worker and beat:
# every unit in the folder). Run by .ci/run; needs nginx (installed from
# Debian when missing and run as root) and systemd-analyze (skipped, with a message, when absent).
# The files are checked as shipped: temporary copies substitute only the certificate paths (a
# throwaway self-signed certificate), the install paths (this checkout and its .venv) and, for the
# handshake test, the ports.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

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
nginx -v

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=healthpro.example.org -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
sed -e "s#/etc/ssl/healthpro/#$work/#g" deploy/nginx/healthpro.conf >"$work/healthpro.conf"

# As the operator installs it: in sites-enabled of Debian's configuration, the default site removed.
if [ -f /etc/nginx/nginx.conf ]; then
  cp -r /etc/nginx "$work/etc-nginx"
  rm -f "$work"/etc-nginx/sites-enabled/*
  cp "$work/healthpro.conf" "$work/etc-nginx/sites-enabled/healthpro"
  sed -i -e "s#/etc/nginx/#$work/etc-nginx/#g" -e "s#^pid .*#pid $work/debian.pid;#" "$work/etc-nginx/nginx.conf"
  nginx -t -q -c "$work/etc-nginx/nginx.conf"
  echo "nginx: deploy/nginx/healthpro.conf parses in Debian's nginx.conf"
fi

# A server on loopback high ports, to prove the TLS versions it accepts.
sed -e 's/listen 443 /listen 127.0.0.1:18443 /; s/listen 80\([ ;]\)/listen 127.0.0.1:18080\1/' "$work/healthpro.conf" >"$work/ports.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
daemon off;
events {}
http {
    access_log off;
    include $work/ports.conf;
}
CONF
nginx -t -q -p "$work" -c "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
handshake() {
  echo | openssl s_client -connect 127.0.0.1:18443 -servername healthpro.example.org "$1" 2>&1 | grep -q "^New, TLSv1.3"
}
if ! handshake -tls1_3; then echo "nginx: a TLS 1.3 handshake failed" >&2; exit 1; fi
if echo | openssl s_client -connect 127.0.0.1:18443 -servername healthpro.example.org -tls1_2 2>/dev/null \
  | grep -q "^New, TLSv1.2"; then
  echo "nginx: a TLS 1.2 handshake succeeded; TLS 1.3 only is required" >&2
  exit 1
fi
echo "nginx: TLS 1.3 accepted, TLS 1.2 refused"

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
