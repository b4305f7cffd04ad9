#!/usr/bin/env bash
# The history store at scale (issue 15, docs/history.md): EVENTS realistic events (10 nodes, 100 services whose tasks
# are created, assigned, report their states, fail, are replaced and reaped; services scaled and updated; the clock
# stepping back now and then) applied by a real projection and appended to the store in a temporary directory, each
# batch with its log entry's bytes as the state machine passes them. Then, with the store opened again (cold):
# disk bytes per event (data + index + checkpoints), StateAt(SequenceAt(t)) at 200 random instants (p50/p99, wall
# and CPU), and Read throughput (all events; one service's over the whole history; the last 1,000 by index).
#
# Measured (2026-11-28, the 2-core dev box shared with 4 other builds: load average ~30, so wall times are several
# times the CPU times):
#   events 1,000,000 (670,194 batches; 500 live tasks, 100 services at the end)
#   append (store alone, log entry bytes given)   14,323 events/s wall under load
#   disk bytes/event      733.0 = data 548.3 + index 26.8 + checkpoints 157.9 (67 checkpoints, ~2.4 MB gzipped each;
#                         max gap 33,646 events: appends at full speed outran the background checkpoint writer)
#   StateAt(SequenceAt(t)) wall  p50 3,423 ms  p99 34,426 ms  max 53,119 ms (load average 26)
#                          CPU   p50 1,228 ms  p99 3,171 ms  -> the < 1 s p99 target is NOT met: a checkpoint is the
#                         whole ClusterState (each service keeps every version of its spec: ~13,000 versions here),
#                         ~20 MB of JSON to read, plus up to 33,646 events to replay
#   Read all              54,773 events/s (1,000,000 in 18.3 s); one service's events (whole history scanned) 17.7 s;
#                         the last 1,000 by index 13.4 ms
#
# Usage: bash ops/bench/history.sh [EVENTS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q ops/bench/EventSwarm.Bench.csproj >/dev/null
dotnet ops/bench/bin/Release/net10.0/EventSwarm.Bench.dll history "${1:-1000000}"
