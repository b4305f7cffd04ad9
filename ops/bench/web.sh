#!/usr/bin/env bash
# Issue 17's web view figures (WebBench.cs), in Debian's headless Chromium against one EventSwarm agent (a one-node
# swarm on loopback, its web view on 127.0.0.1:14580, signed in with `eventswarm web token --operator`):
#   - event -> visible on an open /services page: CHANGES (default 60, >= 50) scales through the Engine API, each from
#     the API's answer (the change committed) to the page's DOM showing it; p50/p99/max. Goal: p99 < 500 ms.
#   - the page load of /services at SERVICES services (default 1000, replicas 0): the browser's navigation timing.
# The engine is shared: run it under the integration lock, e.g. `flock /tmp/es-integration.lock bash ops/bench/web.sh`.
#
# Figures: see docs/web.md (measured once at the end of issue 17).
#
# Usage: sudo bash ops/bench/web.sh [CHANGES] [SERVICES] [LOADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
CHANGES=${1:-60}
SERVICES=${2:-1000}
LOADS=${3:-10}
[ -x /usr/bin/chromium ] || { echo "web.sh: /usr/bin/chromium is missing (ops/setup.sh installs it)" >&2; exit 1; }
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
BENCH="dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll"
ES="dotnet src/Node/bin/Release/net10.0/eventswarm.dll"
WORK=$(mktemp -d /tmp/eventswarm-web-bench.XXXXXX)
WEB=127.0.0.1:14580
AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

$ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14599 --web-addr "$WEB" >"$WORK/agent.log" 2>&1 3>&- &
AGENT_PID=$!
for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14577 >/dev/null
sign_in=$($ES --host "unix://$WORK/es.sock" web token --operator | sed -n 2p)
case "$sign_in" in http://*/login\?token=*) ;; *) echo "web.sh: no sign-in URL from web token: $sign_in" >&2; exit 1 ;; esac
$BENCH web "unix://$WORK/es.sock" "$sign_in" "$CHANGES" "$SERVICES" "$LOADS"
grep -ciE "unhandled exception|fail: " "$WORK/agent.log" | sed 's/^/eventswarm agent log: errors: /' || true
