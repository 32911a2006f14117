#!/usr/bin/env bash
# The whole test suite, as `./cx-pulse test` (and so .ci/run) runs it: unit tests, integration
# tests on the real engines and the format check of every module, in the time a 2-core machine
# has for it.
#
# Why not one `mvn verify`: Maven's reactor runs a module's tests only after those of the modules
# it depends on, one module after another, and the jobs module's tests (pipelines on MiniClusters)
# and the local module's (whole local modes, much of it waiting for real-time traffic) each take
# most of the time the suite has. So after one build and install of every module without tests
# and the embedded module's tests, the local module's tests run in a second Maven beside the jobs
# module's. Each module's failure is reported; any fails the suite.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

mvn -B -DskipTests install || exit $?

# The embedded engines' tests first, alone: they time Kafka and ClickHouse under load.
mvn -B verify -pl embedded
embedded=$?

mkdir -p local/target
local_log=local/target/cx-pulse-test-local.log
# A background job starts with SIGINT ignored, and its processes would inherit that: the local
# module's tests send Ctrl-C to local mode and must see it handled.
env --default-signal=INT mvn -B verify -pl local >"$local_log" 2>&1 &
local_pid=$!
# Stop the background Maven if this script is interrupted.
trap 'kill "$local_pid" 2>/dev/null' EXIT

mvn -B verify -pl '!embedded,!local'
jobs_status=$?

wait "$local_pid"
local_status=$?
trap - EXIT
echo "====== local module (ran beside the jobs module; full log: $local_log) ======"
cat "$local_log"
if [[ $embedded -ne 0 || $jobs_status -ne 0 || $local_status -ne 0 ]]; then
  echo "Test suite FAILED: exit codes embedded $embedded, jobs $jobs_status, local $local_status" >&2
  exit 1
fi
echo "Test suite passed."
