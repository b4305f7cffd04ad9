#!/usr/bin/env bash
# Issue 16's latency of one change on a real node (LatencyBench.cs), REPS times each (default 10): the engine's own
# create + start of busybox `sleep 3600` (the floor), then one EventSwarm agent (manager + worker in one process) and
# then a single-node Docker Swarm on the same engine: `service create` of 1 replica → Running, and `docker rm -f` of
# its container → the replacement Running (restart delay 0). Prints p50/p90 of each, the overhead above the floor,
# and each stage's p50/p90 in ms from the call (EventSwarm from its log, its worker's status timestamps and the
# engine's events; Swarm from the engine's events).
# The engine is shared: run it under the integration lock, e.g. `flock /tmp/es-integration.lock bash ops/bench/latency.sh`.
# LATENCY_BENCH_SYSTEMS="engine eventswarm swarm" picks the parts.
# Usage: sudo bash ops/bench/latency.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${1:-10}
SYSTEMS=${LATENCY_BENCH_SYSTEMS:-engine eventswarm swarm}
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-latency.XXXXXX)
AGENT_PID=""
SWARM_MINE=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter name=bench-eventswarm-latency- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker ps -aq --filter name=bench-latency-engine- | xargs -r docker rm -f >/dev/null 2>&1 || true
  [ -z "$SWARM_MINE" ] || docker swarm leave --force >/dev/null 2>&1 || true
  ! mountpoint -q "$WORK/es.secrets" 2>/dev/null || umount "$WORK/es.secrets"
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/engine.tsv"; : >"$WORK/eventswarm.tsv"; : >"$WORK/swarm.tsv"

if [[ " $SYSTEMS " == *" engine "* ]]; then
  $BENCH latency engine unix:///var/run/docker.sock unix:///var/run/docker.sock "$REPS" >"$WORK/engine.tsv"
fi

if [[ " $SYSTEMS " == *" eventswarm "* ]]; then
  # Ports of its own (clear of 2377/4377, run.sh's 143xx and lib.sh's 145xx); not holding the caller's lock fd.
  $ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14699 >"$WORK/agent.log" 2>&1 3>&- &
  AGENT_PID=$!
  for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
  DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14677 >/dev/null
  $BENCH latency eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock "$REPS" "$WORK/es.sock" >"$WORK/eventswarm.tsv"
  grep -ciE "unhandled exception|fail: " "$WORK/agent.log" | sed 's/^/eventswarm agent log: errors: /' || true
  kill -9 "$AGENT_PID"; AGENT_PID=""
fi

if [[ " $SYSTEMS " == *" swarm "* ]]; then
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ]; then
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    SWARM_MINE=1
  fi
  $BENCH latency swarm unix:///var/run/docker.sock unix:///var/run/docker.sock "$REPS" >"$WORK/swarm.tsv"
  [ -z "$SWARM_MINE" ] || docker swarm leave --force >/dev/null
  SWARM_MINE=""
fi

echo "$REPS repetitions each, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' '
  $1 == "stage" { stages[++ns] = $0; next }
  $1 == "engine" && $2 ~ /p50/ { floor50 = $3 } $1 == "engine" && $2 ~ /p90/ { floor90 = $3 }
  { rows[++n] = $0 }
  END {
    printf "%-12s %-52s %8s %22s\n", "system", "figure", "seconds", "above the engine floor"
    for (i = 1; i <= n; i++) {
      split(rows[i], f, "\t"); over = ""
      if (f[1] != "engine" && floor50 != "") over = sprintf("%+.3f", f[3] - (f[2] ~ /p90/ ? floor90 : floor50))
      printf "%-12s %-52s %8s %22s\n", f[1], f[2], f[3], over
    }
    printf "\nstages (ms from the call; p50, p90, repetitions that saw it)\n"
    for (i = 1; i <= ns; i++) { split(stages[i], f, "\t"); printf "%-10s %-7s %-42s %6s %6s %7s\n", f[2], f[3], f[4], f[5], f[6], f[7] }
  }' "$WORK/engine.tsv" "$WORK/eventswarm.tsv" "$WORK/swarm.tsv"
