#!/usr/bin/env bash
# Issue 16 end to end (docs/scale.md "Figures"): one real manager (the unmodified agent, its Raft log on disk, its own
# node drained) and `eventswarm simulate` processes whose nodes join through the real join, mTLS and heartbeats; the
# driver is `bench scale-cluster` (ops/bench/ScaleClusterBench.cs). Phases, each bounded by --phase-timeout:
#   1 join      N nodes in three simulate processes (A bulk, B = 250 to kill, C = 10 to pause): join rate
#   2 converge  S services x R replicas (1 in 10 reserving 0.1 CPU + 64 MiB, 1 in 10 constrained) created 16 at a
#               time: time to all Running (polled from /services?status=true), placements/s end to end, and meanwhile
#               a user's `service ls` and `service scale` round trips every 250 ms (p50/p99)
#   3 steady    manager RSS (bytes per task), CPU over 30 s of heartbeats only (/proc/PID/stat), raft/ on disk per
#               event, snapshot size; at the very end, kill -9 and restart on the data dir: time to /_ping, to all
#               services listed, to all tasks Running again
#   6 fan-out   from simulate's --stats lines: feed bytes/s when quiet, feed lag p99 and egress per change while one
#               node is drained and activated 10 times, and what process C's nodes fetch after SIGSTOP for --away s
#   4 failure   kill -9 process B: time to its nodes Down, to all tasks Running elsewhere, per-task p50/p99 (from the
#               replacements' own timestamps, 40 services sampled)
#   5 churn     drain 5 % of the nodes and scale half the services by +-10 %: time to converge
# Defaults are the C1M shape (5,000 nodes, 1,000 x 1,000, 15 min per phase); --small is 500 nodes, 50 x 1,000
# (B = 25, C = 5, away 30 s, 3 min per phase). Other flags: --nodes --services --replicas --fail --away-nodes --away
# --phase-timeout --phases 1,2,3,6,4,5 (1 always runs). The manager talks to the local engine only for its own
# (drained) node; run it under the integration lock all the same:
#   flock /tmp/es-integration.lock bash ops/bench/scale-cluster.sh --small
#
# Measured: see docs/scale.md "Figures" (filled in below when run).
#
# Usage: bash ops/bench/scale-cluster.sh [--small] [FLAGS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
WORK=$(mktemp -d /tmp/eventswarm-scale-cluster.XXXXXX)
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null && sleep 2 || true
  # The bench kills what it started; anything left under this work directory (an agent or simulate) goes here.
  pgrep -f "$WORK" | xargs -r kill -9 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
# The processes the bench starts must not hold a lock fd the caller opened (flock): 3>&- as the other benches do.
dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll scale-cluster "$PWD/src/Node/bin/Release/net10.0/eventswarm.dll" "$WORK" "$@" 3>&- &
BENCH_PID=$!
wait "$BENCH_PID"
