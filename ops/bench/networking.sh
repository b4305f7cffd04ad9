#!/usr/bin/env bash
# Service networking on a real 3-node layout (ops/cluster.sh): EventSwarm, then Docker Swarm on the same engines.
# whoami (2 tasks, off n3) publishes 8000 on an overlay network; a client task runs on n3 and the bench runs in
# the client container's network namespace: requests/s and p99 through the VIP and the routing mesh vs directly
# to a task, task Running -> in DNS and in the VIP rotation, task killed -> out, failed requests while whoami
# scales 3 -> 1 -> 3. Traffic stays inside the namespaces this script creates.
# Usage: sudo bash ops/bench/networking.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
export EVENTSWARM_BIN="dotnet $PWD/src/Node/bin/Release/net10.0/eventswarm.dll"
BENCH="dotnet $PWD/ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
C=/run/eventswarm-cluster
OUT=$(mktemp -d /tmp/eventswarm-network-bench.XXXXXX)
trap 'rc=$?; bash ops/cluster.sh down >/dev/null 2>&1 || true; rm -rf "$OUT"; exit $rc' EXIT

client_pid() { # $1: engine socket, $2: label filter
  local id=""
  for _ in $(seq 1 300); do
    id=$(docker -H "unix://$1" ps -q --filter "label=$2" | head -1)
    [ -n "$id" ] && break; sleep 0.2
  done
  docker -H "unix://$1" inspect -f '{{.State.Pid}}' "$id"
}
wait_running() { # $1: cli, $2: service, $3: count
  for _ in $(seq 1 600); do
    [ "$($1 service ps "$2" 2>/dev/null | grep -cE 'Running +Running')" -ge "$3" ] && return 0
    sleep 0.2
  done
  echo "networking bench: $2 did not reach $3 running tasks" >&2; return 1
}

# EventSwarm: n1 manager, n2 and n3 workers.
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
ES="$EVENTSWARM_BIN -H unix://$C/n1/eventswarm.sock"
$ES swarm init --advertise-addr 10.200.0.11 >/dev/null
T=$($ES swarm join-token -q worker)
for k in 2 3; do $EVENTSWARM_BIN -H unix://$C/n$k/eventswarm.sock swarm join --token "$T" 10.200.0.11:2377 >/dev/null; done
$ES network create -d overlay demo >/dev/null
$ES service create -d --name whoami -p 8000:8000 --network demo --replicas 2 --constraint node.hostname!=n3 --stop-grace-period 1s whoami >/dev/null
$ES service create -d --name client --network demo --constraint node.hostname==n3 busybox sleep 3600 >/dev/null
wait_running "$ES" whoami 2
PID=$(client_pid $C/n3/docker.sock eventswarm.service.name=client)
nsenter -t "$PID" -n $BENCH network eventswarm unix://$C/n1/eventswarm.sock whoami 8000 10.200.0.11 | tee "$OUT/es.tsv"

# Docker Swarm on the same three engines, the agents stopped (they joined no swarm: nothing holds 2377; 2378 keeps
# the two apart all the same).
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
for k in 1 2 3; do kill -9 "$(cat $C/n$k/agent.pid)" 2>/dev/null || true; done
D="docker -H unix://$C/n1/docker.sock"
$D swarm init --advertise-addr 10.200.0.11:2378 --listen-addr 10.200.0.11:2378 >/dev/null
T=$($D swarm join-token -q worker)
for k in 2 3; do docker -H unix://$C/n$k/docker.sock swarm join --token "$T" --listen-addr 10.200.0.1$k:2378 --advertise-addr 10.200.0.1$k:2378 10.200.0.11:2378 >/dev/null; done
$D network create -d overlay demo >/dev/null
$D service create -d --name whoami -p 8000:8000 --network demo --replicas 2 --constraint node.hostname!=n3 --stop-grace-period 1s whoami:latest >/dev/null
$D service create -d --name client --network demo --constraint node.hostname==n3 busybox:latest sleep 3600 >/dev/null
wait_running "$D" whoami 2
PID=$(client_pid $C/n3/docker.sock com.docker.swarm.service.name=client)
nsenter -t "$PID" -n $BENCH network swarm unix://$C/n1/docker.sock whoami 8000 10.200.0.11 | tee "$OUT/swarm.tsv"

echo
printf '%-48s %16s %16s\n' figure EventSwarm "Docker Swarm"
paste "$OUT/es.tsv" "$OUT/swarm.tsv" | awk -F'\t' '{ printf "%-48s %16s %16s\n", $2, $3, $6 }'
