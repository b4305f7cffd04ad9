#!/usr/bin/env bash
# Issue 14's figures on a 3-node layout (ops/cluster.sh: n1 manager, n2 and n3 workers, each its own Docker Engine),
# EventSwarm and then Docker Swarm on the same engines in the same run, both driven by the stock docker CLI
# (`docker stack deploy|rm` with DOCKER_HOST at n1's EventSwarm socket, then at n1's engine), and the engine alone
# (plain `docker network create` + `docker run` on each engine, no orchestrator) as the floor:
#   - ops/bench/stacks/four-tasks.yml (3 whoami + 1 busybox on one overlay network): deploy -> 4 tasks Running,
#     and `stack rm` -> everything gone;
#   - ops/bench/stacks/docker-compose.yml (the tutorial's WordPress stack, verbatim): deploy -> its 4 tasks Running
#     (3 web + 1 mysql), deploy -> WordPress answering (HTTP 302/200) on :8080 of every node, and `stack rm` ->
#     everything gone.
# "Gone": no service and no stack network on the manager's API, and on every engine no container and no network of
# the stack. Each figure is the median [min-max] of STACK_BENCH_REPS repetitions (default 3); the ratio is of
# medians, column / Docker Swarm. The stack's volume (wordpress_mysql-data) is removed between repetitions, untimed,
# so every WordPress deploy initialises its database as the first one does. Docker Swarm's routing mesh and VIPs
# need IPVS, which this kernel lacks: its WordPress cannot reach mysql by the service name nor answer on :8080, so
# only its "tasks Running" figure compares (the answer is waited for STACK_BENCH_ANSWER_LIMIT seconds, default 120,
# in the first repetition only, and reported as "none").
# The floor places the containers as Swarm spreads them (whoami and web one per node, busybox and mysql on n1; the
# web containers of n2 and n3 reach mysql on n1's published 3306, there being no overlay without a swarm) and stops
# them with the stack's grace period (docker stop, docker rm, docker network rm).
# Columns: a function per side (<column>_deploy, _rm, _running, _gone); STACK_BENCH_SYSTEMS picks them (default
# "eventswarm swarm engine"; "eventswarm-native" adds `eventswarm stack deploy|rm` once the CLI has it).
# STACK_BENCH_NODES (default 3), STACK_BENCH_REPS, STACK_BENCH_KEEP=DIR keeps the per-repetition figures and logs.
# Needs the images of ops/images/build.sh (mysql:5.7 and wordpress:latest included). Holds the machine's engine and
# ops/cluster.sh's namespaces: run it under `flock /tmp/es-integration.lock`.
# Usage: sudo bash ops/bench/stack.sh
#
# Measured here 2026-11-28 (2 shared cores, 3 namespace nodes, 3 repetitions, the first one cold; EventSwarm = main
# da1d356 + this bench + the network removal of docker stack rm (wp-stock 69ced31/751f3d6), without which its rm
# fails on the network "in use by task"; the engine column from the run before, the same script and engines, as the
# run's own engine phase waited on the DNS server, fixed since). Seconds, median [min-max]:
#   figure                                              eventswarm  /swarm         swarm         engine
#   4-task stack: deploy command returned              0.21 [0.10-1.62]  2.33   0.09 [0.08-0.31]   2.97 [2.92-3.28]
#   4-task stack: deploy -> 4 tasks Running            3.68 [3.47-11.02] 0.67   5.47 [3.97-6.64]   3.12 [3.11-3.60]
#   4-task stack: rm -> everything gone                3.50 [3.36-5.65]  0.42   8.38 [8.31-8.53]   2.68 [2.54-2.68]
#   WordPress: deploy command returned                 0.19 [0.12-0.60]  2.71   0.07 [0.06-0.16]   3.06 [2.98-3.83]
#   WordPress: deploy -> 4 tasks Running               7.78 [6.52-10.44] 1.33   5.87 [5.28-6.02]   3.43 [3.23-4.02]
#   WordPress: deploy -> answering :8080, every node  14.60 [12.88-16.50]  -    none (no IPVS)    15.29 [14.05-16.10]
#   WordPress: rm -> everything gone                   4.47 [4.29-4.49]  0.26  17.28 [17.21-18.21]  3.64 [2.88-3.70]
# The native column, once (STACK_BENCH_REPS=1 STACK_BENCH_SYSTEMS="eventswarm-native eventswarm", main b9a938f, no
# Swarm in that run): eventswarm-native / eventswarm via docker CLI, s: 4-task deploy returned 0.67 / 0.34, -> Running
# 1.95 / 3.81, rm -> gone 2.97 / 3.04; WordPress deploy returned 0.62 / 0.14, -> Running 4.81 / 5.17, -> answering
# 5.03 / 5.33, rm -> gone 2.65 / 2.03 (the native command's 0.6 s is mostly the .NET CLI starting and reading YAML).
# EventSwarm reports a task Running once it listens on its exposed ports (at most 3 s, TaskRunner.ListenLimit), Swarm
# once its container started: WordPress's entrypoint waits for mysql before apache listens, so EventSwarm's "Running"
# there includes that wait. Its answer on every node is at the engine's floor (mysql's first start dominates).
# Without stack-nxdomain.py (the nodes' registry lookups timing out after 5 s each) Swarm measured 10.1 s to the end of
# `docker stack deploy` (--resolve-image always: one lookup per image) and 20-25 s to its tasks Running (a pull
# attempt before each task); EventSwarm is untouched by it. `bash ops/bench/stack.sh --table DIR/figures.tsv...`
# prints the table of kept figures again (several files: columns from several runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
SYSTEMS=${STACK_BENCH_SYSTEMS:-eventswarm swarm engine}
NODES=${STACK_BENCH_NODES:-3}
REPS=${STACK_BENCH_REPS:-3}
ANSWER_LIMIT=${STACK_BENCH_ANSWER_LIMIT:-120}
LIMIT=180 # seconds: the bound of every wait
export DOCKER_API_VERSION=1.41
C=/run/eventswarm-cluster
SMALL=ops/bench/stacks/four-tasks.yml
WP=ops/bench/stacks/docker-compose.yml
NS_LABEL=com.docker.stack.namespace
addr() { echo "10.200.0.$((10 + $1))"; }
engine() { echo "unix://$C/n$1/docker.sock"; }

# table FIGURES_TSV: per column the median [min-max] of the repetitions; after each orchestrator's column, the ratio
# of its median to Docker Swarm's.
table() {
  local columns=() col
  for col in eventswarm eventswarm-native swarm engine; do grep -q "^$col	" "$1" && columns+=("$col"); done
  awk -F'\t' -v cols="${columns[*]}" '
  # stats(LIST): sets med, lo, hi of the numbers in LIST.
  function stats(list,    v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    lo = v[1]; hi = v[n]; med = (n % 2) ? v[(n + 1) / 2] + 0 : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { if (!($2 in seen)) { seen[$2] = 1; order[++rows] = $2 }
    if ($3 ~ /^[0-9.]+$/) num[$1, $2] = num[$1, $2] " " $3; else other[$1, $2] = other[$1, $2] " " $3 }
  END {
    nc = split(cols, c, " ")
    printf "%-50s", "figure (s): median [min-max]"
    for (i = 1; i <= nc; i++) { printf " %22s", c[i]; if (c[i] != "swarm" && c[i] != "engine") printf " %6s", "/swarm" }
    printf "\n"
    for (r = 1; r <= rows; r++) {
      f = order[r]; printf "%-50s", f
      swarm = ""; if (("swarm", f) in num) { stats(num["swarm", f]); swarm = med }
      for (i = 1; i <= nc; i++) {
        cell = "-"; m = ""
        if ((c[i], f) in num) { stats(num[c[i], f]); m = med; cell = sprintf("%.2f [%s-%s]", med, lo, hi) }
        if ((c[i], f) in other) { split(other[c[i], f], o, " "); cell = (cell == "-") ? o[1] : cell "+" o[1] }
        printf " %22s", cell
        if (c[i] != "swarm" && c[i] != "engine")
          printf " %6s", (m != "" && swarm != "" && swarm > 0) ? sprintf("%.2f", m / swarm) : "-"
      }
      printf "\n"
    }
  }' "$1"
}
# --table FILE...: only the table of figures kept by earlier runs (STACK_BENCH_KEEP=DIR: DIR/figures.tsv), e.g. one
# column taken from another run.
if [ "${1:-}" = --table ]; then
  shift; all=$(mktemp); cat "$@" >"$all"; echo; table "$all"; rm -f "$all"; exit 0
fi

[ "${BENCH_SKIP_SETUP:-}" = 1 ] || SKIP_PUBLISH=1 bash ops/setup.sh >/dev/null
bash ops/images/build.sh >/dev/null
dotnet build -c Release -v q src/Node/EventSwarm.Node.csproj >/dev/null
export EVENTSWARM_BIN="dotnet $PWD/src/Node/bin/Release/net10.0/eventswarm.dll"
ES="$EVENTSWARM_BIN"
WORK=$(mktemp -d /tmp/eventswarm-stack-bench.XXXXXX)
# Registry lookups from the nodes (the stock CLI's --resolve-image always, and Swarm's pull before every task, which
# falls back to the local image) would each wait 5-20 s for a DNS server the namespaces cannot reach (they have no
# NAT): their DNS queries are answered "no such name" at once by stack-nxdomain.py on the bridge, and anything else
# leaving the bridge refused, so that they fail in milliseconds as this machine's own engine's do.
REJECT=(FORWARD -i esbr0 ! -o esbr0 -j REJECT)
DNAT=(PREROUTING -i esbr0 -p udp --dport 53 -j DNAT --to-destination 10.200.0.1:53)
DNS_PID=""
cleanup() {
  local rc=$?
  if [ -n "${STACK_BENCH_KEEP:-}" ]; then
    mkdir -p "$STACK_BENCH_KEEP"
    cp -r "$WORK"/. "$STACK_BENCH_KEEP"/ 2>/dev/null || true
    for k in $(seq 1 "$NODES"); do cp "$C/n$k/agent.log" "$STACK_BENCH_KEEP/agent-n$k.log" 2>/dev/null || true; done
  fi
  for k in $(seq 1 "$NODES"); do docker -H "$(engine "$k")" swarm leave --force >/dev/null 2>&1 || true; done
  while iptables -C "${REJECT[@]}" 2>/dev/null; do iptables -D "${REJECT[@]}"; done
  while iptables -t nat -C "${DNAT[@]}" 2>/dev/null; do iptables -t nat -D "${DNAT[@]}"; done
  [ -z "$DNS_PID" ] || kill "$DNS_PID" 2>/dev/null || true
  bash ops/cluster.sh down >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# until_true SECONDS CMD...: CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
until_true() {
  local deadline; deadline=$(awk -v a="$(now)" -v s="$1" 'BEGIN { printf "%.3f", a + s }'); shift
  until "$@"; do
    awk -v a="$(now)" -v d="$deadline" 'BEGIN { exit !(a > d) }' && return 1
    sleep 0.1
  done
}
# figure COLUMN NAME VALUE: one line of the column's results (one per repetition).
figure() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" | tee -a "$WORK/figures.tsv" >&2; }
log() { printf 'stack bench: %s\n' "$*" >&2; }

# ---- the sides driven through the stock docker CLI: EventSwarm (its n1 socket) and Docker Swarm (n1's engine) ----
API=""
cli_deploy() { docker -H "$API" stack deploy -c "$2" "$1" >>"$WORK/cli.log" 2>&1; }
cli_rm() { docker -H "$API" stack rm "$1" >>"$WORK/cli.log" 2>&1; }
# cli_running STACK N: N tasks of the stack Running (and meant to run).
cli_running() {
  [ "$(docker -H "$API" stack ps "$1" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running')" -ge "$2" ]
}
# engines_clear STACK: no container and no network of the stack on any engine.
engines_clear() {
  local k
  for k in $(seq 1 "$NODES"); do
    [ -z "$(docker -H "$(engine "$k")" ps -aq --filter "label=$NS_LABEL=$1")" ] || return 1
    [ -z "$(docker -H "$(engine "$k")" network ls -q --filter "name=$1_")" ] || return 1
  done
}
cli_gone() {
  [ -z "$(docker -H "$API" service ls -q --filter "label=$NS_LABEL=$1" 2>/dev/null)" ] &&
    [ -z "$(docker -H "$API" network ls -q --filter "label=$NS_LABEL=$1" 2>/dev/null)" ] && engines_clear "$1"
}
eventswarm_deploy() { cli_deploy "$@"; }
eventswarm_rm() { cli_rm "$@"; }
eventswarm_running() { cli_running "$@"; }
eventswarm_gone() { cli_gone "$@"; }
swarm_deploy() { cli_deploy "$@"; }
swarm_rm() { cli_rm "$@"; }
swarm_running() { cli_running "$@"; }
swarm_gone() { cli_gone "$@"; }
# EventSwarm's own CLI, on the same cluster as the "eventswarm" column.
eventswarm-native_deploy() { $ES -H "$API" stack deploy -c "$2" "$1" >>"$WORK/cli.log" 2>&1; }
eventswarm-native_rm() { $ES -H "$API" stack rm "$1" >>"$WORK/cli.log" 2>&1; }
eventswarm-native_running() { cli_running "$@"; }
eventswarm-native_gone() { cli_gone "$@"; }

# ---- the floor: the same containers with plain docker on each engine ----
# on_node K ARGS...: docker against node K's engine.
on_node() { local k=$1; shift; docker -H "$(engine "$k")" "$@"; }
# Each waits for its own children only: a bare `wait` would wait for the DNS server too.
engine_deploy() {
  local stack=$1 file=$2 k net=$1_net pids=()
  [ "$file" = "$WP" ] && net=$1_my-network
  for k in $(seq 1 "$NODES"); do
    (
      on_node "$k" network create -d bridge --label "$NS_LABEL=$stack" "$net" >/dev/null
      if [ "$file" = "$SMALL" ]; then
        on_node "$k" run -d --name "${stack}_whoami.$k" --network "$net" --label "$NS_LABEL=$stack" whoami:latest >/dev/null &
        # Three whoami over the nodes (more than 3 nodes: the first 3), busybox beside the first.
        [ "$k" != 1 ] || on_node 1 run -d --name "${stack}_sleeper.1" --network "$net" --label "$NS_LABEL=$stack" busybox:latest sleep 3600 >/dev/null &
        [ "$NODES" -ge 3 ] || [ "$k" != 1 ] || for extra in $(seq "$((NODES + 1))" 3); do
          on_node 1 run -d --name "${stack}_whoami.$extra" --network "$net" --label "$NS_LABEL=$stack" whoami:latest >/dev/null &
        done
      else
        local db=mysql
        if [ "$k" = 1 ]; then
          on_node 1 run -d --name "${stack}_mysql" --network "$net" --network-alias mysql --label "$NS_LABEL=$stack" \
            -v "${stack}_mysql-data:/var/lib/mysql" -p 3306:3306 -e MYSQL_ROOT_PASSWORD=root -e MYSQL_DATABASE=wordpress \
            mysql:5.7 >/dev/null &
        else
          db="$(addr 1):3306"
        fi
        on_node "$k" run -d --name "${stack}_web.$k" --network "$net" --label "$NS_LABEL=$stack" -p 8080:80 \
          -e WORDPRESS_DB_HOST="$db" -e WORDPRESS_DB_PASSWORD=root wordpress >/dev/null &
      fi
      wait
    ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
engine_rm() {
  local stack=$1 file=$2 grace=1 k pids=()
  [ "$file" = "$WP" ] && grace=10
  for k in $(seq 1 "$NODES"); do
    (
      ids=$(on_node "$k" ps -aq --filter "label=$NS_LABEL=$stack")
      # shellcheck disable=SC2086 # one argument per container
      [ -z "$ids" ] || { on_node "$k" stop -t "$grace" $ids >/dev/null; on_node "$k" rm $ids >/dev/null; }
      on_node "$k" network ls -q --filter "name=${stack}_" | xargs -r docker -H "$(engine "$k")" network rm >/dev/null
    ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
engine_running() {
  local k n=0
  for k in $(seq 1 "$NODES"); do
    n=$((n + $(on_node "$k" ps -q --filter "label=$NS_LABEL=$1" --filter status=running | wc -l)))
  done
  [ "$n" -ge "$2" ]
}
engine_gone() { engines_clear "$1"; }

# every_node_answers: WordPress answers 302 or 200 on :8080 of every node (a node that answered once is not asked again).
ANSWERED=""
every_node_answers() {
  local k code
  for k in $(seq 1 "$NODES"); do
    [[ " $ANSWERED " == *" $k "* ]] && continue
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$(addr "$k"):8080/" || true)
    [[ "$code" == 302 || "$code" == 200 ]] && ANSWERED="$ANSWERED $k"
  done
  [ "$(wc -w <<<"$ANSWERED")" -ge "$NODES" ]
}

# remove_volumes STACK: the stack's named volumes on every engine (stack rm keeps them, as Docker's does).
remove_volumes() {
  local k
  for k in $(seq 1 "$NODES"); do
    for _ in $(seq 1 50); do
      on_node "$k" volume ls -q --filter "name=$1_" | xargs -r docker -H "$(engine "$k")" volume rm >/dev/null 2>&1 && break
      sleep 0.2
    done
  done
}

# rm_failed COLUMN LABEL STACK FILE START: the rm failed or left something for 60 s. The rm is repeated every second
# (what a user does after a failed one) until everything is gone, timed from the first as its own figure, so that the
# next figures start clean.
rm_again() { "${1}_rm" "$2" "$3" || true; "${1}_gone" "$2" || { sleep 1; return 1; }; }
rm_failed() {
  figure "$1" "$2: rm -> everything gone" "fail"
  if until_true $LIMIT rm_again "$1" "$3" "$4"; then figure "$1" "$2: rm, repeated until it succeeds -> gone" "$(since "$5")"
  else log "$1: the $2 stack is still not gone"; fi
}

# measure COLUMN REP: one repetition of every figure for one column.
declare -A NO_ANSWER=()
measure() {
  local col=$1 rep=$2 t
  log "$col: repetition $rep"
  t=$(now)
  "${col}_deploy" bench4 "$SMALL" || log "$col: deploy of the 4-task stack exited $?"
  figure "$col" "4-task stack: deploy command returned" "$(since "$t")"
  if until_true $LIMIT "${col}_running" bench4 4; then figure "$col" "4-task stack: deploy -> 4 tasks Running" "$(since "$t")"
  else figure "$col" "4-task stack: deploy -> 4 tasks Running" "timeout"; fi
  t=$(now)
  RM_OK=1; "${col}_rm" bench4 "$SMALL" || { log "$col: rm of the 4-task stack exited $?"; RM_OK=""; }
  if [ -n "$RM_OK" ] && until_true 60 "${col}_gone" bench4; then figure "$col" "4-task stack: rm -> everything gone" "$(since "$t")"
  else rm_failed "$col" "4-task stack" bench4 "$SMALL" "$t"; fi

  ANSWERED=""
  t=$(now)
  "${col}_deploy" wordpress "$WP" || log "$col: deploy of the WordPress stack exited $?"
  figure "$col" "WordPress: deploy command returned" "$(since "$t")"
  if until_true $LIMIT "${col}_running" wordpress 4; then figure "$col" "WordPress: deploy -> 4 tasks Running" "$(since "$t")"
  else figure "$col" "WordPress: deploy -> 4 tasks Running" "timeout"; fi
  if [ -n "${NO_ANSWER[$col]:-}" ]; then figure "$col" "WordPress: deploy -> answering :8080 on every node" "none"
  elif until_true "$ANSWER_LIMIT" every_node_answers; then
    figure "$col" "WordPress: deploy -> answering :8080 on every node" "$(since "$t")"
  else
    figure "$col" "WordPress: deploy -> answering :8080 on every node" "none"
    log "$col: WordPress answered on node(s) [${ANSWERED# }] only within ${ANSWER_LIMIT}s; not waited for again"
    NO_ANSWER[$col]=1
  fi
  t=$(now)
  RM_OK=1; "${col}_rm" wordpress "$WP" || { log "$col: rm of the WordPress stack exited $?"; RM_OK=""; }
  if [ -n "$RM_OK" ] && until_true 60 "${col}_gone" wordpress; then figure "$col" "WordPress: rm -> everything gone" "$(since "$t")"
  else rm_failed "$col" "WordPress" wordpress "$WP" "$t"; fi
  remove_volumes wordpress
}

want() { [[ " $SYSTEMS " == *" $1 "* ]]; }
wait_nodes_ready() { [ "$(docker -H "$API" node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready')" -ge "$NODES" ]; }

# The cluster: n1 gets both big images, the others wordpress only (the placement puts mysql on the manager).
bash ops/cluster.sh down >/dev/null 2>&1 || true
bash ops/cluster.sh up "$NODES" >/dev/null
iptables -I "${REJECT[@]}"
python3 ops/bench/stack-nxdomain.py 10.200.0.1 &
DNS_PID=$!
iptables -t nat -I "${DNAT[@]}"
bash ops/cluster.sh load 1 mysql:5.7 mysql:latest wordpress:latest
for k in $(seq 2 "$NODES"); do bash ops/cluster.sh load "$k" wordpress:latest; done
: >"$WORK/figures.tsv"

if want eventswarm || want eventswarm-native; then
  API=unix://$C/n1/eventswarm.sock
  $ES -H "$API" swarm init --advertise-addr "$(addr 1)" >/dev/null
  T=$($ES -H "$API" swarm join-token -q worker)
  for k in $(seq 2 "$NODES"); do $ES -H "unix://$C/n$k/eventswarm.sock" swarm join --token "$T" "$(addr 1):2377" >/dev/null; done
  until_true 60 wait_nodes_ready || log "eventswarm: not every node Ready"
  for rep in $(seq 1 "$REPS"); do
    want eventswarm && measure eventswarm "$rep"
    if want eventswarm-native; then
      if $ES stack deploy --help 2>&1 | grep -q -- --compose-file; then measure eventswarm-native "$rep"; else log "eventswarm-native: this eventswarm has no 'stack' command"; fi
    fi
  done
  curl -s --max-time 30 --unix-socket "$C/n1/eventswarm.sock" http://localhost/eventswarm/v1/events >"$WORK/events.json" || true
  for k in $(seq 1 "$NODES"); do
    log "eventswarm n$k agent log: errors: $(grep -ciE 'unhandled exception|fail: ' "$C/n$k/agent.log" || true)"
  done
fi

# The agents stopped, and what they left on the engines removed (their ingress takes Swarm's 10.0.0.0/24).
for k in $(seq 1 "$NODES"); do
  kill -9 "$(cat "$C/n$k/agent.pid")" 2>/dev/null || true
  on_node "$k" ps -aq --filter label=eventswarm.task.id | xargs -r docker -H "$(engine "$k")" rm -f >/dev/null 2>&1 || true
  on_node "$k" network ls -q --filter label=eventswarm.network.id | xargs -r docker -H "$(engine "$k")" network rm >/dev/null 2>&1 || true
done

if want swarm; then
  # Clear of the 2377 an agent listens on once in a swarm (as ops/bench/cluster.sh).
  API=$(engine 1)
  docker -H "$API" swarm init --advertise-addr "$(addr 1):2378" --listen-addr "$(addr 1):2378" >/dev/null
  T=$(docker -H "$API" swarm join-token -q worker)
  for k in $(seq 2 "$NODES"); do
    on_node "$k" swarm join --token "$T" --listen-addr "$(addr "$k"):2378" --advertise-addr "$(addr "$k"):2378" "$(addr 1):2378" >/dev/null
  done
  until_true 60 wait_nodes_ready || log "swarm: not every node Ready"
  for rep in $(seq 1 "$REPS"); do measure swarm "$rep"; done
  for k in $(seq "$NODES" -1 1); do on_node "$k" swarm leave --force >/dev/null 2>&1 || true; done
fi

if want engine; then
  for rep in $(seq 1 "$REPS"); do measure engine "$rep"; done
fi

echo
table "$WORK/figures.tsv"
echo "Repetitions: $REPS; nodes: $NODES (n1 manager). Stock docker CLI on both sides. engine: plain docker run, no"
echo "orchestrator (the floor). none: no answer within ${ANSWER_LIMIT}s (Docker Swarm: no IPVS here, so neither its"
echo "routing mesh nor its VIP answers; mysql is unreachable by name). fail: the rm failed, or left something for 60 s."
