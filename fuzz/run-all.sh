#!/bin/sh
# Run the given targets (default: all) one after another, 10 minutes each, at low
# priority. Fork mode with -ignore_crashes keeps a run going after a crash, so every
# crash of the 10 minutes lands in artifacts/TARGET/. Logs go to fuzz/logs/TARGET.log.
set -u
cd "$(dirname "$0")"
mkdir -p logs
for t in ${@:-decode html_page text_page config warc}; do
  RUSTC_BOOTSTRAP=1 TMPDIR=/dev/shm nice -n 15 cargo fuzz run -a "$t" -- \
    -max_total_time=600 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=10 > "logs/$t.log" 2>&1
  grep -E '^#[0-9]+:' "logs/$t.log" | tail -1
done
