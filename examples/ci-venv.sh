#!/usr/bin/env bash
# Shared by the example CI scripts: make (or reuse) the Python venv with pyspark,
# datatrove and orjson (datatrove's JsonlWriter needs it). Prints the venv's path.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${BOILERSTRIP_CI_VENV:-target/ci-venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c 'import pyspark, datatrove, orjson' 2>/dev/null; then
    "$VENV/bin/pip" install -q --disable-pip-version-check pyspark datatrove orjson >&2
fi
echo "$VENV"
