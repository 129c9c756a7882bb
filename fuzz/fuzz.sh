#!/usr/bin/env bash
# Builds the harness, instruments TinyHttp.dll's Protocol namespace with SharpFuzz, and runs afl-fuzz on one
# target for a bounded time. See fuzz/README.md.
#
#   bash fuzz/fuzz.sh <request-head|chunked-body> [minutes, default 10] [extra afl-fuzz options...]
#
# Environment: TINYHTTP_PROJECT=path/to/TinyHttp.csproj fuzzes another TinyHttp (default: src/TinyHttp);
#              FUZZ_NICE=N runs the fuzzer under nice -n N (default 19, so it yields to everything else).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: bash fuzz/fuzz.sh <request-head|chunked-body> [minutes] [afl-fuzz options...]}
minutes=${2:-10}
shift $(( $# >= 2 ? 2 : 1 ))
case "$target" in request-head|chunked-body) ;; *) echo "unknown target '$target'" >&2; exit 2 ;; esac
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }

build=".build/$target"
rm -rf "$build"
project_arg=()
[ -n "${TINYHTTP_PROJECT:-}" ] && project_arg=("-p:TinyHttpProject=$TINYHTTP_PROJECT")
# --artifacts-path keeps intermediates under fuzz/, away from src/*/obj that the solution build uses.
dotnet publish TinyHttp.Fuzz.csproj -c Release --artifacts-path .artifacts -o "$build" "${project_arg[@]}" -v quiet -nologo
# Only the pure protocol code is instrumented: coverage of anything else would be noise to the fuzzer.
sharpfuzz "$build/TinyHttp.dll" TinyHttp.Protocol

findings="findings/$target"
rm -rf "$findings"
mkdir -p "$findings"
# AFL_SKIP_BIN_CHECK: the target is `dotnet`, not an AFL-compiled binary; SharpFuzz speaks the fork-server protocol itself.
# AFL_NO_UI: plain status lines instead of the curses screen, so the run can be logged.
# -t 5000: generous per-input timeout (first runs include JIT); a real hang shows as findings/<target>/default/hangs.
# -m none: the .NET runtime reserves far more virtual memory than AFL's default limit.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
nice -n "${FUZZ_NICE:-19}" afl-fuzz -i "corpus/$target" -o "$findings" -x http.dict -t 5000 -m none -V $((minutes * 60)) "$@" \
  -- dotnet "$build/TinyHttp.Fuzz.dll" "$target" || true

stats="$findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
fi
shopt -s nullglob
found=("$findings"/default/crashes/id:* "$findings"/default/hangs/id:*)
if [ "${#found[@]}" -gt 0 ]; then
  echo "${#found[@]} finding(s); replay them with:"
  echo "  dotnet fuzz/$build/TinyHttp.Fuzz.dll $target --repro fuzz/$findings/default/crashes fuzz/$findings/default/hangs"
  exit 1
fi
echo "no crashes or hangs"
