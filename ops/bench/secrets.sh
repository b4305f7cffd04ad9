#!/usr/bin/env bash
# Issue 12's figures, EventSwarm (one agent) and then a single-node Docker Swarm on the same engine in the same
# run, the same code against both APIs: secret create -> its file readable in a new task (p50 and max of
# SECRETS_BENCH_ROUNDS rounds, default 5), and a secret read by 10 busybox httpd tasks rotated -> all 10 read the
# new data, with the requests failed meanwhile (20 requests/s). EventSwarm rotates in place
# (POST /eventswarm/v1/secrets/{id}/rotate); Docker Swarm the manual way (a new secret, `service update
# --secret-rm x --secret-add source=x-v2,target=x`), start-first for the comparison; then both the manual way
# with the default update order. Requests go to EventSwarm's routing mesh on the host's own address (the first
# of `hostname -I`: delivered locally, it never leaves the machine; whether 127.0.0.1 answers is a figure) and, on
# both systems, to the running tasks' own addresses (re-listed every second): Swarm's mesh and VIPs fail on this
# kernel (no IPVS).
# SECRETS_BENCH_SYSTEMS="eventswarm swarm" picks the halves; SECRETS_BENCH_AGENT_LOG=FILE keeps the agent's log.
# Usage: sudo bash ops/bench/secrets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=ops/bench/lib.sh
source ops/bench/lib.sh
SYSTEMS=${SECRETS_BENCH_SYSTEMS:-eventswarm swarm}
MESH=$(hostname -I | awk '{print $1}')
[ "${BENCH_SKIP_SETUP:-}" = 1 ] || SKIP_PUBLISH=1 bash ops/setup.sh >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-secrets-bench.XXXXXX)
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter label=eventswarm.task.id --filter name=bench-eventswarm- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker swarm leave --force >/dev/null 2>&1 || true
  [ -z "${SECRETS_BENCH_AGENT_LOG:-}" ] || cp "$WORK/agent.log" "$SECRETS_BENCH_AGENT_LOG" 2>/dev/null || true
  # The agent keeps its tasks' secrets in a tmpfs of its own beside its socket; it stays mounted after a kill.
  ! mountpoint -q "$WORK/es.secrets" 2>/dev/null || umount "$WORK/es.secrets"
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/eventswarm.tsv"; : >"$WORK/swarm.tsv"

if [[ " $SYSTEMS " == *" eventswarm "* ]]; then
  start_eventswarm_agent
  $BENCH secrets eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock eventswarm.task.id "$MESH" | tee "$WORK/eventswarm.tsv" || true
  stop_eventswarm_agent
fi

if [[ " $SYSTEMS " == *" swarm "* ]]; then
  docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  $BENCH secrets swarm unix:///var/run/docker.sock unix:///var/run/docker.sock com.docker.swarm.task.id - | tee "$WORK/swarm.tsv" || true
  docker swarm leave --force >/dev/null
fi

echo
compare_table 52 "$WORK/eventswarm.tsv" "$WORK/swarm.tsv"
echo "Requests: EventSwarm's routing mesh on $MESH:18481 and the tasks' own addresses; Docker Swarm: the tasks'"
echo "own addresses only (on docker_gwbridge; its mesh and VIPs fail without IPVS). EventSwarm rotates in place;"
echo "Swarm's first rotation is the manual one, start-first."
