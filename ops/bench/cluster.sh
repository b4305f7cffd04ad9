#!/usr/bin/env bash
# Three managers on a real 3-node layout (ops/cluster.sh), EventSwarm and then Docker Swarm on the same engines:
# commands committed per second (sequential and 32 in flight, via the leader and via a follower), scale 1 -> 30
# over the three nodes, the leader's RSS with 33 services, and leader failover (kill -9) to the first command
# committed through a follower. Agents start with no address (as dockerd); Swarm listens on 2378, clear of the
# 2377 an agent listens on once in a swarm.
# Usage: sudo bash ops/bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
export EVENTSWARM_BIN="dotnet $PWD/src/Node/bin/Release/net10.0/eventswarm.dll"
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="$EVENTSWARM_BIN"
C=/run/eventswarm-cluster
OUT=$(mktemp -d /tmp/eventswarm-cluster-bench.XXXXXX)
trap 'rc=$?; bash ops/cluster.sh down >/dev/null 2>&1 || true; rm -rf "$OUT"; exit $rc' EXIT

# EventSwarm: n1 initialises, n2 and n3 join as managers.
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
$ES -H unix://$C/n1/eventswarm.sock swarm init --advertise-addr 10.200.0.11 >/dev/null
T=$($ES -H unix://$C/n1/eventswarm.sock swarm join-token -q manager)
for k in 2 3; do $ES -H unix://$C/n$k/eventswarm.sock swarm join --token "$T" 10.200.0.11:2377 >/dev/null; done
PID=$(cat $C/n1/agent.pid)
$BENCH cluster eventswarm unix://$C/n1/eventswarm.sock unix://$C/n2/eventswarm.sock "$PID" "kill -9 $PID" | tee "$OUT/es.tsv"

# Docker Swarm on the same three engines, the agents stopped.
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
for k in 1 2 3; do kill -9 "$(cat $C/n$k/agent.pid)" 2>/dev/null || true; done
D="docker -H unix://$C/n1/docker.sock"
$D swarm init --advertise-addr 10.200.0.11:2378 --listen-addr 10.200.0.11:2378 >/dev/null
T=$($D swarm join-token -q manager)
for k in 2 3; do docker -H unix://$C/n$k/docker.sock swarm join --token "$T" --listen-addr 10.200.0.1$k:2378 --advertise-addr 10.200.0.1$k:2378 10.200.0.11:2378 >/dev/null; done
PID=$(cat $C/n1/docker.pid)
$BENCH cluster swarm unix://$C/n1/docker.sock unix://$C/n2/docker.sock "$PID" "kill -9 $PID" | tee "$OUT/swarm.tsv"

echo
printf '%-48s %11s %13s %7s\n' figure EventSwarm "Docker Swarm" ratio
paste "$OUT/es.tsv" "$OUT/swarm.tsv" | awk -F'\t' '{ r = ($6 > 0) ? sprintf("%.2f", $3 / $6) : "-"; printf "%-48s %11s %13s %7s\n", $2, $3, $6, r }'
