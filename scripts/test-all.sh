#!/usr/bin/env bash
# The whole test suite, as `./cx-pulse test` (and so .ci/run) runs it: unit tests, integration
# tests on the real engines and the format check of every module, in the time a 2-core machine
# has for it.
#
# Why not one `mvn verify`: Maven's reactor runs a module's tests only after those of the modules
# it depends on, one module after another, and the jobs module's tests (pipelines on MiniClusters)
# and the local module's (whole local modes, much of it waiting for real-time traffic) each take
# much of the time the suite has. So after one build and install of every module without tests,
# the jobs module's tests run in one Maven and the others beside it (see below). Each module's
# failure is reported; any fails the suite.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

mvn -B -DskipTests install || exit $?

mkdir -p local/target embedded/target
local_log=local/target/cx-pulse-test-local.log
embedded_log=embedded/target/cx-pulse-test-embedded.log

# The jobs module's tests are the longest chain: they start at once, in the foreground. Beside
# them, one after the other, the embedded engines' tests and then the local module's, in a Maven
# of their own. A background job starts with SIGINT ignored, and its processes would inherit
# that: the local module's tests send Ctrl-C to local mode (and the embedded module's to its
# engines) and must see it handled. The cluster module's fault tests are not part of this suite
# (5 to 8 minutes more than 15 minutes allow); .ci/run runs them after it.
(
  env --default-signal=INT mvn -B verify -pl embedded >"$embedded_log" 2>&1
  echo $? >embedded/target/cx-pulse-test-embedded.status
  env --default-signal=INT mvn -B verify -pl local >"$local_log" 2>&1
  echo $? >local/target/cx-pulse-test-local.status
) &
others_pid=$!
# Stop the background Mavens if this script is interrupted.
trap 'pkill -P "$others_pid" 2>/dev/null; kill "$others_pid" 2>/dev/null' EXIT

mvn -B verify -pl '!embedded,!local,!cluster'
jobs_status=$?

wait "$others_pid"
trap - EXIT
status_of() { cat "$1" 2>/dev/null || echo 1; }
embedded=$(status_of embedded/target/cx-pulse-test-embedded.status)
local_status=$(status_of local/target/cx-pulse-test-local.status)
for module in embedded local; do
  echo "====== $module module (ran beside the jobs module; full log: $module/target/cx-pulse-test-$module.log) ======"
  cat "$module/target/cx-pulse-test-$module.log"
done
if [[ $embedded -ne 0 || $jobs_status -ne 0 || $local_status -ne 0 ]]; then
  echo "Test suite FAILED: exit codes embedded $embedded, jobs $jobs_status, local $local_status" >&2
  exit 1
fi
echo "Test suite passed."
