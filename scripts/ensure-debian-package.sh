#!/usr/bin/env bash
# Install a Debian package when the command it provides is missing, and say clearly what to do
# when we cannot. Usage: ensure-debian-package.sh <command> <package> <why it is needed>
#   make test: java (openjdk-17-jre-headless) for local Spark, chromium for the report test.
set -euo pipefail
command_name="$1" package="$2" reason="$3"
if command -v "$command_name" >/dev/null 2>&1; then
  exit 0
fi
echo "$command_name not found: installing $package ($reason)"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: $command_name is needed ($reason); install the Debian package $package as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null
command -v "$command_name"
