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
#
# Measured on the 2-core dev box, busybox sleep 3600, restart delay 0 (back-off of issue 10 included: the task ran
# < 10 s before rm -f, so its replacement waits 100 ms, as Docker's engine waits for `--restart always`):
#  before (2026-11-28 10:02, commit 4d54db3, 5 reps, no warm-up, load average 27):   p50 / p90 (s)
#    engine create + start                 1.263 / 2.253
#    EventSwarm create -> Running          1.166 / 3.714     rm -f -> replacement Running 1.530 / 1.826
#    Docker Swarm create -> Running        1.552 / 4.728     rm -f -> replacement Running 2.058 / 6.857
#    stages (ms, p50): pass decided 46, worker preparing 64, engine started 996, worker saw running 1012,
#    Running report decided 1128 (+116: the report pump's 100 ms gather), seen 1166. rm -f: worker saw the end 145,
#    end decided 253 (+108: same gather), replacement decided 271, worker preparing 332 (+61: the 50 ms spacing
#    between worker passes), started 1410, running decided 1511 (+100), seen 1530.
#  after (2026-11-28 10:26, 10 reps, load average 30):
#    engine create + start                 0.665 / 0.835
#    EventSwarm create -> Running          0.717 / 1.151 (+0.052 over the floor at p50)
#                     rm -f -> replacement 0.855 / 0.929 (+0.190, of which 100 ms is the back-off and ~80 ms the rm -f itself)
#    Docker Swarm create -> Running        0.869 / 1.043 (+0.204);  rm -f -> replacement 1.130 / 1.228 (+0.465)
#    stages (ms, p50): service-created decided 1, its task created + assigned 2 (same commit now), call answered 15,
#    engine created 83, engine started 699, worker saw running 704, decided 705, seen 717. rm -f: engine: died 82,
#    worker saw the end 97, decided 97, replacement decided 206 (the 100 ms back-off), engine created 263, started
#    835, running decided 838, seen 855.
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
  $ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14699 --web-addr none >"$WORK/agent.log" 2>&1 3>&- &
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
