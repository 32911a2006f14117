#!/usr/bin/env bash
# Installs what CX Pulse needs and a fresh machine may lack: a JDK 17+, Maven, npm (to fetch
# the ClickHouse engine), curl, Chromium and chromedriver (tests drive a real browser); then
# fetches libchdb.so into the cache. Safe to run again: everything already present is left alone.
set -euo pipefail

need_packages=()

java_major() {
  javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/'
}
if ! command -v javac >/dev/null || [ "$(java_major)" -lt 17 ]; then
  need_packages+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null || need_packages+=(maven)
command -v npm >/dev/null || need_packages+=(npm)
command -v curl >/dev/null || need_packages+=(curl)
# At these paths, not just on the PATH: the browser tests start exactly these two binaries.
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || need_packages+=(chromium-driver)

if [ "${#need_packages[@]}" -gt 0 ]; then
  echo "setup: installing ${need_packages[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_packages[@]}"
fi

"$(dirname "$0")/fetch-libchdb.sh"
