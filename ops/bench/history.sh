#!/usr/bin/env bash
# The history store at scale (issue 15, docs/history.md): EVENTS realistic events (10 nodes, 100 services whose tasks
# are created, assigned, report their states, fail, are replaced and reaped; services scaled and updated; the clock
# stepping back now and then) applied by a real projection and appended to the store in a temporary directory, each
# batch with its log entry's bytes as the state machine passes them. Then, with the store opened again (cold):
# disk bytes per event (data + index + checkpoints), StateAt(SequenceAt(t)) at 200 random instants (p50/p99, wall
# and CPU), and Read throughput (all events; one service's over the whole history; the last 1,000 by index).
#
# Measured (2026-11-28, the 2-core dev box shared with 4 other builds: load average ~30, so wall times are several
# times the CPU times; 1,000,000 events, 676,000 batches):
#   FIGURES_GO_HERE
#
# Usage: bash ops/bench/history.sh [EVENTS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll history "${1:-1000000}"
