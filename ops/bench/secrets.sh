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
  # Loopback only, clear of 2377/4377 and of run.sh's ports (14377/14399).
  $ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14599 >"$WORK/agent.log" 2>&1 3>&- &
  AGENT_PID=$!
  for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
  DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14577 >/dev/null
  $BENCH secrets eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock eventswarm.task.id "$MESH" | tee "$WORK/eventswarm.tsv" || true
  grep -ciE "unhandled exception|fail: " "$WORK/agent.log" | sed 's/^/eventswarm agent log: errors: /' || true
  # The agent's engine networks (its ingress is 10.0.0.0/24, as Swarm's, which then could not be allocated): the
  # agent removes them once their last container is gone; whatever is left at the kill is removed here.
  NETS=$(DOCKER_HOST="unix://$WORK/es.sock" docker network ls -q --no-trunc 2>/dev/null || true)
  engine_nets() { for n in $NETS; do docker network ls -q --filter "label=eventswarm.network.id=$n"; done; }
  for _ in $(seq 1 50); do [ -z "$(engine_nets)" ] && break; sleep 0.2; done
  kill -9 "$AGENT_PID"; AGENT_PID=""
  docker ps -aq --filter label=eventswarm.task.id --filter name=bench-eventswarm- | xargs -r docker rm -f >/dev/null 2>&1 || true
  engine_nets | xargs -r docker network rm >/dev/null 2>&1 || true
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
