#!/usr/bin/env bash
# A throwaway single-node Apache Kafka broker (KRaft: broker + controller in one JVM, no
# ZooKeeper) for the test suite, run from Apache Kafka's own JARs fetched from Maven Central.
#   scripts/kafka.sh start DIR PORT   -> prints the bootstrap address (127.0.0.1:PORT)
#   scripts/kafka.sh stop DIR
# DIR holds the configuration, the data, the log (DIR/server.log) and the pid file.
# The JARs are fetched once with Maven (scripts/kafka/pom.xml) into a cache directory:
#   PERSONA_GEN_KAFKA_CACHE    (default ~/.cache/persona-gen/kafka-VERSION)
#   PERSONA_GEN_KAFKA_VERSION  (default 4.1.1; the 4.x line needs Java 17)
#   PERSONA_GEN_KAFKA_TIMEOUT  seconds to wait for the broker to accept clients (default 120)
# Topics are never created automatically (auto.create.topics.enable=false); new topics get
# 12 partitions unless asked otherwise. Works as root (CI runs as root).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?state directory}; port=${3:-9092}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${PERSONA_GEN_KAFKA_VERSION:-4.1.1}
cache=${PERSONA_GEN_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/persona-gen/kafka-$version}
timeout=${PERSONA_GEN_KAFKA_TIMEOUT:-120}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
pidfile=$dir/kafka.pid

say() { echo "kafka.sh: $*" >&2; }

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

log_tail() {
  say "--- last lines of $dir/server.log and $dir/java.out ---"
  tail -n 40 "$dir/server.log" >&2 2>/dev/null || true
  tail -n 20 "$dir/java.out" >&2 2>/dev/null || true
}

# Copy the broker's JARs into $cache/libs once (atomically, under a lock), then reuse them.
fetch() {
  [ -f "$cache/libs/.complete" ] && return 0
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -f "$cache/libs/.complete" ]; then
    command -v mvn >/dev/null || { say "Maven (mvn) is needed to fetch Kafka $version"; exit 1; }
    say "fetching Apache Kafka $version from Maven Central into $cache (first run only)"
    rm -rf "$cache/libs.tmp"
    if ! mvn -q -B -f "$here/kafka/pom.xml" -Dkafka.version="$version" \
      dependency:copy-dependencies -DoutputDirectory="$cache/libs.tmp" >"$cache/fetch.log" 2>&1; then
      say "could not fetch Kafka $version with Maven:"
      tail -n 30 "$cache/fetch.log" >&2
      exit 1
    fi
    touch "$cache/libs.tmp/.complete"
    rm -rf "$cache/libs"
    mv "$cache/libs.tmp" "$cache/libs"
  fi
  exec 9>&-
}

start() {
  if alive; then
    echo "127.0.0.1:$(cat "$dir/port")"
    return 0
  fi
  if port_open "$port"; then
    say "port $port on 127.0.0.1 is already in use"
    exit 1
  fi
  command -v "$java" >/dev/null || { say "Java 17+ is needed (no '$java')"; exit 1; }
  fetch
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  pidfile=$dir/kafka.pid
  local controller
  controller=$(free_port)
  echo "$port" >"$dir/port"

  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=12
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.ms=-1
EOF

  # log4j 2: warnings only, plus the one line that says the server is up.
  cat >"$dir/log4j2.properties" <<EOF
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $dir/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.up.name = kafka.server.KafkaRaftServer
logger.up.level = INFO
EOF

  local jvm=(-Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$cache/libs/*")

  if [ ! -f "$dir/data/meta.properties" ]; then
    # A cluster id is 16 random bytes in URL-safe base64 without padding. One that starts
    # with '-' (1 in 64) would be read as an option by the storage tool (as Kafka's own
    # random-uuid avoids), so draw again.
    local cluster="-"
    while [ "${cluster#-}" != "$cluster" ]; do
      cluster=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    if ! "$java" "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster" \
      -c "$dir/server.properties" --ignore-formatted >"$dir/format.out" 2>&1; then
      say "could not format the Kafka storage in $dir/data:"
      cat "$dir/format.out" >&2
      exit 1
    fi
  fi

  rm -f "$dir/server.log"
  nohup "$java" "${jvm[@]}" kafka.Kafka "$dir/server.properties" \
    >"$dir/java.out" 2>&1 </dev/null &
  echo $! >"$pidfile"

  local deadline=$((SECONDS + timeout))
  until grep -q "Kafka Server started" "$dir/server.log" 2>/dev/null && port_open "$port"; do
    if ! alive; then
      say "the Kafka broker exited during start-up"
      log_tail
      rm -f "$pidfile"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "the Kafka broker did not accept clients on 127.0.0.1:$port within ${timeout}s"
      log_tail
      stop
      exit 1
    fi
    sleep 0.2
  done
  echo "127.0.0.1:$port"
}

stop() {
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # A clean shutdown of a single node takes a few seconds; do not wait for ever.
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "the broker (pid $pid) did not stop within 30s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
