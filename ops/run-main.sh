#!/usr/bin/env bash
# The README's main command: a local one-node EventSwarm cluster (one manager whose Raft log lives in
# /var/lib/eventswarm) running the seed's demo service. Idempotent; `--stop` stops the agent (containers stay,
# as with Swarm when its daemon stops).
set -euo pipefail
cd "$(dirname "$0")/.."
SOCK=/run/eventswarm/eventswarm.sock
PIDFILE=/run/eventswarm/agent.pid
export EVENTSWARM_HOST="unix://$SOCK"

if [ "${1:-}" = "--stop" ]; then
  [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null && echo "agent stopped" || echo "no agent running"
  exit 0
fi

bash ops/setup.sh
mkdir -p /run/eventswarm /var/lib/eventswarm
if ! curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; then
  nohup eventswarm agent --data-dir /var/lib/eventswarm --docker-host unix:///var/run/docker.sock --socket "$SOCK" \
    >>/var/log/eventswarm-agent.log 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 150); do curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null || { echo "agent did not start; see /var/log/eventswarm-agent.log" >&2; exit 1; }
fi
eventswarm node ls >/dev/null 2>&1 || eventswarm swarm init --advertise-addr 127.0.0.1
eventswarm service inspect demo >/dev/null 2>&1 || \
  eventswarm service create --name demo --replicas 3 busybox sh -c "while true;do sleep 3600;done"

echo; eventswarm node ls; echo; eventswarm service ls; echo; eventswarm service ps demo
cat <<EOT

EventSwarm is running (agent log: /var/log/eventswarm-agent.log).
  eventswarm service scale demo=5                         # our CLI, on $SOCK
  DOCKER_HOST=unix://$SOCK docker service ls     # or the stock docker CLI
  curl -s --unix-socket $SOCK http://localhost/eventswarm/v1/events   # the audit trail
  bash ops/run-main.sh --stop                             # stop the agent
EOT
