#!/usr/bin/env bash
# The whole test suite, as `./cx-pulse test` (and so .ci/run) runs it: unit tests, integration
# tests on the real engines and the format check of every module, in the time a 2-core machine
# has for it.
#
# Why not one `mvn verify`: Maven's reactor runs a module's tests only after those of the modules
# it depends on, so local mode's integration tests (whole local modes that mostly wait for minutes
# of real-time traffic) would start only after the jobs module's (CPU-bound pipelines on
# MiniClusters). They overlap well, so after one build and install of every module without tests,
# the local module's tests run in a second Maven beside those of the others. Its output follows
# theirs; either failing fails the suite.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

mvn -B -DskipTests install || exit $?

mkdir -p local/target
local_log=local/target/cx-pulse-test-local.log
mvn -B verify -pl local >"$local_log" 2>&1 &
local_pid=$!
# Stop the background Maven if this script is interrupted.
trap 'kill "$local_pid" 2>/dev/null' EXIT

mvn -B verify -pl '!local'
others=$?

wait "$local_pid"
local_status=$?
trap - EXIT
echo "================ local module (ran beside the others; full log: $local_log) ================"
cat "$local_log"
if [[ $others -ne 0 || $local_status -ne 0 ]]; then
  echo "Test suite FAILED: other modules exit $others, local module exit $local_status" >&2
  exit 1
fi
echo "Test suite passed."
