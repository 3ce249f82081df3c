#!/usr/bin/env bash
# Runs the benchmarks of the distributor (one worker process + one backend process, 2 Redis hops) and of the
# Node peer (two socket.io 4.8 servers with @socket.io/redis-adapter 8.3, handlers in the servers) side by side,
# on this machine's redis-server (started here on a free port), and prints a markdown table of the medians and
# the ratios against the targets of issue 6. See BENCHMARKS.md.
#
# usage: benchmarks/run.sh [--quick] [--reps N] [--no-build] [--peers distributor,node]
#                          [--scenarios deliveries,broadcast,echo,connections] [--profile] [--hops]
#   --quick      one repetition with smaller loads (a minute or two), to check that everything works
#   --reps N     repetitions (default 3); the table shows medians
#   --no-build   use benchmarks/target as it is
#   --rate R     echo: offered round trips per second (default 5000); --seconds S: its measurement window
#   --profile    record a JFR of the worker and backend of each distributor session (in the output folder)
#   --hops       also run the echo once more per repetition under tcpdump (root only) and print where its round
#                trip goes, hop by hop (HopTimes); its figures are reported as the scenario "echohops", apart from
#                the echo's own, since tcpdump's CPU slows everything down
# BACKEND_ARGS: more arguments for the distributor's backend process, e.g. --bench.handler-pool=true (its handlers on
# the handler pool instead of the Redis delivery thread, see BenchHandler). SERVER_JVM_OPTS: more JVM options for the distributor's processes, e.g.
# -Dio.lettuce.core.iouring=false. Needs: java 17, mvn, node 20 + npm, redis-server, jcmd. Output: benchmarks/target/run-<time>/ (one JSON
# line per scenario and repetition, the servers' logs, report.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
REPS=3
QUICK=false
BUILD=true
PROFILE=false
HOPS=false
RATE=5000
ECHO_SECONDS=""
PEERS="distributor,node"
SCENARIOS="deliveries,broadcast,echo,connections"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=true; REPS=1 ;;
    --reps) REPS="$2"; shift ;;
    --no-build) BUILD=false ;;
    --profile) PROFILE=true ;;
    --hops) HOPS=true ;;
    --rate) RATE="$2"; shift ;;
    --seconds) ECHO_SECONDS="$2"; shift ;;
    --peers) PEERS="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    *) echo "unknown option: $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done

# 20,000 clients and as many server-side sockets: the generator and the worker each need that many descriptors
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)

if $QUICK; then
  ECHO_WINDOW="${ECHO_SECONDS:-5}"
  ECHO_ARGS=(--clients 200 --rate "$RATE" --warmup 5 --seconds "$ECHO_WINDOW")
  BROADCAST_ARGS=(--clients 1000 --warmup 50 --messages 50 --say-rate 50)
  CONNECTION_ARGS=(--steps 2000,5000 --hold 12 --settle 3)
  POKES=50
else
  # warm-ups long enough for a fresh JVM's JIT to settle: its compiler threads count in the process's CPU
  ECHO_WINDOW="${ECHO_SECONDS:-15}"
  ECHO_ARGS=(--clients 200 --rate "$RATE" --warmup 20 --seconds "$ECHO_WINDOW")
  BROADCAST_ARGS=(--clients 1000 --warmup 3000 --messages 500 --say-rate 50)
  CONNECTION_ARGS=(--steps 2000,10000,20000 --hold 15 --settle 5)
  POKES=200
fi
PING_INTERVAL_MS=5000
# where the open-file limit cannot be raised (a container without CAP_SYS_RESOURCE), the last step is what fits
if [[ "$FD_LIMIT" != unlimited ]] && (( FD_LIMIT < 21000 )); then
  CEILING=$(( (FD_LIMIT - 1000) / 1000 * 1000 ))
  CONNECTION_ARGS=("${CONNECTION_ARGS[@]/%20000/$CEILING}")
  echo "NOTE: open files are limited to $FD_LIMIT per process here (ulimit -Hn; raising it needs CAP_SYS_RESOURCE):" \
    "the connection ceiling step is $CEILING instead of 20000" >&2
fi

OUT="$HERE/target/run-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
STARTED=()

cleanup() { # the servers first (newest first), Redis last; whatever has not stopped after 20 s is killed
  local i pid deadline
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    pid=${STARTED[i]}
    kill "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  STARTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }


for tool in java jcmd node npm redis-server redis-cli ss; do
  command -v "$tool" >/dev/null || { echo "ERROR: $tool is not on the PATH" >&2; exit 1; }
done
if $HOPS && { ! command -v tcpdump >/dev/null || (( EUID != 0 )); }; then
  echo "ERROR: --hops captures the loopback interface: it needs tcpdump on the PATH and root" >&2
  exit 1
fi

if $BUILD; then
  log "building (mvn package of benchmarks and the modules it needs)"
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl benchmarks -am)
fi
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
# SERVER_CLASSPATH: the servers' whole class path instead of this build's, e.g. another checkout's for a before/after
# (its benchmarks/target/classes and classpath.txt); SERVER_CLASSPATH_PREFIX: jars put before this build's
SERVER_CP="${SERVER_CLASSPATH:-${SERVER_CLASSPATH_PREFIX:+$SERVER_CLASSPATH_PREFIX:}$CP}"

NODE_DIR="$HERE/target/node-peer"
if [[ ",$PEERS," == *",node,"* ]]; then
  mkdir -p "$NODE_DIR"
  if ! cmp -s "$HERE/src/main/node/package-lock.json" "$NODE_DIR/package-lock.json" || [[ ! -d "$NODE_DIR/node_modules" ]]; then
    log "installing the Node peer (npm ci)"
    cp "$HERE/src/main/node/package.json" "$HERE/src/main/node/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  cp "$HERE/src/main/node/peer-server.js" "$NODE_DIR/"
fi

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 10000))
    if [[ -z "$(ss -Htan "( sport = :$port )")" ]]; then
      echo "$port"
      return
    fi
  done
}

# polls a check until it passes; fails the run when the process it waits for exits or the deadline passes
await_ready() { # pid, what, what it must do, seconds, then the check's command
  local pid="$1" what="$2" goal="$3" seconds="$4"
  local deadline=$((SECONDS + seconds))
  shift 4
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || { echo "ERROR: $what exited; see $OUT" >&2; exit 1; }
    (( SECONDS < deadline )) || { echo "ERROR: $what did not $goal within $seconds s" >&2; exit 1; }
    sleep 0.2
  done
}

listening() { [[ -n "$(ss -Hltn "( sport = :$1 )")" ]]; }

wait_listening() { # port, pid, what
  await_ready "$2" "$3" "listen on $1" 120 listening "$1"
}

start() { # log name, then the command; sets PID
  "${@:2}" </dev/null >"$OUT/$1.log" 2>&1 &
  PID=$!
  STARTED+=("$PID")
}

start_redis() {
  REDIS_PORT=$(free_port)
  start "redis-$1" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
  REDIS_PID=$PID
  wait_listening "$REDIS_PORT" "$REDIS_PID" redis-server
}

JVM_OPTS=(-Xms256m -Xmx1g -XX:+UseG1GC -XX:NativeMemoryTracking=summary ${SERVER_JVM_OPTS:-})

backend_subscribed() { [[ -n "$(redis-cli -p "$REDIS_PORT" pubsub channels 'sio:instance:*')" ]]; }

start_distributor() { # session name
  local common=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$REDIS_PORT"
    --distributor.redis.embedded.enabled=false --logging.level.root=WARN)
  local profile=()
  local backend_port
  WORKER_PORT=$(free_port)
  if $PROFILE; then profile=(-XX:StartFlightRecording=filename="$OUT/$1-backend.jfr",settings=profile); fi
  start "$1-backend" java "${JVM_OPTS[@]}" "${profile[@]}" -cp "$SERVER_CP" \
    io.github.siodistributor.benchmarks.server.BenchServerApplication "${common[@]}" \
    --distributor.worker.enabled=false ${BACKEND_ARGS:-}
  BACKEND_PID=$PID
  if $PROFILE; then profile=(-XX:StartFlightRecording=filename="$OUT/$1-worker.jfr",settings=profile); fi
  start "$1-worker" java "${JVM_OPTS[@]}" "${profile[@]}" -cp "$SERVER_CP" \
    io.github.siodistributor.benchmarks.server.BenchServerApplication "${common[@]}" \
    --distributor.backend.enabled=false --distributor.worker.port="$WORKER_PORT" \
    --distributor.worker.namespaces=/chat --distributor.worker.ping-interval="${PING_INTERVAL_MS}ms"
  WORKER_PID=$PID
  wait_listening "$WORKER_PORT" "$WORKER_PID" "the worker"
  await_ready "$BACKEND_PID" "the backend" subscribe 120 backend_subscribed
  sleep 2 # the worker reads the backend registry every second
  TARGETS="127.0.0.1:$WORKER_PORT"
  FIRST_PID=$WORKER_PID
  MEMORY=jvm
  PIDS="worker=$WORKER_PID,backend=$BACKEND_PID,redis=$REDIS_PID"
}

start_node() { # session name
  local port1 port2
  port1=$(free_port)
  start "$1-node1" node --expose-gc "$NODE_DIR/peer-server.js" "$port1" "redis://127.0.0.1:$REDIS_PORT" "$PING_INTERVAL_MS"
  local pid1=$PID
  port2=$(free_port)
  start "$1-node2" node --expose-gc "$NODE_DIR/peer-server.js" "$port2" "redis://127.0.0.1:$REDIS_PORT" "$PING_INTERVAL_MS"
  local pid2=$PID
  wait_listening "$port1" "$pid1" "node server 1"
  wait_listening "$port2" "$pid2" "node server 2"
  TARGETS="127.0.0.1:$port1,127.0.0.1:$port2"
  FIRST_PID=$pid1
  MEMORY=node
  PIDS="node1=$pid1,node2=$pid2,redis=$REDIS_PID"
}

generate() { # result file, scenario and its options
  local file="$1"
  shift
  log "  $1 $(cat /proc/loadavg | cut -d' ' -f1-3)"
  local line
  line=$(java -Xms512m -Xmx2g -cp "$CP" io.github.siodistributor.benchmarks.load.LoadGenerator "$@" \
    2>>"$OUT/generator.log" | grep '^RESULT ' || true)
  if [[ -z "$line" ]]; then
    log "ERROR: scenario $1 gave no result; see $OUT/generator.log"
    return 0
  fi
  echo "${line#RESULT }" | sed "s/^{/{\"loadavg\":\"$(cut -d' ' -f1 /proc/loadavg)\",/" >"$file"
}

# the echo once more under tcpdump, then the hops of its round trips (result file, then the echo's options)
echo_hops() {
  local file="$1"
  shift
  local ports="${TARGETS//127.0.0.1:/}" filter="tcp port $REDIS_PORT"
  for port in ${ports//,/ }; do filter+=" or tcp port $port"; done
  # a large snap length: Redis sends several messages in one segment under load
  tcpdump -i lo -s 2048 -B 262144 -w "${file%.json}.pcap" "$filter" >"${file%.json}.tcpdump.log" 2>&1 &
  local capture=$!
  STARTED+=("$capture")
  await_ready "$capture" tcpdump "start capturing" 20 grep -q 'listening on' "${file%.json}.tcpdump.log"
  generate "$file" echo "$@"
  kill -INT "$capture"
  wait "$capture" || true
  java -cp "$CP" io.github.siodistributor.benchmarks.load.HopTimes "${file%.json}.pcap" "$ports" "$REDIS_PORT" \
    "$ECHO_WINDOW" | tee "${file%.json}.md" >&2
  rm -f "${file%.json}.pcap"
}

log "results in $OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "node: $(node --version); redis: $(redis-server --version | cut -d' ' -f3)"
  echo "reps: $REPS; quick: $QUICK"
} >"$OUT/machine.txt"

for rep in $(seq 1 "$REPS"); do
  for peer in ${PEERS//,/ }; do
    log "repetition $rep: $peer"
    start_redis "$peer-$rep"
    if [[ "$peer" == distributor ]]; then start_distributor "$peer-$rep"; else start_node "$peer-$rep"; fi
    for scenario in ${SCENARIOS//,/ }; do
      result="$OUT/$peer.$scenario.$rep.json"
      case "$scenario" in
        deliveries) generate "$result" deliveries --targets "$TARGETS" --peer "$peer" \
          --redis "127.0.0.1:$REDIS_PORT" --pokes "$POKES" ;;
        echo)
          generate "$result" echo --targets "$TARGETS" --pids "$PIDS" "${ECHO_ARGS[@]}"
          if $HOPS; then
            echo_hops "$OUT/$peer.echohops.$rep.json" --targets "$TARGETS" --pids "$PIDS" "${ECHO_ARGS[@]}"
          fi ;;
        broadcast) generate "$result" broadcast --targets "$TARGETS" --pids "$PIDS" "${BROADCAST_ARGS[@]}" ;;
        connections) generate "$result" connections --targets "$TARGETS" --memory "$MEMORY" --pid "$FIRST_PID" \
          "${CONNECTION_ARGS[@]}" ;;
        *) echo "unknown scenario: $scenario" >&2; exit 2 ;;
      esac
    done
    cleanup
  done
done

java -cp "$CP" io.github.siodistributor.benchmarks.load.Report "$OUT" | tee "$OUT/report.md"
