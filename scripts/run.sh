#!/usr/bin/env bash
# make run: start the local stack, then both services under goreman (a Procfile runner). Ctrl-C stops
# the services and every part of the stack this run started; what was already running stays.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

started=$(mktemp)
cleanup() {
	local code=$?
	trap - EXIT INT TERM
	if [ -s "$started" ]; then
		# shellcheck disable=SC2046 # one component name per line
		scripts/stack.sh down $(cat "$started") || true
	fi
	rm -f "$started"
	if [ "${procfile:-Procfile}" != Procfile ]; then rm -f "$procfile"; fi
	exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STACK_STARTED_FILE=$started scripts/stack.sh up temporal mongo rabbitmq

# Elasticsearch (search read model, centralized logs) needs a JDK; without one the system runs on,
# with searches answered from MongoDB and logs on stdout only.
procfile=Procfile
search_line="  Elasticsearch      (not running: searches answer from MongoDB, logs stay on stdout)"
if [ -n "${ELASTICSEARCH_URL:-}" ] || command -v java >/dev/null || [ -n "${JAVA_HOME:-}" ]; then
	STACK_STARTED_FILE=$started scripts/stack.sh up elasticsearch jaeger zipkin
	export ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
	# Every service traces: OTLP to Jaeger (kept in Elasticsearch, query API), Zipkin format to the UI.
	# Bring your own OTEL_* variables to send elsewhere.
	if [ -z "${OTEL_TRACES_EXPORTER:-}${OTEL_EXPORTER_OTLP_ENDPOINT:-}${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-}" ]; then
		export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${JAEGER_OTLP_HTTP_PORT:-4318}
		export OTEL_EXPORTER_ZIPKIN_ENDPOINT=${OTEL_EXPORTER_ZIPKIN_ENDPOINT:-${ZIPKIN_URL:-http://127.0.0.1:9411}/api/v2/spans}
	fi
	search_line="  Elasticsearch      $ELASTICSEARCH_URL  (indices products, orders, logs-ecommerce-*, jaeger-span-*)
  Projector health   http://127.0.0.1:3006/readyz   metrics http://127.0.0.1:3006/metrics
  Traces (UI)        ${ZIPKIN_URL:-http://127.0.0.1:9411}/zipkin/  (Zipkin; an order's trace: search tag temporalWorkflowID=order-<id>)
  Traces (API)       ${JAEGER_URL:-http://127.0.0.1:16686}/api/traces/<traceId>  (Jaeger; OTLP in on :4317 gRPC, :4318 HTTP)"
else
	echo "run: no JDK found (java on PATH or JAVA_HOME): running without Elasticsearch, so without the trace store and UI" >&2
	procfile=$(mktemp)
	grep -v '^projector:' Procfile >"$procfile"
fi

# The operator API needs a token; a local run gets a fixed one unless you bring your own.
export ADMIN_TOKEN=${ADMIN_TOKEN:-local-admin-token}
# The order worker's door to the inventory's stock (the saga's first attempt at reserve and commit).
export STOCK_API_TOKEN=${STOCK_API_TOKEN:-local-stock-token}

cat <<URLS

  Inventory API      http://127.0.0.1:3000/api/v1/inventory
  Inventory Swagger  http://127.0.0.1:3000/api/docs
  Inventory health   http://127.0.0.1:3000/readyz   metrics http://127.0.0.1:3000/metrics
  Orders API         http://127.0.0.1:3002/api/v1/orders
  Orders Swagger     http://127.0.0.1:3002/api/docs
  Orders health      http://127.0.0.1:3002/readyz   metrics http://127.0.0.1:3002/metrics
  Payment sandbox    http://127.0.0.1:3004/v1/payments/{orderId}
  Operator API       http://127.0.0.1:3002/api/v1/admin/orders  (Bearer $ADMIN_TOKEN; or: bin/shop ctl parked)
  Temporal Web UI    http://127.0.0.1:8233
  RabbitMQ           http://127.0.0.1:15672  (guest / guest)
  MongoDB protocol   mongodb://127.0.0.1:27017/  (FerretDB)
$search_line

  Ctrl-C stops everything this run started.

URLS

# goreman, not exec: this shell must outlive it to stop the stack afterwards.
bin/goreman -f "$procfile" -set-ports=false -exit-on-error -rpc-server=false start
