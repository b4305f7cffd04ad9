#!/usr/bin/env bash
# Issue 13's figures, EventSwarm (one agent) and then a single-node Docker Swarm on the same engine in the same
# run, the same code against both APIs (UpdateBench.cs): 6 replicas of python-hello-world:1.0 updated to :2.0
# (a spec update with the new image, as `docker service update --image`) and rolled back (rollback=previous, as
# `docker service rollback`), parallelism 2 with delay 0 and 10 s (stop-first), and start-first with delay 0: the
# time from the call to all 6 running tasks on the new image and to UpdateStatus completed, and the requests that
# failed meanwhile (20 requests/s per path) through the service's VIP (from a client task on the same overlay
# network), the routing mesh on the host's own address (the first of `hostname -I`: delivered locally), 127.0.0.1
# when it answers, and the running tasks' own addresses. Docker Swarm's mesh and VIPs fail on this kernel (no
# IPVS): measured all the same. The image's httpd is PID 1 and ignores SIGTERM, so every stop takes the stop grace
# period: each scenario runs with every grace of UPDATE_BENCH_GRACE (seconds, default "10 1": Docker's default
# and the benches' usual 1 s), the same on both systems.
# UPDATE_BENCH_SYSTEMS="eventswarm swarm" picks the halves; UPDATE_BENCH_AGENT_LOG=FILE keeps the agent's log,
# UPDATE_BENCH_EVENTS=FILE its event log (/eventswarm/v1/events: every task event with its timestamp).
# Usage: sudo bash ops/bench/update.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=ops/bench/lib.sh
source ops/bench/lib.sh
SYSTEMS=${UPDATE_BENCH_SYSTEMS:-eventswarm swarm}
GRACE=${UPDATE_BENCH_GRACE:-10 1}
MESH=$(hostname -I | awk '{print $1}')
[ "${BENCH_SKIP_SETUP:-}" = 1 ] || SKIP_PUBLISH=1 bash ops/setup.sh >/dev/null
bash ops/images/build.sh >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-update-bench.XXXXXX)
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  docker ps -aq --filter label=eventswarm.task.id --filter name=bench-eventswarm- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker swarm leave --force >/dev/null 2>&1 || true
  docker ps -aq --filter label=com.docker.swarm.task.id --filter name=bench-swarm- | xargs -r docker rm -f >/dev/null 2>&1 || true
  [ -z "${UPDATE_BENCH_AGENT_LOG:-}" ] || cp "$WORK/agent.log" "$UPDATE_BENCH_AGENT_LOG" 2>/dev/null || true
  [ -z "${UPDATE_BENCH_EVENTS:-}" ] || cp "$WORK/events.json" "$UPDATE_BENCH_EVENTS" 2>/dev/null || true
  # The agent keeps its tasks' secrets in a tmpfs of its own beside its socket; it stays mounted after a kill.
  ! mountpoint -q "$WORK/es.secrets" 2>/dev/null || umount "$WORK/es.secrets"
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/eventswarm.tsv"; : >"$WORK/swarm.tsv"

if [[ " $SYSTEMS " == *" eventswarm "* ]]; then
  start_eventswarm_agent
  # shellcheck disable=SC2086 # one argument per grace
  $BENCH update eventswarm "unix://$WORK/es.sock" unix:///var/run/docker.sock eventswarm.task.id "$MESH" $GRACE | tee "$WORK/eventswarm.tsv" || true
  curl -s --max-time 30 --unix-socket "$WORK/es.sock" http://localhost/eventswarm/v1/events >"$WORK/events.json" || true
  stop_eventswarm_agent
fi

if [[ " $SYSTEMS " == *" swarm "* ]]; then
  docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  # shellcheck disable=SC2086
  $BENCH update swarm unix:///var/run/docker.sock unix:///var/run/docker.sock com.docker.swarm.task.id "$MESH" $GRACE | tee "$WORK/swarm.tsv" || true
  docker swarm leave --force >/dev/null
fi

echo
compare_table 72 "$WORK/eventswarm.tsv" "$WORK/swarm.tsv"
echo "Failed requests are failed/sent, 20/s per path, from 1 s before the call to 1 s after UpdateStatus completed."
echo "VIP: from a client task on the service's overlay network; mesh: the published port on $MESH (the host's own"
echo "address); direct: the running tasks' own addresses, re-listed every second. Swarm's mesh and VIP need IPVS,"
echo "which this kernel lacks; n/a: 127.0.0.1 did not answer before the update. rollback_config = update_config."
