# Shared by the benchmarks that run EventSwarm and Docker Swarm in one run (secrets.sh, update.sh).

# compare_table WIDTH EVENTSWARM_TSV SWARM_TSV: one row per figure (the second column of each "system<TAB>figure<TAB>value"
# line), in the order first seen, with both values and EventSwarm / Docker Swarm when both are numbers.
compare_table() {
  local width=$1
  printf "%-${width}s %11s %13s %7s\n" figure EventSwarm "Docker Swarm" ratio
  awk -F'\t' -v es="$2" -v sw="$3" -v width="$width" '
    BEGIN {
      while ((getline line < es) > 0) { split(line, f, "\t"); order[++n] = f[2]; e[f[2]] = f[3] }
      while ((getline line < sw) > 0) { split(line, f, "\t"); if (!(f[2] in e)) order[++n] = f[2]; s[f[2]] = f[3] }
      for (i = 1; i <= n; i++) {
        k = order[i]; a = (k in e) ? e[k] : "-"; b = (k in s) ? s[k] : "-"
        r = (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) ? sprintf("%.2f", a / b) : "-"
        printf "%-" width "s %11s %13s %7s\n", k, a, b, r
      }
    }'
}

# start_eventswarm_agent: one agent on loopback with its data and socket in $WORK, clear of 2377/4377 and of
# run.sh's ports (14377/14399), in a swarm of its own; sets AGENT_PID (the caller's EXIT trap kills it).
start_eventswarm_agent() {
  $ES agent --data-dir "$WORK/data" --socket "$WORK/es.sock" --raft-addr 127.0.0.1:14599 --web-addr none >"$WORK/agent.log" 2>&1 3>&- &
  AGENT_PID=$!
  for _ in $(seq 1 100); do [ -S "$WORK/es.sock" ] && break; sleep 0.2; done
  DOCKER_HOST="unix://$WORK/es.sock" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:14577 >/dev/null
}

# stop_eventswarm_agent: counts the errors in its log, then kills it and removes what it left on the engine. The
# agent removes its engine networks (its ingress is 10.0.0.0/24, as Swarm's, which then could not be allocated) once
# their last container is gone; whatever is left at the kill is removed here, with the bench's task containers.
stop_eventswarm_agent() {
  grep -ciE "unhandled exception|fail: " "$WORK/agent.log" | sed 's/^/eventswarm agent log: errors: /' || true
  local nets
  nets=$(DOCKER_HOST="unix://$WORK/es.sock" docker network ls -q --no-trunc 2>/dev/null || true)
  engine_nets() { for n in $nets; do docker network ls -q --filter "label=eventswarm.network.id=$n"; done; }
  for _ in $(seq 1 50); do [ -z "$(engine_nets)" ] && break; sleep 0.2; done
  kill -9 "$AGENT_PID"; AGENT_PID=""
  docker ps -aq --filter label=eventswarm.task.id --filter name=bench-eventswarm- | xargs -r docker rm -f >/dev/null 2>&1 || true
  engine_nets | xargs -r docker network rm >/dev/null 2>&1 || true
}
