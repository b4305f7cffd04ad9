#!/usr/bin/env bash
# The control plane at the scale of Nomad's C1M (issue 16, docs/scale.md). Parts, each printing its figures:
#   placement  the real scheduler in process on the C1M shape (5,000 nodes, 1,000 services x 1,000 replicas)
#   loops      every control loop's pass, the projection's apply rate, memory per task, snapshot and restart, at 1M tasks
#   cluster    real managers (Raft log on disk) and `eventswarm simulate` nodes joined through the real join, mTLS and
#              heartbeats: convergence, node failure, churn, commit latency, heartbeat CPU, fan-out
# Usage: bash ops/bench/scale.sh [placement|loops|cluster|all] [ARGS...]   (default all)
set -euo pipefail
cd "$(dirname "$0")/../.."
part="${1:-all}"; shift || true
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
bench() { dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll "$@"; }
case "$part" in
  placement) DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 bench scale-placement "$@" ;;  # string order as the node runs (InvariantGlobalization)
  loops) bench scale-loops "$@" ;;
  cluster) bash ops/bench/scale-cluster.sh "$@" ;;
  all) bench scale-placement; bench scale-loops; bash ops/bench/scale-cluster.sh ;;
  *) echo "usage: $0 [placement|loops|cluster|all] [ARGS...]" >&2; exit 2 ;;
esac
