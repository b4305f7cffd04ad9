#!/usr/bin/env bash
# Issue 17's service logs figures, EventSwarm (one agent) and then a single-node Docker Swarm on the same engine in the
# same run, the same code against both APIs (ops/bench/LogsBench.cs): `service logs -f --tail 1` first line latency
# (p50/p99 over LOGS_BENCH_RUNS runs, default 30, a new connection each) on a quiet service, and lines/s of a chatty
# task (busybox echo in a loop, as fast as it goes) followed for 5 s and read whole, each beside the engine's own
# container logs of the same container (the floor).
# LOGS_BENCH_SYSTEMS="eventswarm swarm" picks the halves.
# Usage: sudo bash ops/bench/logs.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=ops/bench/lib.sh
source ops/bench/lib.sh
SYSTEMS=${LOGS_BENCH_SYSTEMS:-eventswarm swarm}
RUNS=${LOGS_BENCH_RUNS:-30}
[ "${BENCH_SKIP_SETUP:-}" = 1 ] || SKIP_PUBLISH=1 bash ops/setup.sh >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-logs-bench.XXXXXX)
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter label=eventswarm.task.id --filter name=bench-logs- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker swarm leave --force >/dev/null 2>&1 || true
  ! mountpoint -q "$WORK/es.secrets" 2>/dev/null || umount "$WORK/es.secrets"
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/eventswarm.tsv"; : >"$WORK/swarm.tsv"

if [[ " $SYSTEMS " == *" eventswarm "* ]]; then
  start_eventswarm_agent
  $BENCH logs eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock "$RUNS" | tee "$WORK/eventswarm.tsv" || true
  stop_eventswarm_agent
fi

if [[ " $SYSTEMS " == *" swarm "* ]]; then
  docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  $BENCH logs swarm unix:///var/run/docker.sock unix:///var/run/docker.sock "$RUNS" | tee "$WORK/swarm.tsv" || true
  docker swarm leave --force >/dev/null
fi

echo
compare_table 52 "$WORK/eventswarm.tsv" "$WORK/swarm.tsv"
