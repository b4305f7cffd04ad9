#!/usr/bin/env bash
# What a Prometheus scrape of a manager costs at a given size (docs/metrics.md): one real agent in a swarm of its
# own (its node drained, so no container runs), `eventswarm simulate` nodes joined through the real join, mTLS and
# heartbeats, one service of R replicas placed on them; then S scrapes of /metrics on --metrics-addr, printing the
# scrape's time (p50/max), its size and a few of its figures. Run it under the integration lock:
#   flock /tmp/es-integration.lock bash ops/bench/metrics.sh [NODES] [REPLICAS] [SCRAPES]   (default 50 10000 20)
# Measured (2026-11-28 17:00, the 2-core box shared with other helpers' builds), defaults: 51 nodes, 10,000 tasks
# Running; scrape p50 17.5 ms, max 41.5 ms over 20 scrapes; 64,046 bytes, 636 samples; commit latency mean 55 ms
# (114.8 s over 2,093 commits while converging); 51 heartbeat-lag series, max 3.2 s (the default 5 s period).
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=${1:-50}; replicas=${2:-10000}; scrapes=${3:-20}
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
ES="dotnet $PWD/src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-metrics-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listen=$(free_port); raft=$(free_port); metrics=$(free_port)
AGENT_PID=""; SIM_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill -9 "$SIM_PID" 2>/dev/null || true
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# 3>&-: the agent and simulate must not hold the caller's lock fd (flock).
$ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr "127.0.0.1:$raft" --listen-addr "127.0.0.1:$listen" \
  --metrics-addr "127.0.0.1:$metrics" --web-addr none >"$WORK/agent.log" 2>&1 3>&- &
AGENT_PID=$!
for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
export DOCKER_HOST="unix://$WORK/es.sock"
docker swarm init --advertise-addr 127.0.0.1 >/dev/null
docker node update --availability drain "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
token=$(docker swarm join-token -q worker)
$ES simulate --nodes "$nodes" --token "$token" "127.0.0.1:$listen" >"$WORK/simulate.log" 2>&1 3>&- &
SIM_PID=$!
for _ in $(seq 1 300); do
  [ "$(docker node ls --format '{{.Status}}' | grep -c Ready)" -ge $((nodes + 1)) ] && break; sleep 1
done
echo "nodes Ready: $(docker node ls --format '{{.Status}}' | grep -c Ready) of $((nodes + 1))"
docker service create -d --name metrics-bench --replicas "$replicas" busybox sleep 3600 >/dev/null 2>&1
for _ in $(seq 1 300); do
  [ "$(docker service ls --filter name=metrics-bench --format '{{.Replicas}}')" = "$replicas/$replicas" ] && break; sleep 1
done
echo "metrics-bench replicas: $(docker service ls --filter name=metrics-bench --format '{{.Replicas}}')"
times=()
for _ in $(seq 1 "$scrapes"); do
  times+=("$(curl -s -o "$WORK/scrape.txt" -w '%{time_total}' "http://127.0.0.1:$metrics/metrics")")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$scrapes" '{ t[NR] = $1 } END { printf "scrape of /metrics (%d nodes, %d tasks): p50 %.1f ms, max %.1f ms over %d scrapes\n", '"$nodes"' + 1, '"$replicas"', t[int((n + 1) / 2)] * 1000, t[n] * 1000, n }'
echo "scrape size: $(wc -c <"$WORK/scrape.txt") bytes, $(grep -vc '^#' "$WORK/scrape.txt") samples"
grep -E '^eventswarm_(services|raft_commit_index|raft_commit_duration_seconds_(sum|count)|tasks\{state="running"\}|nodes\{role="worker",state="ready",availability="active"\}|service_running_replicas)' "$WORK/scrape.txt"
echo "heartbeat lag series: $(grep -c '^eventswarm_node_heartbeat_lag_seconds' "$WORK/scrape.txt"); max lag: $(grep '^eventswarm_node_heartbeat_lag_seconds' "$WORK/scrape.txt" | awk '{ if ($2 > m) m = $2 } END { print m }') s"
grep -E '^eventswarm_control_loop_pass_duration_seconds_(sum|count)\{loop="scheduler"\}' "$WORK/scrape.txt"
docker service rm metrics-bench >/dev/null
