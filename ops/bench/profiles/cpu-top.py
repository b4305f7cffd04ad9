#!/usr/bin/env python3
"""CPU time by function from a dotnet-trace thread-time profile (issue 16, docs/scale.md).

dotnet-trace's `dotnet-sampled-thread-time` samples every thread, blocked or not, so its own `report topN` is
dominated by threads waiting. This keeps only the time whose leaf is CPU_TIME and prints each function's share of
it, inclusive. With function names after the file, it prints instead who calls each of them (the nearest frames of
this project), e.g. to find which endpoint serializes dictionaries.

  dotnet-trace convert converge.nettrace --format Speedscope -o converge.json
  python3 ops/bench/profiles/cpu-top.py converge.speedscope.json                # top 150, inclusive
  python3 ops/bench/profiles/cpu-top.py converge.speedscope.json TaskIndex.Build # its callers
"""
import collections
import json
import sys

OURS = ('EventSwarm', 'Cluster', 'Task', 'Scheduler', 'Writer', 'Feed', 'Report', 'Heartbeat', 'Endpoints', 'Worker',
        'History', 'Snapshot', 'Raft', 'WriteAhead', 'Secrets', 'Identify')


def main(path, targets):
    profile = json.load(open(path))
    frames = [f['name'] for f in profile['shared']['frames']]
    inclusive = collections.Counter()
    callers = {t: collections.Counter() for t in targets}
    total = 0.0

    def account(stack, weight):
        nonlocal total
        if not stack or frames[stack[-1]] != 'CPU_TIME':
            return
        stack = stack[:-1]
        total += weight
        seen = set()
        for i, frame in enumerate(stack):
            name = frames[frame]
            if name not in seen:
                seen.add(name)
                inclusive[name] += weight
            for target in targets:
                if target in name:
                    ours = [frames[x] for x in stack[:i] if any(k in frames[x] for k in OURS)]
                    callers[target][' < '.join(c[:60] for c in ours[-3:][::-1])] += weight

    # The speedscope file of a thread-time trace is "evented": open/close events with times, per thread.
    for thread in profile['profiles']:
        stack, last = [], None
        for event in thread['events']:
            if last is not None:
                account(stack, event['at'] - last)
            last = event['at']
            if event['type'] == 'O':
                stack.append(event['frame'])
            elif stack:
                stack.pop()

    print(f'CPU ms sampled: {round(total)}')
    if not targets:
        for name, weight in inclusive.most_common(150):
            print(f'{100 * weight / total:6.2f}% {name[:150]}')
    for target in targets:
        print('==', target)
        for chain, weight in callers[target].most_common(8):
            print(f'{100 * weight / total:6.2f}% {chain}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
