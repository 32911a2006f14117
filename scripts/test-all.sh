#!/usr/bin/env bash
# The whole test suite, as `./cx-pulse test` (and so .ci/run) runs it: unit tests, integration
# tests on the real engines and the format check of every module, in the time a 2-core machine
# has for it.
#
# Why not one `mvn verify`: Maven's reactor runs a module's tests only after those of the modules
# it depends on, one module after another, and the jobs module's tests (pipelines on MiniClusters)
# and the local module's (whole local modes that wait minutes for real-time traffic) each take
# most of the time the suite has. So after one build and install of every module without tests,
# the embedded and local modules' tests run in a second Maven beside the jobs module's (measured on
# 2 cores: the jobs module's take about as long as the other two together). Its output follows;
# either failing fails the suite.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

mvn -B -DskipTests install || exit $?

mkdir -p local/target
local_log=local/target/cx-pulse-test-embedded-local.log
# A background job starts with SIGINT ignored, and its processes would inherit that: the local
# module's tests send Ctrl-C to local mode and must see it handled.
env --default-signal=INT mvn -B verify -pl embedded,local >"$local_log" 2>&1 &
local_pid=$!
# Stop the background Maven if this script is interrupted.
trap 'kill "$local_pid" 2>/dev/null' EXIT

mvn -B verify -pl '!embedded,!local'
others=$?

wait "$local_pid"
local_status=$?
trap - EXIT
echo "====== embedded and local modules (ran beside the jobs module; full log: $local_log) ======"
cat "$local_log"
if [[ $others -ne 0 || $local_status -ne 0 ]]; then
  echo "Test suite FAILED: jobs module exit $others, embedded and local modules exit $local_status" >&2
  exit 1
fi
echo "Test suite passed."
