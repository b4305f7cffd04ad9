#!/usr/bin/env bash
# An N-node EventSwarm cluster on one machine: each node is a network namespace with its own address on a shared
# bridge, its own hostname, its own Docker Engine (with the offline images loaded) and its own `eventswarm agent`.
#   bash ops/cluster.sh up N      nodes n1..nN at 10.200.0.11..; sockets in /run/eventswarm-cluster/nK/
#   bash ops/cluster.sh down      stop everything and remove the namespaces, bridge, rules and data
#   bash ops/cluster.sh env K     print the exports to drive node K (EVENTSWARM_HOST, DOCKER_HOST for its engine)
#   bash ops/cluster.sh load K IMAGE...   copy images from this machine's engine into node K's (those it lacks)
# Every node gets busybox:latest and whoami:latest (2 MB). The big offline images (mysql:5.7 = mysql:latest, 250 MB;
# wordpress:latest, 400 MB; ops/images/offline) are loaded only on demand, with `load` into the nodes that run them
# (about 5-10 s per image and node), or NODE_IMAGES="mysql:5.7 mysql:latest" on `up` for every node.
# Agents start as dockerd does, with no address: they listen for other nodes (on 0.0.0.0:2377, Raft on :4377)
# once `swarm init` / `swarm join` says so, and again after a restart; the web view on the node's address, port 2380
# (a manager's; --web-addr in AGENT_ARGS replaces it); AGENT_ARGS adds flags (e.g.
# --heartbeat-period 1s); DATA_TMPFS_NODES="3 5" puts those nodes' agent data dirs on a tmpfs of DATA_TMPFS_SIZE
# (default 30m), for the disk-full fault cases. They are not joined into one swarm here: that is the caller's step, e.g.
#   eventswarm -H unix:///run/eventswarm-cluster/n1/eventswarm.sock swarm init --advertise-addr 10.200.0.11
#   eventswarm -H unix:///run/eventswarm-cluster/n2/eventswarm.sock swarm join --token <token> 10.200.0.11:2377
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=/run/eventswarm-cluster
DATA=/var/lib/eventswarm-cluster
BRIDGE=esbr0
SUBNET_PREFIX=10.200.0
ES=${EVENTSWARM_BIN:-eventswarm}

addr() { echo "$SUBNET_PREFIX.$((10 + $1))"; }
in_ns() { local k=$1; shift; nsenter --net=/var/run/netns/es-n$k "$@"; }

up_network() {
  ip link show $BRIDGE >/dev/null 2>&1 || {
    ip link add $BRIDGE type bridge
    ip addr add $SUBNET_PREFIX.1/24 dev $BRIDGE
    ip link set $BRIDGE up
  }
  # With a Docker Engine in the root namespace, br_netfilter + FORWARD DROP would block traffic between the
  # nodes' veths on this bridge.
  iptables -C FORWARD -i $BRIDGE -o $BRIDGE -j ACCEPT 2>/dev/null || iptables -I FORWARD -i $BRIDGE -o $BRIDGE -j ACCEPT
}

up_node() {
  local k=$1 dir=$ROOT/n$1
  mkdir -p "$dir" "$DATA/n$k"
  if ! ip netns list | grep -qw "es-n$k"; then
    ip netns add es-n$k
    ip link add es-n$k-h type veth peer name es-n$k-c
    ip link set es-n$k-h master $BRIDGE up
    ip link set es-n$k-c netns es-n$k
    in_ns $k ip link set lo up
    in_ns $k ip link set es-n$k-c name eth0
    in_ns $k ip addr add "$(addr $k)/24" dev eth0
    in_ns $k ip link set eth0 up
    in_ns $k ip route add default via $SUBNET_PREFIX.1
  fi
  if ! DOCKER_HOST=unix://$dir/docker.sock docker info >/dev/null 2>&1; then
    # `ip netns exec` remounts /sys and dockerd then fails ("Devices cgroup isn't mounted"): enter only the net ns.
    unshare --uts sh -c "hostname n$k; exec nsenter --net=/var/run/netns/es-n$k dockerd \
      --data-root $DATA/n$k/docker --exec-root $dir/exec -H unix://$dir/docker.sock --pidfile $dir/docker.pid" \
      >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 120); do DOCKER_HOST=unix://$dir/docker.sock docker info >/dev/null 2>&1 && break; sleep 0.5; done
    DOCKER_HOST=unix://$dir/docker.sock docker info >/dev/null 2>&1 || { echo "n$k: dockerd did not start, see $dir/dockerd.log" >&2; tail -5 "$dir/dockerd.log" >&2; exit 1; }
  fi
  load_images "$k" busybox:latest whoami:latest ${NODE_IMAGES:-}
  if [[ " ${DATA_TMPFS_NODES:-} " == *" $k "* ]] && ! mountpoint -q "$DATA/n$k/eventswarm"; then
    mkdir -p "$DATA/n$k/eventswarm"
    mount -t tmpfs -o "size=${DATA_TMPFS_SIZE:-30m}" tmpfs "$DATA/n$k/eventswarm"
  fi
  if ! curl -sf --unix-socket "$dir/eventswarm.sock" http://localhost/_ping >/dev/null 2>&1; then
    # A namespace's loopback is its own: its managers' web views listen on the node's bridge address instead, so that
    # the host reaches them (http://10.200.0.1K:2380; a worker's answers 503 and says to use a manager's).
    local web=""; [[ " ${AGENT_ARGS:-} " == *" --web-addr "* ]] || web="--web-addr $(addr $k):2380"
    # The clock fault hook (tests/Faults): a node's wall clock is shifted by the seconds written in this file, if any.
    EVENTSWARM_FAULT_CLOCK_OFFSET_FILE=$dir/clock-offset \
    unshare --uts sh -c "hostname n$k; exec nsenter --net=/var/run/netns/es-n$k $ES agent --data-dir $DATA/n$k/eventswarm \
      --docker-host unix://$dir/docker.sock --socket $dir/eventswarm.sock $web ${AGENT_ARGS:-}" \
      >"$dir/agent.log" 2>&1 &
    echo $! >"$dir/agent.pid"
    for _ in $(seq 1 150); do curl -sf --unix-socket "$dir/eventswarm.sock" http://localhost/_ping >/dev/null 2>&1 && break; sleep 0.2; done
    curl -sf --unix-socket "$dir/eventswarm.sock" http://localhost/_ping >/dev/null || { echo "n$k: agent did not start, see $dir/agent.log" >&2; exit 1; }
  fi
  echo "n$k: $(addr $k)  agent unix://$dir/eventswarm.sock  engine unix://$dir/docker.sock"
}

# load_images K IMAGE...: those of the images node K's engine lacks, in one `docker save` (tags of one image, such as
# mysql:5.7 and mysql:latest, share their layers).
load_images() {
  local k=$1 image missing=(); shift
  for image; do
    DOCKER_HOST=unix://$ROOT/n$k/docker.sock docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  docker image inspect "${missing[@]}" >/dev/null 2>&1 || { echo "n$k: this machine's engine lacks one of ${missing[*]}; bash ops/images/build.sh builds them" >&2; exit 1; }
  docker save "${missing[@]}" | DOCKER_HOST=unix://$ROOT/n$k/docker.sock docker load -q >/dev/null
}

down() {
  for dir in "$ROOT"/n*; do
    [ -d "$dir" ] || continue
    # The agent runs under unshare/sh; kill whatever still serves this node's socket.
    pkill -9 -f -- "--socket $dir/eventswarm.sock" 2>/dev/null || true
    if [ -f "$dir/docker.pid" ]; then
      DOCKER_HOST=unix://$dir/docker.sock docker ps -aq 2>/dev/null | xargs -r env DOCKER_HOST=unix://$dir/docker.sock docker rm -f >/dev/null 2>&1 || true
      local pid; pid=$(cat "$dir/docker.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  for ns in $(ip netns list | awk '{print $1}' | grep '^es-n' || true); do
    ip link del "$ns-h" 2>/dev/null || true
    ip netns del "$ns"
  done
  ip link del $BRIDGE 2>/dev/null || true
  while iptables -C FORWARD -i $BRIDGE -o $BRIDGE -j ACCEPT 2>/dev/null; do iptables -D FORWARD -i $BRIDGE -o $BRIDGE -j ACCEPT; done
  umount -R "$ROOT"/n*/exec 2>/dev/null || true
  # Each agent keeps the secrets of its tasks in a tmpfs of its own beside its socket; it stays mounted after a kill.
  for mnt in "$ROOT"/n*/eventswarm.secrets; do mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; done
  # dockerd bind-mounts its data root onto itself and unmounts it on a clean stop only: one killed after the 10 s
  # above (seen with the big offline images loaded) leaves it mounted, and rm -rf below would fail.
  umount -R "$DATA"/n*/docker 2>/dev/null || true
  for mnt in "$DATA"/n*/eventswarm; do mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; done
  rm -rf "$ROOT" "$DATA"
}

case "${1:-}" in
  up)
    n=${2:?usage: ops/cluster.sh up N}
    up_network
    for k in $(seq 1 "$n"); do up_node "$k"; done ;;
  down) down ;;
  env)
    k=${2:?usage: ops/cluster.sh env K}
    echo "export EVENTSWARM_HOST=unix://$ROOT/n$k/eventswarm.sock DOCKER_HOST=unix://$ROOT/n$k/docker.sock" ;;
  load)
    k=${2:?usage: ops/cluster.sh load K IMAGE...}
    [ $# -gt 2 ] || { echo "usage: ops/cluster.sh load K IMAGE..." >&2; exit 2; }
    load_images "$k" "${@:3}" ;;
  *) echo "usage: ops/cluster.sh up N | down | env K | load K IMAGE..." >&2; exit 2 ;;
esac
