#!/usr/bin/env bash
# The README's main command: a local one-node EventSwarm cluster (one manager whose Raft log lives in
# /var/lib/eventswarm) running the seed's demo service. Idempotent; `--stop` stops the agent (containers stay,
# as with Swarm when its daemon stops).
#   --nodes N   N nodes instead (ops/cluster.sh: a namespace, Docker Engine and agent each): three managers when
#               N >= 3 (one otherwise), the rest workers; `--nodes N --stop` tears them down.
set -euo pipefail
cd "$(dirname "$0")/.."
SOCK=/run/eventswarm/eventswarm.sock
PIDFILE=/run/eventswarm/agent.pid
export EVENTSWARM_HOST="unix://$SOCK"

nodes=1; stop=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=${2:?usage: ops/run-main.sh [--nodes N] [--stop]}; shift ;;
    --stop) stop=1 ;;
    *) echo "usage: ops/run-main.sh [--nodes N] [--stop]" >&2; exit 2 ;;
  esac
  shift
done

# The archive (docs/archive.md): a local PostgreSQL of the main job's own, initialised once beside the agent's data
# directory and started on a fixed loopback port; the agent copies its log into it (--archive). Prints the
# connection string, or nothing (with a warning) when PostgreSQL cannot start: the agent then runs without archive.
PG_DIR=/var/lib/eventswarm-postgres
PG_PORT=54329
start_archive_db() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "warning: PostgreSQL is not installed; running without archive" >&2; return 0; }
  mkdir -p "$PG_DIR"; chown postgres:postgres "$PG_DIR"; chmod 700 "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { echo "warning: initdb failed (see $PG_DIR/initdb.log); running without archive" >&2; return 0; }
  fi
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    if ss -Hltn "sport = :$PG_PORT" | grep -q .; then
      echo "warning: port $PG_PORT is taken; running without archive" >&2; return 0
    fi
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null \
      || { echo "warning: PostgreSQL did not start (see $PG_DIR/server.log); running without archive" >&2; return 0; }
  fi
  runuser -u postgres -- "$bin/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -tAc "select 1 from pg_database where datname='eventswarm'" | grep -q 1 \
    || runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p $PG_PORT -U postgres eventswarm \
    || { echo "warning: could not create the archive database; running without archive" >&2; return 0; }
  echo "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=eventswarm"
}
stop_archive_db() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -f "$PG_DIR/data/PG_VERSION" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 && echo "archive database stopped" || true
}

# The seed's networking demo: an overlay network, whoami published through the routing mesh, and a client task
# on the same network to try service discovery from (`nslookup whoami`, `nslookup tasks.whoami`).
seed_networking() {
  local cli=$1
  # A swarm initialised before networks existed has no ingress network yet.
  $cli network inspect ingress >/dev/null 2>&1 || $cli network create -d overlay --ingress ingress >/dev/null
  $cli network inspect demo >/dev/null 2>&1 || $cli network create -d overlay demo >/dev/null
  $cli service inspect whoami >/dev/null 2>&1 || $cli service create -d --name whoami --replicas 2 -p 8000:8000 --network demo whoami >/dev/null
  $cli service inspect client >/dev/null 2>&1 || \
    $cli service create -d --name client --network demo busybox sh -c "while true; do sleep 3600; done" >/dev/null
}

if [ "$nodes" -gt 1 ]; then
  if [ $stop = 1 ]; then bash ops/cluster.sh down; exit 0; fi
  bash ops/setup.sh
  bash ops/cluster.sh up "$nodes"
  C=/run/eventswarm-cluster
  es() { local k=$1; shift; eventswarm -H "unix://$C/n$k/eventswarm.sock" "$@"; }
  managers=1; [ "$nodes" -ge 3 ] && managers=3
  es 1 node ls >/dev/null 2>&1 || es 1 swarm init --advertise-addr 10.200.0.11 >/dev/null
  for k in $(seq 2 "$nodes"); do
    es "$k" node ls >/dev/null 2>&1 && continue                     # a manager already in the swarm
    role=worker; [ "$k" -le $managers ] && role=manager
    curl -sf --unix-socket "$C/n$k/eventswarm.sock" http://localhost/info | grep -q '"LocalNodeState":"active"' && continue
    es "$k" swarm join --token "$(es 1 swarm join-token -q $role)" 10.200.0.11:2377
  done
  es 1 service inspect demo >/dev/null 2>&1 || \
    es 1 service create --name demo --replicas $((nodes * 2)) busybox sh -c "while true;do sleep 3600;done"
  seed_networking "es 1"
  echo; es 1 node ls; echo; es 1 service ls; echo; es 1 service ps demo
  cat <<EOT

EventSwarm is running on $nodes nodes (n1..n$nodes at 10.200.0.11..; agent logs in $C/nK/agent.log).
  eval \$(bash ops/cluster.sh env 2)                         # drive node n2 (eventswarm and docker CLIs)
  eventswarm node ls                                         # from any manager
  curl -s 10.200.0.11:8000                                   # whoami through the routing mesh, on any node's address
  eventswarm -H unix://$C/n1/eventswarm.sock web token --operator   # a sign-in URL for n1's web view (http://10.200.0.11:2380); docs/web-access.md
  bash ops/run-main.sh --nodes $nodes --stop                  # tear the nodes down
EOT
  exit 0
fi

if [ $stop = 1 ]; then
  [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null && echo "agent stopped" || echo "no agent running"
  stop_archive_db
  exit 0
fi

bash ops/setup.sh
mkdir -p /run/eventswarm /var/lib/eventswarm
ARCHIVE=$(start_archive_db)
if ! curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; then
  nohup eventswarm agent --data-dir /var/lib/eventswarm --docker-host unix:///var/run/docker.sock --socket "$SOCK" \
    ${ARCHIVE:+--archive "$ARCHIVE"} >>/var/log/eventswarm-agent.log 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 150); do curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null || { echo "agent did not start; see /var/log/eventswarm-agent.log" >&2; exit 1; }
fi
# One node: its swarm port and Raft (4377) on loopback only; `swarm init --advertise-addr <IP>` (no --listen-addr)
# instead lets other machines join it.
eventswarm node ls >/dev/null 2>&1 || eventswarm swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377
eventswarm service inspect demo >/dev/null 2>&1 || \
  eventswarm service create --name demo --replicas 3 busybox sh -c "while true;do sleep 3600;done"
seed_networking eventswarm

echo; eventswarm node ls; echo; eventswarm service ls; echo; eventswarm service ps demo
cat <<EOT

EventSwarm is running (agent log: /var/log/eventswarm-agent.log).
  eventswarm service scale demo=5                         # our CLI, on $SOCK
  DOCKER_HOST=unix://$SOCK docker service ls     # or the stock docker CLI
  eventswarm audit                                        # who did what, and what the control loops did about it
  eventswarm events --follow                              # every log event, resumable by index (--since INDEX)
  DOCKER_HOST=unix://$SOCK docker events --since 0 --filter scope=swarm   # Docker's swarm events, since the swarm began
  eventswarm --at -5m service ls                          # the cluster as it was five minutes ago
  eventswarm diff --from -5m                              # what changed since then
  eventswarm explain service demo                         # its versions and tasks, and why each task runs where it does
  eventswarm web token --operator                         # the web view at http://127.0.0.1:2380: prints a token, then its sign-in URL
  curl -s --unix-socket $SOCK http://localhost/metrics | grep archive  # the archive's progress (docs/archive.md)
  psql -h 127.0.0.1 -p $PG_PORT -U postgres eventswarm -c 'select id, type, actor, command, at from eventswarm.mt_doc_archived_event order by id desc limit 10'
  curl -s \$(hostname -I | cut -d' ' -f1):8000               # whoami through the routing mesh
  docker exec -it \$(docker ps -q -f label=eventswarm.service.name=client) nslookup tasks.whoami
  bash ops/run-main.sh --stop                             # stop the agent
EOT
