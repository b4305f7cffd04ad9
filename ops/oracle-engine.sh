#!/usr/bin/env bash
# A throwaway Docker Engine in its own network namespace: the oracle the compatibility suite compares EventSwarm with
# (tests/IntegrationTests/Compatibility). Started exactly as ops/cluster.sh starts node engines, with names and
# addresses of its own so both can run at once:
#   namespace es-oracle, veth es-oracle-h (10.201.0.1/24, root side) <-> eth0 (10.201.0.2/24, inside)
#   bash ops/oracle-engine.sh up      start it (idempotent; a crashed previous run is cleaned up first); busybox loaded
#   bash ops/oracle-engine.sh down    stop it and remove the namespace, veth and every file it wrote
#   bash ops/oracle-engine.sh env     print DOCKER_HOST for it
#   bash ops/oracle-engine.sh load IMAGE...   copy images it lacks from this machine's engine (e.g. mysql:5.7, 250 MB:
#                                     the big offline images of ops/images/offline are loaded only when a test needs them)
# ORACLE_ROOT (default /tmp/eventswarm-oracle) holds its data root, exec root, socket, pid file and log.
set -euo pipefail
ROOT=${ORACLE_ROOT:-/tmp/eventswarm-oracle}
NS=es-oracle
HOST_IF=es-oracle-h
HOST_ADDR=10.201.0.1
NODE_ADDR=10.201.0.2
SOCK=$ROOT/docker.sock

engine() { DOCKER_HOST=unix://$SOCK docker "$@"; }

close_inherited_fds() {
  local fd
  for fd in $(ls /proc/$BASHPID/fd); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
}

down() {
  if [ -f "$ROOT/docker.pid" ]; then
    local pid; pid=$(cat "$ROOT/docker.pid")
    if kill -0 "$pid" 2>/dev/null; then
      engine ps -aq 2>/dev/null | xargs -r env DOCKER_HOST=unix://$SOCK docker rm -f >/dev/null 2>&1 || true
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  ip link del $HOST_IF 2>/dev/null || true
  ip netns list | grep -qw $NS && ip netns del $NS
  # dockerd mounts its exec root's netns and container state; unmount before removing.
  grep -o " $ROOT[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$ROOT"
}

up() {
  # A previous run that died leaves a dead engine behind: start clean rather than adopt half a state.
  if ! engine info >/dev/null 2>&1; then down; fi
  mkdir -p "$ROOT"
  if ! ip netns list | grep -qw $NS; then
    ip netns add $NS
    ip link add $HOST_IF type veth peer name $NS-c
    ip addr add $HOST_ADDR/24 dev $HOST_IF
    ip link set $HOST_IF up
    ip link set $NS-c netns $NS
    nsenter --net=/var/run/netns/$NS ip link set lo up
    nsenter --net=/var/run/netns/$NS ip link set $NS-c name eth0
    nsenter --net=/var/run/netns/$NS ip addr add $NODE_ADDR/24 dev eth0
    nsenter --net=/var/run/netns/$NS ip link set eth0 up
    nsenter --net=/var/run/netns/$NS ip route add default via $HOST_ADDR
  fi
  if ! engine info >/dev/null 2>&1; then
    # `ip netns exec` remounts /sys and dockerd then fails ("Devices cgroup isn't mounted"): enter only the net ns.
    # The engine outlives this script: it must not inherit our descriptors beyond stdio, or it would hold the
    # caller's flock (/tmp/es-integration.lock) for as long as it runs.
    ( close_inherited_fds
      exec unshare --uts sh -c "hostname oracle; exec nsenter --net=/var/run/netns/$NS dockerd \
        --data-root $ROOT/data --exec-root $ROOT/exec -H unix://$SOCK --pidfile $ROOT/docker.pid" \
        >"$ROOT/dockerd.log" 2>&1 ) &
    for _ in $(seq 1 120); do engine info >/dev/null 2>&1 && break; sleep 0.5; done
    engine info >/dev/null 2>&1 || { echo "oracle: dockerd did not start, see $ROOT/dockerd.log" >&2; tail -5 "$ROOT/dockerd.log" >&2; exit 1; }
  fi
  engine image inspect busybox:latest >/dev/null 2>&1 || docker save busybox:latest | engine load -q >/dev/null
  echo "oracle: $NODE_ADDR  engine unix://$SOCK"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) echo "export DOCKER_HOST=unix://$SOCK" ;;
  load)
    [ $# -gt 1 ] || { echo "usage: ops/oracle-engine.sh load IMAGE..." >&2; exit 2; }
    missing=()
    for image in "${@:2}"; do engine image inspect "$image" >/dev/null 2>&1 || missing+=("$image"); done
    [ ${#missing[@]} -eq 0 ] || docker save "${missing[@]}" | engine load -q >/dev/null ;;
  *) echo "usage: ops/oracle-engine.sh up | down | env | load IMAGE..." >&2; exit 2 ;;
esac
