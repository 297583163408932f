#!/usr/bin/env bash
# The local stack: real Temporal, MongoDB-protocol (FerretDB), RabbitMQ and Elasticsearch servers, started without
# Docker. Each component is left alone when its address already answers (yours, or one this script
# started earlier); what this script starts it records in .data/run/<name>.pid and stops by that pid.
#
#   scripts/stack.sh up [component...]     start what is missing and wait for health
#   scripts/stack.sh down [component...]   stop what this checkout started (by pid)
#   scripts/stack.sh status                say what answers where
#
# Components: temporal, mongo, rabbitmq, elasticsearch, jaeger (OTLP traces kept in Elasticsearch, so
# it starts after it; query API), zipkin (the trace UI: Jaeger's Go module has no UI assets). Set STACK_STARTED_FILE to have `up` append the names of the
# components it actually started (make run uses it to stop exactly those on Ctrl-C).
# A second, private stack runs beside the default one when every address differs and it has data of its
# own: TEMPORAL_ADDRESS, TEMPORAL_UI_PORT, MONGO_URI, RABBITMQ_URL, RABBITMQ_MANAGEMENT_PORT,
# RABBITMQ_NODENAME, ERL_EPMD_PORT and STACK_DATA_DIR (the fault suite, scripts/faults.sh, does so).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${STACK_DATA_DIR:-$ROOT/.data}
BIN=$ROOT/bin
RUN=$DATA/run
LOGS=$DATA/logs
ALL=(temporal mongo rabbitmq elasticsearch jaeger zipkin)

# Addresses, from the same variables the services read.
TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
# Extra flags for the dev server (experiments: e.g. --dynamic-config-value name=value); empty by default.
TEMPORAL_DEV_FLAGS=${TEMPORAL_DEV_FLAGS:-}
MONGO_URI=${MONGO_URI:-mongodb://127.0.0.1:27017/}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-15672}
# A second stack beside this one (the fault suite's) needs a node name and an Erlang port mapper of its own.
RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-shop@localhost}
ERL_EPMD_PORT=${ERL_EPMD_PORT:-4369}
ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
# The integ-test zip is the plain Elasticsearch server without bundled JDK or optional modules; 8.19 runs
# on the machine's Java 17 and matches the v8 Go client.
ELASTICSEARCH_VERSION=${ELASTICSEARCH_VERSION:-8.19.21}
ES_HOME=$BIN/elasticsearch-$ELASTICSEARCH_VERSION
# Elasticsearch refuses to run as root; as root the stack runs it as this system user.
ES_USER=${ES_USER:-shop-es}
# Jaeger v2: its UI and query API at JAEGER_URL, OTLP from the services on the two ports below.
JAEGER_URL=${JAEGER_URL:-http://127.0.0.1:16686}
JAEGER_OTLP_GRPC_PORT=${JAEGER_OTLP_GRPC_PORT:-4317}
JAEGER_OTLP_HTTP_PORT=${JAEGER_OTLP_HTTP_PORT:-4318}
# Zipkin's server (Maven Central's exec jar, with its Lens UI), spans in memory: the trace UI.
ZIPKIN_URL=${ZIPKIN_URL:-http://127.0.0.1:9411}
ZIPKIN_VERSION=${ZIPKIN_VERSION:-3.5.1}
ZIPKIN_JAR=$BIN/zipkin-server-$ZIPKIN_VERSION-exec.jar

say() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

# hostport URL -> "host port" of the first host in a mongodb://, amqp:// or host:port address.
hostport() {
	local a=$1 default_port=$2
	a=${a#*://}   # scheme
	a=${a#*@}     # credentials
	a=${a%%/*}    # path
	a=${a%%\?*}   # query
	a=${a%%,*}    # further replica-set hosts
	local host=${a%:*} port=${a##*:}
	[ "$host" = "$a" ] && port=$default_port
	echo "$host $port"
}

answers() { # host port: does something accept TCP connections there?
	timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

is_local() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ] || [ "$1" = ::1 ]; }

# already_up NAME WHAT HOST PORT: true when something answers at HOST:PORT (WHAT, the variable that
# points there, says which), so the stack uses it; false when nothing does and HOST is local, so the
# stack starts its own; fails when nothing answers at a remote HOST, where there is nothing to start.
already_up() {
	local name=$1 what=$2 host=$3 port=$4
	if answers "$host" "$port"; then
		say "$name: $what answers, using it"
		return 0
	fi
	is_local "$host" || die "$name: $what does not answer"
	return 1
}

pid_of() { # component -> pid if this checkout started it and it still runs
	local f=$RUN/$1.pid
	[ -f "$f" ] || return 1
	local pid
	pid=$(cat "$f")
	kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# launch NAME LOG CMD...: start CMD in a session of its own (so Ctrl-C on a terminal does not reach it
# and `down` can stop its whole process group), record its pid.
launch() {
	local name=$1 log=$2
	shift 2
	mkdir -p "$RUN" "$LOGS"
	setsid "$@" >>"$log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
	[ -n "${STACK_STARTED_FILE:-}" ] && echo "$name" >>"$STACK_STARTED_FILE"
	return 0
}

# wait_for NAME LOG SECONDS CHECK...: poll CHECK until it succeeds; on timeout or if the process died,
# fail naming the component and its log file.
wait_for() {
	local name=$1 log=$2 secs=$3
	shift 3
	local deadline=$((SECONDS + secs))
	until "$@"; do
		if ! pid_of "$name" >/dev/null; then
			tail -n 20 "$log" >&2 || true
			die "$name exited during start-up; see its log: $log"
		fi
		if [ $SECONDS -ge $deadline ]; then
			tail -n 20 "$log" >&2 || true
			die "$name did not become healthy within ${secs}s; see its log: $log"
		fi
		sleep 0.5
	done
}

# ---- Temporal: the CLI's dev server, SQLite file, Web UI -------------------------------------------

temporal_healthy() { "$BIN/temporal" operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; }

up_temporal() {
	read -r host port < <(hostport "$TEMPORAL_ADDRESS" 7233)
	already_up temporal "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS" "$host" "$port" && return
	[ -x "$BIN/temporal" ] || die "temporal: $BIN/temporal is missing; run 'make tools'"
	local log=$LOGS/temporal.log
	mkdir -p "$DATA/temporal"
	say "temporal: starting dev server on $host:$port (UI :$TEMPORAL_UI_PORT), log $log"
	# The dynamic-config and pragma flags are the speed settings DESIGN.md measured: a higher
	# transfer-queue poll rate (the default 20/s adds ~50 ms to every hop), eager activity execution,
	# and SQLite in WAL mode without a sync per commit. Together: 6-activity workflow p50 650 -> 47 ms.
	# One partition per task queue (the server's default is 4, for many matching hosts): with one dev
	# server and a few pollers, a task on a partition nobody polls waited to be forwarded. The no-op
	# saga (make load's ceiling), quiet machine, consecutive runs: sustained 35 -> 42.5/s, p50 at 1/s
	# 39 -> 35 ms, the slowest at 20/s 2.1 s -> 0.13 s.
	launch temporal "$log" "$BIN/temporal" server start-dev \
		--ip "$host" --port "$port" --ui-port "$TEMPORAL_UI_PORT" \
		--db-filename "$DATA/temporal/temporal.db" \
		--namespace default \
		--search-attribute OrderStatus=Keyword \
		--search-attribute CustomerId=Keyword \
		--dynamic-config-value history.transferProcessorMaxPollRPS=1000 \
		--dynamic-config-value system.enableActivityEagerExecution=true \
		--dynamic-config-value matching.numTaskqueueReadPartitions=1 \
		--dynamic-config-value matching.numTaskqueueWritePartitions=1 \
		--sqlite-pragma journal_mode=wal \
		--sqlite-pragma synchronous=normal \
		$TEMPORAL_DEV_FLAGS \
		--log-format json --log-level warn
	wait_for temporal "$log" 120 temporal_healthy
	wait_for temporal "$log" 60 answers "$host" "$TEMPORAL_UI_PORT"
	say "temporal: healthy"
}

# ---- MongoDB protocol: FerretDB on SQLite ------------------------------------------------------------

up_mongo() {
	read -r host port < <(hostport "$MONGO_URI" 27017)
	already_up mongo "MONGO_URI ($host:$port)" "$host" "$port" && return
	[ -x "$BIN/ferretdb" ] || die "mongo: $BIN/ferretdb is missing; run 'make tools'"
	local log=$LOGS/ferretdb.log
	say "mongo: starting FerretDB on $host:$port, log $log"
	launch mongo "$log" "$BIN/ferretdb" -listen "$host:$port" -dir "$DATA/ferretdb"
	wait_for mongo "$log" 60 answers "$host" "$port"
	say "mongo: healthy"
}

# ---- RabbitMQ: Debian's rabbitmq-server, our own node and data dir -----------------------------------

RABBIT_HOME=/usr/lib/rabbitmq/bin

rabbit_env() {
	local port=$1
	export RABBITMQ_NODENAME
	export ERL_EPMD_PORT
	export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
	export RABBITMQ_NODE_PORT=$port
	export RABBITMQ_DIST_PORT=$((port + 20000))
	export RABBITMQ_MNESIA_BASE=$DATA/rabbitmq/mnesia
	export RABBITMQ_LOG_BASE=$LOGS/rabbitmq
	export RABBITMQ_LOGS=-
	export RABBITMQ_CONFIG_FILE=$DATA/rabbitmq/rabbitmq
	export RABBITMQ_ENABLED_PLUGINS_FILE=$DATA/rabbitmq/enabled_plugins
	export RABBITMQ_PID_FILE=$RUN/rabbitmq.beam.pid
	export ERL_EPMD_ADDRESS=127.0.0.1
	# The Erlang cookie lives in HOME; keep it inside .data so nothing outside the checkout changes.
	export HOME=$DATA/rabbitmq/home
}

ensure_rabbitmq_installed() {
	[ -x "$RABBIT_HOME/rabbitmq-server" ] && return
	say "rabbitmq: installing Debian's rabbitmq-server (apt-get)"
	command -v apt-get >/dev/null || die "rabbitmq: rabbitmq-server is missing and apt-get is not available"
	local log=$LOGS/apt.log
	mkdir -p "$LOGS"
	{
		apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server
	} >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "rabbitmq: apt-get install failed; see $log"; }
	# The package may start the system's own node; this stack runs its own, so stop that one.
	if command -v invoke-rc.d >/dev/null; then invoke-rc.d rabbitmq-server stop >>"$log" 2>&1 || true; fi
}

rabbit_healthy() {
	answers 127.0.0.1 "$1" && answers 127.0.0.1 "$RABBITMQ_MANAGEMENT_PORT"
}

up_rabbitmq() {
	read -r host port < <(hostport "$RABBITMQ_URL" 5672)
	already_up rabbitmq "RABBITMQ_URL ($host:$port)" "$host" "$port" && return
	ensure_rabbitmq_installed
	local log=$LOGS/rabbitmq.log
	mkdir -p "$DATA/rabbitmq/home" "$LOGS/rabbitmq" "$RUN"
	(
		rabbit_env "$port"
		printf '[rabbitmq_management].\n' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
		cat >"$RABBITMQ_CONFIG_FILE.conf" <<-EOF
			listeners.tcp.default = 127.0.0.1:$port
			management.tcp.ip = 127.0.0.1
			management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
			loopback_users.guest = true
			log.console = true
			log.console.level = warning
			log.file = false
		EOF
		# epmd (Erlang's port mapper) would otherwise daemonise itself outside our process group and
		# outlive `down`; run it in the foreground under our pid.
		if ! answers 127.0.0.1 "$ERL_EPMD_PORT"; then
			launch epmd "$LOGS/epmd.log" epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT"
		fi
		say "rabbitmq: starting node $RABBITMQ_NODENAME on 127.0.0.1:$port (management :$RABBITMQ_MANAGEMENT_PORT), log $log"
		launch rabbitmq "$log" "$RABBIT_HOME/rabbitmq-server"
		wait_for rabbitmq "$log" 120 rabbit_healthy "$port"
	)
	say "rabbitmq: healthy"
}

# ---- Elasticsearch: the integ-test zip from Maven Central, run with the machine's JDK ----------------

es_java_home() { # the JDK Elasticsearch runs on: JAVA_HOME, else the `java` on PATH
	if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
		echo "$JAVA_HOME"
		return
	fi
	local java
	java=$(command -v java) || return 1
	java=$(readlink -f "$java")
	echo "${java%/bin/java}"
}

ensure_elasticsearch_installed() {
	[ -x "$ES_HOME/bin/elasticsearch" ] && return
	command -v mvn >/dev/null || die "elasticsearch: mvn is needed to fetch Elasticsearch from Maven Central"
	local log=$LOGS/elasticsearch-install.log dl=$BIN/.es-download
	mkdir -p "$LOGS" "$dl"
	say "elasticsearch: fetching $ELASTICSEARCH_VERSION from Maven Central (mvn), log $log"
	mvn -B -q dependency:copy \
		-Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ELASTICSEARCH_VERSION:zip" \
		-DoutputDirectory="$dl" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "elasticsearch: mvn could not fetch it; see $log"; }
	command -v unzip >/dev/null || python3 -c 'import zipfile' ||
		die "elasticsearch: neither unzip nor python3 is there to unpack the zip"
	if command -v unzip >/dev/null; then
		unzip -q -o "$dl/elasticsearch-$ELASTICSEARCH_VERSION.zip" -d "$BIN" >>"$log" 2>&1
	else
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"$dl/elasticsearch-$ELASTICSEARCH_VERSION.zip" "$BIN" >>"$log" 2>&1
		chmod +x "$ES_HOME"/bin/*
	fi
	rm -rf "$dl"
	[ -x "$ES_HOME/bin/elasticsearch" ] || die "elasticsearch: unpacking failed; see $log"
}

es_healthy() {
	curl -fsS -m 2 "$ELASTICSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

up_elasticsearch() {
	read -r host port < <(hostport "$ELASTICSEARCH_URL" 9200)
	already_up elasticsearch "ELASTICSEARCH_URL=$ELASTICSEARCH_URL" "$host" "$port" && return
	local java_home
	java_home=$(es_java_home) || die "elasticsearch: no JDK found (set JAVA_HOME or put java on PATH)"
	ensure_elasticsearch_installed
	local log=$LOGS/elasticsearch.log dir=$DATA/elasticsearch
	mkdir -p "$dir/data" "$dir/logs" "$RUN"
	local runas=()
	if [ "$(id -u)" = 0 ]; then
		id "$ES_USER" >/dev/null 2>&1 ||
			useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" ||
			die "elasticsearch: cannot create user $ES_USER to run it as (it refuses root)"
		# It writes its keystore into config/ and its data and logs under .data/elasticsearch.
		chown -R "$ES_USER" "$ES_HOME" "$dir"
		runas=(runuser -u "$ES_USER" --)
	fi
	say "elasticsearch: starting $ELASTICSEARCH_VERSION on $host:$port (JDK $java_home), log $log"
	# Single node, no security (loopback only), a small heap; the disk watermarks are off because a
	# nearly full development disk would otherwise turn every index read-only.
	ES_JAVA_HOME=$java_home ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" \
		launch elasticsearch "$log" "${runas[@]}" "$ES_HOME/bin/elasticsearch" \
		-E discovery.type=single-node \
		-E xpack.security.enabled=false \
		-E network.host="$host" -E http.port="$port" -E transport.port=$((port + 100)) \
		-E path.data="$dir/data" -E path.logs="$dir/logs" \
		-E cluster.routing.allocation.disk.threshold_enabled=false \
		-E logger.level=WARN
	wait_for elasticsearch "$log" 180 es_healthy
	say "elasticsearch: healthy"
}

# ---- Jaeger v2: OTLP receiver, traces stored in the stack's Elasticsearch, query API and UI ------------

jaeger_healthy() {
	curl -fsS -m 2 "http://$JAEGER_HEALTH_ADDR/status" >/dev/null 2>&1 &&
		curl -fsS -m 2 "$JAEGER_URL/api/services" >/dev/null 2>&1
}

up_jaeger() {
	read -r host port < <(hostport "$JAEGER_URL" 16686)
	already_up jaeger "JAEGER_URL=$JAEGER_URL" "$host" "$port" && return
	[ -x "$BIN/jaeger" ] || die "jaeger: $BIN/jaeger is missing; run 'make tools'"
	es_healthy || die "jaeger: keeps its traces in Elasticsearch, which does not answer at $ELASTICSEARCH_URL"
	local log=$LOGS/jaeger.log
	mkdir -p "$LOGS" "$RUN"
	# The query API's gRPC port and the health check sit beside the UI's port.
	export JAEGER_UI_ADDR=$host:$port JAEGER_QUERY_GRPC_ADDR=$host:$((port - 1)) JAEGER_HEALTH_ADDR=$host:$((port + 10))
	export JAEGER_OTLP_GRPC_ADDR=$host:$JAEGER_OTLP_GRPC_PORT JAEGER_OTLP_HTTP_ADDR=$host:$JAEGER_OTLP_HTTP_PORT
	export ELASTICSEARCH_URL
	say "jaeger: starting on $host (UI :$port, OTLP gRPC :$JAEGER_OTLP_GRPC_PORT, HTTP :$JAEGER_OTLP_HTTP_PORT), traces in $ELASTICSEARCH_URL, log $log"
	launch jaeger "$log" "$BIN/jaeger" --config "$ROOT/deploy/jaeger/config.yaml"
	wait_for jaeger "$log" 60 jaeger_healthy
	say "jaeger: healthy"
}

# ---- Zipkin: the trace UI (Lens), fed by the services' second exporter; spans kept in memory ----------

ensure_zipkin_installed() {
	[ -f "$ZIPKIN_JAR" ] && return
	command -v mvn >/dev/null || die "zipkin: mvn is needed to fetch Zipkin's server from Maven Central"
	local log=$LOGS/zipkin-install.log
	mkdir -p "$LOGS"
	say "zipkin: fetching server $ZIPKIN_VERSION from Maven Central (mvn), log $log"
	mvn -B -q dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
		-DoutputDirectory="$BIN" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "zipkin: mvn could not fetch it; see $log"; }
	[ -f "$ZIPKIN_JAR" ] || die "zipkin: $ZIPKIN_JAR missing after the fetch; see $log"
}

zipkin_healthy() { curl -fsS -m 2 "$ZIPKIN_URL/health" >/dev/null 2>&1; }

up_zipkin() {
	read -r host port < <(hostport "$ZIPKIN_URL" 9411)
	already_up zipkin "ZIPKIN_URL=$ZIPKIN_URL" "$host" "$port" && return
	local java_home
	java_home=$(es_java_home) || die "zipkin: no JDK found (set JAVA_HOME or put java on PATH)"
	ensure_zipkin_installed
	local log=$LOGS/zipkin.log
	mkdir -p "$RUN"
	say "zipkin: starting $ZIPKIN_VERSION on $host:$port (spans in memory), log $log"
	# In memory, bounded (the oldest traces go first); Jaeger keeps every span in Elasticsearch.
	QUERY_PORT=$port STORAGE_TYPE=mem MEM_MAX_SPANS=${ZIPKIN_MAX_SPANS:-200000} \
		launch zipkin "$log" "$java_home/bin/java" ${ZIPKIN_JAVA_OPTS:--Xms128m -Xmx512m} -jar "$ZIPKIN_JAR" \
		--armeria.ports[0].ip="$host" --armeria.ports[0].port="$port" --armeria.ports[0].protocols[0]=http \
		--logging.level.root=WARN
	wait_for zipkin "$log" 120 zipkin_healthy
	say "zipkin: healthy"
}

# ---- stop ------------------------------------------------------------------------------------------

stop_component() {
	local name=$1 pid
	if ! pid=$(pid_of "$name"); then
		rm -f "$RUN/$name.pid"
		return
	fi
	say "$name: stopping pid $pid"
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 60); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name: did not stop in 30s, killing"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/$name.pid"
}

status() {
	local name host port
	for name in "${ALL[@]}"; do
		case $name in
		temporal) read -r host port < <(hostport "$TEMPORAL_ADDRESS" 7233) ;;
		mongo) read -r host port < <(hostport "$MONGO_URI" 27017) ;;
		rabbitmq) read -r host port < <(hostport "$RABBITMQ_URL" 5672) ;;
		elasticsearch) read -r host port < <(hostport "$ELASTICSEARCH_URL" 9200) ;;
		jaeger) read -r host port < <(hostport "$JAEGER_URL" 16686) ;;
		zipkin) read -r host port < <(hostport "$ZIPKIN_URL" 9411) ;;
		esac
		local state=down owner=""
		answers "$host" "$port" && state=up
		pid=$(pid_of "$name") && owner=" (started here, pid $pid)"
		printf '%-13s %-22s %s%s\n' "$name" "$host:$port" "$state" "$owner"
	done
}

cmd=${1:-}
shift || true
components=("$@")
[ ${#components[@]} -eq 0 ] && components=("${ALL[@]}")

case $cmd in
up)
	for c in "${components[@]}"; do
		case $c in
		temporal | mongo | rabbitmq | elasticsearch | jaeger | zipkin) "up_$c" ;;
		*) die "unknown component '$c' (temporal, mongo, rabbitmq, elasticsearch, jaeger, zipkin)" ;;
		esac
	done
	;;
down)
	# Reverse order of start: services' dependencies last. epmd goes with rabbitmq.
	for ((i = ${#components[@]} - 1; i >= 0; i--)); do
		stop_component "${components[i]}"
		if [ "${components[i]}" = rabbitmq ]; then stop_component epmd; fi
	done
	;;
status) status ;;
*)
	echo "usage: $0 up|down [temporal|mongo|rabbitmq|elasticsearch|jaeger|zipkin...] | status" >&2
	exit 2
	;;
esac
