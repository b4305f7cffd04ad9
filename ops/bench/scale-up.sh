#!/usr/bin/env bash
# Issue 10's scale-up on one node: `service create --replicas N` of busybox (default N=100000, the long form),
# watched for SECONDS (default 120), then scale 0. Prints /_ping p50/p99 and failures, service ls latency, the
# agent's open descriptors, the most engine calls in flight, containers running after 60/120 s, the scale-0 drain
# time and whether the agent survived. Every container it created is removed at the end.
# Usage: sudo bash ops/bench/scale-up.sh [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
SECONDS_WATCHED=${2:-120}
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
WORK=$(mktemp -d /tmp/eventswarm-scale.XXXXXX)
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter label=eventswarm.service.name=bench-scale | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Not holding any lock fd the caller may have opened (flock): the agent outlives nothing but this script.
dotnet src/Node/bin/Release/net10.0/eventswarm.dll agent --data-dir "$WORK/data" --socket "$WORK/es.sock" \
  --raft-addr 127.0.0.1:14499 --web-addr none >"$WORK/agent.log" 2>&1 3>&- &
AGENT_PID=$!
for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14477 >/dev/null
dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll scale-up "$WORK/es.sock" unix:///var/run/docker.sock "$AGENT_PID" "$WORK/agent.log" "$N" "$SECONDS_WATCHED"
grep -cE "Too many open files|SIGABRT|Unhandled exception" "$WORK/agent.log" | sed 's/^/agent log: descriptor errors or crashes: /' || true
