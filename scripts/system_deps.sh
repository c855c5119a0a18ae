#!/usr/bin/env bash
# Installs the system packages Strom needs, from Debian, only when they are missing.
#   scripts/system_deps.sh run   what `make run` needs: ffmpeg (the demo's transcoding), Node.js (the web client)
#   scripts/system_deps.sh       everything the tests and benchmarks need as well
set -euo pipefail

need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${1:-test}" != "run" ]; then
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  # The browser tests drive Debian's Chromium.
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${need[*]} (install them with apt-get, as root)" >&2
  exit 1
fi
echo "installing ${need[*]} from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
