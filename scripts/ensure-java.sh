#!/usr/bin/env bash
# Local Spark (the engine AWS Glue runs) needs a Java runtime. Install Debian's OpenJDK 17 when
# `java` is missing; say clearly what to do when we cannot.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
echo "java not found: installing openjdk-17-jre-headless for local Spark"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: Java 17 is needed for the Spark tests; install openjdk-17-jre-headless as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
java -version
