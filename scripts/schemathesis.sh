#!/usr/bin/env bash
# Schemathesis over every service's OpenAPI document, against the running services (make test).
#
# Installs Schemathesis (pinned, from PyPI) into a virtual environment under bin/ once, then runs the
# Go test that starts the services as processes of the real binary, on ports, databases, task queues
# and an events exchange of their own, points Schemathesis at each spec, and stops them afterwards.
# Needs the stack (make stack-up). SCHEMATHESIS_MAX_EXAMPLES and SCHEMATHESIS_SEED tune the run.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=$PWD/bin/schemathesis-$VERSION

say() { echo "schemathesis: $*" >&2; }
die() { say "$*"; exit 1; }

ensure_venv_support() {
	python3 -c 'import venv, ensurepip' 2>/dev/null && return
	say "python3 cannot make virtual environments; installing Debian's python3-venv (apt-get)"
	command -v apt-get >/dev/null || die "python3-venv is missing and apt-get is not available"
	{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv; } >&2 ||
		die "apt-get install python3-venv failed"
}

# A venv made elsewhere (a moved checkout) keeps its old path in st's shebang: run it to be sure.
if ! "$VENV/bin/st" --version >/dev/null 2>&1; then
	command -v python3 >/dev/null || die "python3 is missing"
	ensure_venv_support
	say "installing schemathesis $VERSION into $VENV"
	rm -rf "$VENV"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" ||
		{ rm -rf "$VENV"; die "pip install schemathesis==$VERSION failed"; }
fi

SCHEMATHESIS=$VENV/bin/st exec go test -count=1 -tags 'integration schemathesis' -run '^TestSchemathesis$' -timeout 15m -v ./cmd/shop/
