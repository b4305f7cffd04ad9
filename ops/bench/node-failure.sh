#!/usr/bin/env bash
# Node failure on a real 3-node layout (ops/cluster.sh), EventSwarm and then Docker Swarm on the same engines:
# kill node 3 (its agent and engine) while 6 replicas run, and time until it is marked Down and until its tasks
# run elsewhere. Both with their default heartbeat (5 s) and restart delay (5 s). Usage: sudo bash ops/bench/node-failure.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
export EVENTSWARM_BIN="dotnet $PWD/src/Node/bin/Release/net10.0/eventswarm.dll"
ES="$EVENTSWARM_BIN"
C=/run/eventswarm-cluster
trap 'rc=$?; bash ops/cluster.sh down >/dev/null 2>&1 || true; exit $rc' EXIT
now() { date +%s%N; }
since() { local d=$(( ($(now) - $1) / 1000000 )); printf '%d.%03d' $((d / 1000)) $((d % 1000)); }

measure() { # $1 = name, $2 = "node ls" command, $3 = "service ps" command, $4 = kill command
  local t0 down="" moved=""
  eval "$4"; t0=$(now)
  for _ in $(seq 1 600); do
    [ -z "$down" ] && eval "$2" 2>/dev/null | grep -E '\bn3\b' | grep -q Down && down=$(since "$t0")
    if [ -z "$moved" ]; then
      rows=$(eval "$3" 2>/dev/null | awk 'NR>1 && $0 !~ /\\_/' )
      [ "$(grep -c 'Running *Running' <<<"$rows")" = 6 ] && ! grep -E 'Running *Running' <<<"$rows" | grep -qE '\bn3\b' && moved=$(since "$t0")
    fi
    [ -n "$down" ] && [ -n "$moved" ] && break
    sleep 0.2
  done
  printf '%s\tnode killed -> marked Down (s)\t%.1f\n%s\tnode killed -> its tasks Running elsewhere (s)\t%.1f\n' "$1" "${down:-nan}" "$1" "${moved:-nan}"
}

# EventSwarm
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
$ES -H unix://$C/n1/eventswarm.sock swarm init --advertise-addr 10.200.0.11 >/dev/null
T=$($ES -H unix://$C/n1/eventswarm.sock swarm join-token -q worker)
for k in 2 3; do $ES -H unix://$C/n$k/eventswarm.sock swarm join --token "$T" 10.200.0.11:2377 >/dev/null; done
$ES -H unix://$C/n1/eventswarm.sock service create --name web --replicas 6 busybox sleep 3600 >/dev/null
measure eventswarm "$ES -H unix://$C/n1/eventswarm.sock node ls" "$ES -H unix://$C/n1/eventswarm.sock service ps web" \
  "pkill -9 -f -- '--socket $C/n3/eventswarm.sock'; kill -9 \$(cat $C/n3/docker.pid)" | tee /tmp/nf-es.tsv

# Docker Swarm on the same three engines (on port 2378, clear of 2377 where an agent listens once in a swarm)
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up 3 >/dev/null
D="docker -H unix://$C/n1/docker.sock"
$D swarm init --advertise-addr 10.200.0.11:2378 --listen-addr 10.200.0.11:2378 >/dev/null
T=$($D swarm join-token -q worker)
for k in 2 3; do docker -H unix://$C/n$k/docker.sock swarm join --token "$T" --listen-addr 10.200.0.1$k:2378 --advertise-addr 10.200.0.1$k:2378 10.200.0.11:2378 >/dev/null; done
$D service create -q --name web --replicas 6 busybox:latest sleep 3600 >/dev/null
measure swarm "$D node ls" "$D service ps web" "kill -9 \$(cat $C/n3/docker.pid)" | tee /tmp/nf-swarm.tsv
for k in 1 2; do docker -H unix://$C/n$k/docker.sock swarm leave --force >/dev/null 2>&1 || true; done

echo
printf '%-48s %11s %13s %7s\n' figure EventSwarm "Docker Swarm" ratio
paste /tmp/nf-es.tsv /tmp/nf-swarm.tsv | awk -F'\t' '{ printf "%-48s %11s %13s %7.2f\n", $2, $3, $6, $3 / $6 }'
