#!/usr/bin/env bash
# Measures EventSwarm and, in the same run, a single-node Docker Swarm on the same Docker Engine, and prints
# both with the ratio EventSwarm / Swarm (lower is better for times). Swarm mode is enabled for the comparison
# and left again afterwards. Usage: sudo bash ops/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "${BENCH_SKIP_SETUP:-}" = 1 ] || SKIP_PUBLISH=1 bash ops/setup.sh >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-bench.XXXXXX)
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter label=eventswarm.task.id | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker swarm leave --force >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

$ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14399 --web-addr none >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
# Loopback only, clear of 2377 and 4377 (an engine in swarm mode or a run-main agent may hold them): the swarm
# port from init, Raft pinned by the agent's --raft-addr.
DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14377 >/dev/null
$BENCH eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock "$AGENT_PID" | tee "$WORK/eventswarm.tsv"
kill -9 "$AGENT_PID"; AGENT_PID=""
docker ps -aq --filter label=eventswarm.task.id | xargs -r docker rm -f >/dev/null 2>&1 || true

docker swarm leave --force >/dev/null 2>&1 || true
docker swarm init --advertise-addr 127.0.0.1 >/dev/null
$BENCH swarm unix:///var/run/docker.sock unix:///var/run/docker.sock "$(pidof dockerd | awk '{print $1}')" | tee "$WORK/swarm.tsv"
docker swarm leave --force >/dev/null

$BENCH engine unix:///var/run/docker.sock unix:///var/run/docker.sock | tee "$WORK/engine.tsv"

echo
printf '%-56s %11s %13s %7s %13s\n' figure EventSwarm "Docker Swarm" ratio "engine alone"
paste "$WORK/eventswarm.tsv" "$WORK/swarm.tsv" | awk -F'\t' -v engine="$WORK/engine.tsv" '
  BEGIN { while ((getline line < engine) > 0) { split(line, f, "\t"); floor[f[2]] = f[3] } }
  { r = ($6 > 0) ? sprintf("%.2f", $3 / $6) : "-"; e = ($2 in floor) ? floor[$2] : "";
    printf "%-56s %11s %13s %7s %13s\n", $2, $3, $6, r, e }'
