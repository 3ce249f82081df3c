#!/usr/bin/env bash
# Starts and stops the multi-namespace demo: a backend process per namespace (/chat, /gameA, /gameB), two
# workers (w1, w2) serving all three, and a Redis they share.
#
#   run.sh start    start everything; returns once every process has started, printing the workers' URLs
#   run.sh stop     SIGTERM to every process (workers first, Redis last), waiting for each to end
#   run.sh status   which processes run
#   run.sh demo     one client connection per worker multiplexing the three namespaces (node client.js)
#   run.sh run      start, then stop on Ctrl-C
#
# Environment: REDIS_URL (use this Redis; otherwise a redis-server from the PATH is started on a free port),
# RUN_DIR (pid and log files, default target/run), JAR (default target/sample-multi-namespace.jar),
# JAVA (default java), JAVA_OPTS (default: a small heap, and the quick-start compiler for a demo),
# START_TIMEOUT / STOP_TIMEOUT in seconds (default 120 / 30).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RUN_DIR="${RUN_DIR:-$HERE/target/run}"
JAR="${JAR:-$HERE/target/sample-multi-namespace.jar}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS <<<"${JAVA_OPTS:--Xmx192m -XX:TieredStopAtLevel=1}"
START_TIMEOUT="${START_TIMEOUT:-120}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
BACKENDS=(chat gameA gameB)
WORKERS=(w1 w2)
# stop order: workers first (their clients go, the backends are told), Redis last
STOP_ORDER=("${WORKERS[@]}" "${BACKENDS[@]}" redis)

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # below Linux's ephemeral range (32768 and up), where outgoing connections take their ports
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if ! port_open "$port"; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

launch() { # name, command...
  local name="$1"; shift
  nohup "$@" >"$RUN_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

start_redis() {
  command -v redis-server >/dev/null || {
    echo "redis-server is not on the PATH: install Redis or set REDIS_URL=redis://host:port" >&2; exit 1; }
  local port; port="$(free_port)"
  launch redis redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no
  for _ in $(seq 1 100); do
    port_open "$port" && { REDIS_URL="redis://127.0.0.1:$port"; return; }
    alive redis || break
    sleep 0.1
  done
  echo "redis-server did not start on port $port:" >&2; cat "$RUN_DIR/redis.log" >&2; stop; exit 1
}

await_started() { # name
  local name="$1" deadline=$((SECONDS + START_TIMEOUT))
  until grep -q "Started MultiNamespaceApplication" "$RUN_DIR/$name.log" 2>/dev/null; do
    if ! alive "$name" || ((SECONDS > deadline)); then
      echo "$name did not start (see $RUN_DIR/$name.log); its last lines:" >&2
      tail -n 30 "$RUN_DIR/$name.log" >&2 || true
      stop; exit 1
    fi
    sleep 0.5
  done
}

worker_url() { # name: the address the worker logged
  # the start-up line: "Distributor worker <id> listening on <host>:<port> (<transport>) for <namespaces> (Redis ...)"
  sed -n "s/.*Distributor worker $1 listening on \([^ ]*\) .*/http:\/\/\1/p" "$RUN_DIR/$1.log" | head -n 1
}

start() {
  [[ -f "$JAR" ]] || { echo "$JAR is missing: build it first (mvn -B -q package -DskipTests from the repository root)" >&2; exit 1; }
  for name in "${STOP_ORDER[@]}"; do
    if alive "$name"; then echo "already running ($name, pid $(pid_of "$name")): run.sh stop first" >&2; exit 1; fi
  done
  mkdir -p "$RUN_DIR"
  rm -f "$RUN_DIR"/*.pid "$RUN_DIR"/*.log
  if [[ -z "${REDIS_URL:-}" ]]; then start_redis; fi
  echo "Redis: $REDIS_URL"
  export REDIS_URL
  for ns in "${BACKENDS[@]}"; do
    launch "$ns" "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" --spring.profiles.active="$ns"
  done
  for w in "${WORKERS[@]}"; do
    launch "$w" "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" --spring.profiles.active=worker --distributor.worker.id="$w"
  done
  for name in "${BACKENDS[@]}" "${WORKERS[@]}"; do
    await_started "$name"
    echo "started $name (pid $(pid_of "$name"))"
  done
  for w in "${WORKERS[@]}"; do
    echo "worker $w $(worker_url "$w")"
  done
}

stop() {
  local name pid deadline
  for name in "${STOP_ORDER[@]}"; do
    alive "$name" && kill -TERM "$(pid_of "$name")" 2>/dev/null || true
    # one at a time: a worker's clients are gone before the backends stop, the backends before Redis
    pid="$(pid_of "$name")"
    deadline=$((SECONDS + STOP_TIMEOUT))
    while [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS > deadline)); then
        echo "$name (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
    if [[ -n "$pid" ]]; then echo "stopped $name (pid $pid)"; fi
    rm -f "$RUN_DIR/$name.pid"
  done
}

status() {
  for name in "${STOP_ORDER[@]}"; do
    if alive "$name"; then echo "$name running (pid $(pid_of "$name"))"; else echo "$name not running"; fi
  done
}

demo() {
  local urls=() w
  for w in "${WORKERS[@]}"; do
    alive "$w" || { echo "worker $w is not running: run.sh start first" >&2; exit 1; }
    urls+=("$(worker_url "$w")")
  done
  NODE_PATH="$HERE/../../distributor-test-support/target/js/node_modules" node "$HERE/client.js" "${urls[@]}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  demo) demo ;;
  run) start; trap 'stop; exit 0' INT TERM; echo "running; Ctrl-C stops everything"; while true; do sleep 1; done ;;
  *) echo "usage: $0 start|stop|status|demo|run" >&2; exit 2 ;;
esac
