#!/usr/bin/env bash
# End-to-end test of examples/spark in local[2]: the Spark job's records must equal a
# direct `boilerstrip run -` on the same inputs, and a binary that crashes mid-partition
# must fail the job (checkCode=True) rather than silently drop records.
# Usage: examples/spark/ci.sh [BINARY]   (default target/release/boilerstrip)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-target/release/boilerstrip}")
start=$(date +%s)

java_major() {
    java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1") ? v[2] : v[1]; exit }'
}
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    echo "installing Java 17 (Spark needs 17+)"
    apt-get install -y -q openjdk-17-jre-headless >/dev/null
fi
echo "java $(java_major)"
VENV=$(examples/ci-venv.sh)
export PYSPARK_PYTHON="$PWD/$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/$VENV/bin/python"
export SPARK_LOCAL_IP=127.0.0.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every page file and WARC file of the fixtures, one absolute path a line.
find "$PWD/fixtures" -type f \( -name '*.html' -o -name '*.htm' -o -name '*.xhtml' -o -name '*.txt' \
    -o -name '*.html.gz' -o -name '*.htm.gz' -o -name '*.xhtml.gz' -o -name '*.txt.gz' \
    -o -name '*.warc' -o -name '*.warc.gz' \) | sort > "$work/paths.txt"
echo "inputs: $(wc -l < "$work/paths.txt")"

"$BIN" run - -q < "$work/paths.txt" | sort > "$work/direct.jsonl"

submit() {
    "$VENV/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false \
        --conf spark.task.maxFailures=1 --files "$1" \
        examples/spark/boilerstrip_spark.py --paths "$work/paths.txt" --output "$2" \
        --partitions 4 --binary-name "$(basename "$1")"
}

if ! submit "$BIN" "$work/out" > "$work/spark.log" 2>&1; then
    tail -40 "$work/spark.log"
    echo "FAIL: the Spark job failed"
    exit 1
fi
cat "$work"/out/part-* | sort > "$work/spark.jsonl"
echo "records: direct $(wc -l < "$work/direct.jsonl"), spark $(wc -l < "$work/spark.jsonl")"
if ! cmp -s "$work/direct.jsonl" "$work/spark.jsonl"; then
    diff "$work/direct.jsonl" "$work/spark.jsonl" | head -20
    echo "FAIL: the Spark records differ from a direct run"
    exit 1
fi
test -s "$work/direct.jsonl"

# A binary that answers for one input, then dies: the job must fail.
cat > "$work/crashing-boilerstrip" <<CRASH
#!/bin/sh
read -r first
"$BIN" run "\$first" -q --no-learn --stream
exit 3
CRASH
chmod +x "$work/crashing-boilerstrip"
if submit "$work/crashing-boilerstrip" "$work/out-crash" > "$work/crash.log" 2>&1; then
    echo "FAIL: a crashing binary did not fail the Spark job"
    exit 1
fi
grep -q "exited with code 3\|exit status 3\|code 3" "$work/crash.log" \
    || { tail -20 "$work/crash.log"; echo "FAIL: the job failed, but not for the crash"; exit 1; }
test ! -e "$work/out-crash/_SUCCESS"
echo "crashing binary fails the job: ok"
echo "spark CI: ok in $(( $(date +%s) - start )) s"
