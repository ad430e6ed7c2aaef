#!/usr/bin/env bash
# End-to-end test of examples/datatrove: a LocalPipelineExecutor run over the HTML
# fixtures must give a direct run's texts, and a crashing binary must fail the task.
# Usage: examples/datatrove/ci.sh [BINARY]   (default target/release/boilerstrip)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-target/release/boilerstrip}")
start=$(date +%s)
VENV=$(examples/ci-venv.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/crashing-boilerstrip" <<CRASH
#!/bin/sh
# Answers the first batch, then dies.
read -r first
echo "\$first" | "$BIN" "\$@"
exit 3
CRASH
chmod +x "$work/crashing-boilerstrip"
"$VENV/bin/python" examples/datatrove/run_test.py "$BIN" --crash "$work/crashing-boilerstrip" 2> "$work/log" \
    || { tail -30 "$work/log"; echo "FAIL: datatrove example"; exit 1; }
echo "datatrove CI: ok in $(( $(date +%s) - start )) s"
