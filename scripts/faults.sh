#!/usr/bin/env bash
# make test-faults: the fault suite (cmd/faultsuite) on a private stack of its own, beside any stack
# already running (other ports, data in $FAULTS_DIR/stack, wiped at the start of each run). Whatever
# way this ends, the private stack is stopped; the services are the suite's children and die with it.
# Extra arguments go to the suite (e.g. -clients 8 -outage 60s); see `go run ./cmd/faultsuite -h`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
DIR=${FAULTS_DIR:-$ROOT/.data/faults}
STACK_DIR=$DIR/stack

# stack.sh stops what it started by the pids under STACK_DATA_DIR: only this suite's stack.
stop_private_stack() { STACK_DATA_DIR=$STACK_DIR scripts/stack.sh down temporal mongo rabbitmq >/dev/null 2>&1 || true; }
trap stop_private_stack EXIT
trap 'exit 130' INT TERM

stop_private_stack # left over from a run that was killed
rm -rf "$STACK_DIR"
mkdir -p "$DIR/bin" "$STACK_DIR"
"$GO" build -o "$DIR/bin/shop" ./cmd/shop
"$GO" build -o "$DIR/bin/faultsuite" ./cmd/faultsuite
"$DIR/bin/faultsuite" -root "$ROOT" -dir "$STACK_DIR" -shop "$DIR/bin/shop" "$@"
