#!/usr/bin/env bash
# The README's test command: installs and starts what the tests need, builds, runs the unit tests and the
# integration tests (real Docker Engine), and ends with one line "N passed, N failed".
# `--unit` runs only the fast unit tests; `--filter EXPR` is passed to dotnet test.
set -uo pipefail
cd "$(dirname "$0")/.."
source ops/test-results.sh
unit_only=0; filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --unit) unit_only=1 ;;
    --filter) filter=(--filter "$2"); shift ;;
    *) echo "usage: ops/test.sh [--unit] [--filter EXPR]" >&2; exit 2 ;;
  esac
  shift
done

if [ $unit_only = 0 ]; then
  SKIP_PUBLISH=1 bash ops/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
fi
export DOCKER_API_VERSION=1.41
[ $unit_only = 0 ] && export EVENTSWARM_FULL_SUITE=1

# A throwaway PostgreSQL for the archive's tests (stack-recipes §1a): initdb + pg_ctl as the postgres user in a
# temp directory, loopback only, a free port, trust authentication, fsync off; stopped and deleted on exit. Tests
# that stop the database themselves start their own the same way (tests/IntegrationTests/Archive/ThrowawayPostgres).
pg_dir=""
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
if [ $unit_only = 0 ] && pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1) && [ -x "$pg_bin/initdb" ]; then
  pg_dir=$(mktemp -d /tmp/eventswarm-pg.XXXXXX); chown postgres:postgres "$pg_dir"; chmod 700 "$pg_dir"
  pg_port=""
  # Below the kernel's ephemeral range (32768-60999), and free of any socket, not only listening ones: after a scale
  # bench, thousands of client connections hold ports in that range and PostgreSQL's bind failed on one.
  for p in $(shuf -i 20000-32767 -n 100); do ss -Htan "sport = :$p" | grep -q . || { pg_port=$p; break; }; done
  if [ -n "$pg_port" ] \
    && runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
    && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
         -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; then
    export EVENTSWARM_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  else
    echo "warning: could not start a throwaway PostgreSQL; the archive tests start their own" >&2
  fi
fi
trap stop_postgres EXIT
results=$(mktemp -d /tmp/eventswarm-tests.XXXXXX)
# Artefacts the tests keep (the web view's browser screenshots, in $EVENTSWARM_ARTEFACTS/web): kept after the run.
export EVENTSWARM_ARTEFACTS=${EVENTSWARM_ARTEFACTS:-$PWD/tests/IntegrationTests/bin/artefacts}
status=0
projects=(tests/UnitTests)
[ $unit_only = 0 ] && projects+=(tests/IntegrationTests tests/Faults)
# The fault suite writes one row per case here; printed as a table after the run.
export EVENTSWARM_FAULT_TABLE="$results/faults.tsv"
: > "$EVENTSWARM_FAULT_TABLE"

# Analyzer and compiler warnings fail the test command (a developer's own build only shows them).
dotnet build EventSwarm.sln -c Release -nologo -v q -warnaserror || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
format_failed=0
if [ $unit_only = 0 ]; then
  # The code is held to .editorconfig; `dotnet format EventSwarm.sln` fixes what this reports.
  dotnet format EventSwarm.sln --verify-no-changes -v q || { echo "dotnet format: files differ from .editorconfig (run: dotnet format EventSwarm.sln)"; format_failed=1; status=1; }
fi
for project in "${projects[@]}"; do
  dotnet test "$project" -c Release --no-build --logger "trx" --results-directory "$results/$(basename "$project")" "${filter[@]}" || status=1
done

# Containers a crashed test may have left behind (the Engine pass-through tests label theirs eventswarm.test).
if [ $unit_only = 0 ]; then
  docker ps -aq --filter label=eventswarm.test | xargs -r docker rm -f >/dev/null 2>&1 || true
fi

print_fault_table "$EVENTSWARM_FAULT_TABLE" "Fault suite:"

print_failed_tests "$results"
count_results "$results"
rm -rf "$results"
[ $((passed + failed)) -eq 0 ] && status=1
failed=$((failed + format_failed))
[ $failed -gt 0 ] && status=1
[ -d "$EVENTSWARM_ARTEFACTS" ] && echo "test artefacts (browser screenshots): $EVENTSWARM_ARTEFACTS"
echo "$passed passed, $failed failed"
exit $status
