# A throwaway PostgreSQL cluster for the storage tests (trust auth, loopback only).
# Sourced by .ci/run, and by tests/ci, which run its parts alone.
#   ci_postgres_start   sets PGBIN, PGDATA and PGPORT, or returns non-zero having said why
#   ci_postgres_stop    stops the cluster and removes its folder
# CHAMBERS_CI_PG_FIRST_PORT (default 55432) is where the search for a free port begins.

# Each failed start costs about a second; two runs racing for one port need only one more try.
CI_PG_TRIES=5

# The first loopback port of the hundred from $1 on that nothing is bound to now. Two runs started in the same
# second can both be told the same port: ci_postgres_start then retries past it.
ci_postgres_free_port() {
  python3 - "$1" <<'PY'
import socket
import sys

first = int(sys.argv[1])
last = first + 99
for port in range(first, last + 1):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        sys.exit(0)
sys.exit(f"ci: no free loopback port for PostgreSQL in {first}-{last}")
PY
}

# The server's own words when another server holds the port: its TCP address (bind), or the
# Unix socket's lock file in /tmp that every server on that port shares.
ci_postgres_port_taken() {
  grep -qE 'could not bind .*Address already in use|lock file "[^"]*\.s\.PGSQL\.[0-9]+\.lock" already exists' "$1"
}

ci_postgres_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGDATA=$(mktemp -d /tmp/chambers-ci-pg.XXXXXX) || return 1
  chown postgres "$PGDATA" || return 1
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres >/dev/null" || return 1
  local from=${CHAMBERS_CI_PG_FIRST_PORT:-55432} try log
  for try in $(seq 1 "$CI_PG_TRIES"); do
    PGPORT=$(ci_postgres_free_port "$from") || return 1
    log=$PGDATA/start-$try.log
    if su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $PGDATA -l $log -w -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null 2>&1; then
      echo "ci: PostgreSQL is on 127.0.0.1:$PGPORT"
      return 0
    fi
    if ! ci_postgres_port_taken "$log"; then
      echo "ci: PostgreSQL did not start on port $PGPORT; its log ($log):" >&2
      cat "$log" >&2
      return 1
    fi
    echo "ci: port $PGPORT was taken as PostgreSQL started (another run picked it too?); trying the next free port" >&2
    from=$((PGPORT + 1))
  done
  echo "ci: PostgreSQL did not start: the port it was given was taken $CI_PG_TRIES times in a row (the last $PGPORT)" >&2
  return 1
}

ci_postgres_stop() {
  if [ -n "${PGDATA:-}" ]; then
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $PGDATA -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
  fi
}
