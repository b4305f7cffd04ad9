#!/usr/bin/env bash
# The fault suite's long form (issue 10): every case of tests/Faults on real agents, with more rounds and longer
# faults than the normal test command runs (EVENTSWARM_FAULTS_LONG=1: 20 leader kills, 30 s partitions, 15 s
# clock jumps), then the table case / expected / observed / OK and one line "N passed, N failed".
#   bash ops/faults.sh                 everything
#   bash ops/faults.sh --filter EXPR   only some cases (dotnet test's filter, e.g. FullyQualifiedName~Cluster)
# Needs root (namespaces, iptables, mounts) and the Docker Engine that ops/setup.sh installs and starts.
set -uo pipefail
cd "$(dirname "$0")/.."
source ops/test-results.sh
filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filter=(--filter "$2"); shift ;;
    *) echo "usage: ops/faults.sh [--filter EXPR]" >&2; exit 2 ;;
  esac
  shift
done

SKIP_PUBLISH=1 bash ops/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
export DOCKER_API_VERSION=1.41 EVENTSWARM_FAULTS_LONG=1
results=$(mktemp -d /tmp/eventswarm-faults.XXXXXX)
export EVENTSWARM_FAULT_TABLE="$results/faults.tsv"
: > "$EVENTSWARM_FAULT_TABLE"

dotnet build tests/Faults -c Release -nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
status=0
dotnet test tests/Faults -c Release --no-build --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "${filter[@]}" || status=1
# Whatever a crashed case may have left: the namespace cluster (its iptables rules and clock files go with it).
bash ops/cluster.sh down >/dev/null 2>&1 || true

print_fault_table "$EVENTSWARM_FAULT_TABLE" "Fault suite (long form):"

print_failed_tests "$results"
count_results "$results"
# The table stays for the operator; the rest of the results go.
cp "$EVENTSWARM_FAULT_TABLE" /tmp/eventswarm-faults-long.tsv 2>/dev/null || true
rm -rf "$results"
[ $((passed + failed)) -eq 0 ] && status=1
[ $failed -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
