#!/bin/sh
# Writes Traefik's `basic-auth` middleware (file provider) from TRAEFIK_DASHBOARD_USER and
# TRAEFIK_DASHBOARD_PASSWORD, at every start of the router: the password's bcrypt hash is made
# here by htpasswd and lives only in the traefik-auth volume, never in the repository. Traefik's
# dashboard and predictq's Prometheus (docker-compose.yaml) sit behind this middleware.
set -eu

user="${TRAEFIK_DASHBOARD_USER:-}"
password="${TRAEFIK_DASHBOARD_PASSWORD:-}"
out="${AUTH_FILE:-/auth/basic-auth.yaml}"

case "$user" in
  '' | *[!A-Za-z0-9._@-]*)
    echo "basic-auth: TRAEFIK_DASHBOARD_USER must be set: letters, digits and . _ @ - only" >&2
    exit 1
    ;;
esac
if [ "${#password}" -lt 12 ]; then
  echo "basic-auth: TRAEFIK_DASHBOARD_PASSWORD must be set, at least 12 characters" >&2
  exit 1
fi

# -i: the password comes on stdin, so it never shows in a process list.
entry="$(printf '%s' "$password" | htpasswd -niB -C 10 "$user" | head -n 1)"
case "$entry" in
  "$user:\$2"*) ;;
  *)
    echo "basic-auth: htpasswd did not produce a bcrypt entry" >&2
    exit 1
    ;;
esac

umask 077
cat > "$out.tmp" <<YAML
# Written by basic-auth.sh when the router starts; not to be edited.
http:
  middlewares:
    basic-auth:
      basicAuth:
        users:
          - '$entry'
YAML
mv "$out.tmp" "$out"
echo "basic-auth: wrote the middleware for user $user"
