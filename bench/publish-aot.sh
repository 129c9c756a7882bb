#!/usr/bin/env bash
# Publishes one bench server with Native AOT, the one way bench/run.sh and bench/idle/run.sh both do it:
#
#   bash bench/publish-aot.sh PROJECT.csproj ARTIFACTS_PATH LOG
#
# The binary lands in ARTIFACTS_PATH/aot/publish/NAME/release_linux-x64/NAME, where bench/servers.txt's -AOT lines look.
# A failed publish removes what an earlier one left there, so an old binary never stands in for the current code.
# Needs an x86-64 machine and a C toolchain: clang, or the newest /usr/bin/clang-N.
# Exit status: 0 published; 1 the publish failed (its output is in LOG); 2 it cannot be done here (says why).
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: bash bench/publish-aot.sh PROJECT.csproj ARTIFACTS_PATH LOG" >&2; exit 2; }
project=$1 artifacts=$2 log=$3
name="$(basename "$project" .csproj)"
if [ "$(uname -m)" != x86_64 ]; then
  echo "  not an x86-64 machine: $name is not published with Native AOT"
  exit 2
fi
clang_bin="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$clang_bin" ]; then
  echo "  no clang: $name is not published with Native AOT (apt-get install clang to include it)"
  exit 2
fi
echo "publishing $name with Native AOT ($(basename "$clang_bin"))"
if ! dotnet publish "$project" -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$(basename "$clang_bin")" \
    --artifacts-path "$artifacts/aot" -nologo -v quiet > "$log" 2>&1; then
  echo "  the AOT publish of $name failed; it is skipped (see $log)"
  rm -rf "$artifacts/aot/publish/$name"
  exit 1
fi
