#!/usr/bin/env bash
# The soak run of issue 7: mixed load against a TinyHttp server process for a bounded time, every response verified,
# the server's RSS, heap and open files sampled; writes bench/soak/REPORT.md. See bench/soak/README.md.
#
#   bash bench/soak/run.sh [minutes, default 10] [--server tinyhttp|kestrel] [--aot] [--warm-up-pass-seconds S]
#                          [--sample-seconds S] [--rest-seconds S] [--rest-without-collections] [--report FILE]
#
# --server kestrel runs the same load against Kestrel for comparison and writes bench/soak/REPORT-kestrel.md.
# --aot runs the server published with NativeAOT (no JIT, no assemblies loaded as the load reaches new code: what is
# left at rest is the server's and the GC's) and writes REPORT-aot.md (REPORT-kestrel-aot.md with --server kestrel).
#
# Environment: SOAK_NICE=N runs server and load under nice -n N (e.g. 10 while benchmarks run on the same machine);
# SOAK_SERVER_ENV="NAME=VALUE ..." sets variables for the server process only (e.g. DOTNET_GCgen0size=0x400000).
# Exit status: 0 when the report says PASS, 1 when it says FAIL, 2 when the run could not be made.
set -euo pipefail
caller_dir=$(pwd)
cd "$(dirname "$0")"
minutes=10
if [[ $# -gt 0 && $1 != --* ]]; then
  minutes=$1
  shift
fi
sample_seconds=5
rest_seconds=120
warm_up_pass_seconds=20
rest_args=()
server=tinyhttp
aot=0
report=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) server=$2; shift 2 ;;
    --aot) aot=1; shift ;;
    --warm-up-pass-seconds) warm_up_pass_seconds=$2; shift 2 ;;
    --sample-seconds) sample_seconds=$2; shift 2 ;;
    --rest-seconds) rest_seconds=$2; shift 2 ;;
    --rest-without-collections) rest_args+=(--rest-without-collections); shift ;;
    --report) report=$(cd "$caller_dir" && realpath -m "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$server" in
  tinyhttp) suffix= ;;
  kestrel) suffix=-kestrel ;;
  *) echo "unknown server $server (tinyhttp or kestrel)" >&2; exit 2 ;;
esac
[[ $aot == 1 ]] && suffix=$suffix-aot
report=${report:-"$(pwd)/REPORT$suffix.md"}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
nice_cmd=(nice -n "${SOAK_NICE:-0}")

# --artifacts-path keeps this build away from src/*/bin and obj, so it can run while the solution is being built.
dotnet build Soak/Soak.csproj -c Release --artifacts-path .artifacts -v quiet -nologo >/dev/null
soak=.artifacts/bin/Soak/release/Soak.dll
server_cmd=(dotnet "$soak")
if [[ $aot == 1 ]]; then
  clang_bin="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)"
  [[ -n $clang_bin ]] || { echo "--aot needs clang (apt-get install clang)" >&2; exit 2; }
  dotnet publish Soak/Soak.csproj -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$(basename "$clang_bin")" \
    --artifacts-path .artifacts/aot -v quiet -nologo >/dev/null
  server_cmd=(.artifacts/aot/publish/Soak/release_linux-x64/Soak)
fi
mkdir -p results
port_file=results/port
rm -f "$port_file"

read -r -a server_env <<< "${SOAK_SERVER_ENV:-}"
env "${server_env[@]}" "${nice_cmd[@]}" "${server_cmd[@]}" server --kind "$server" --port-file "$port_file" > "results/server$suffix.log" 2>&1 &
server_pid=$!
stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
}
trap stop_server EXIT
for _ in $(seq 1 100); do
  [[ -s $port_file ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the soak server exited; see bench/soak/results/server$suffix.log" >&2; exit 2; }
  sleep 0.1
done
[[ -s $port_file ]] || { echo "the soak server did not start" >&2; exit 2; }

echo "soak: a ${warm_up_pass_seconds} s warm-up pass and a rest, then ${minutes} min against $server (pid $server_pid) on port $(cat "$port_file"); samples every ${sample_seconds} s, then at rest for at least ${rest_seconds} s"
status=0
"${nice_cmd[@]}" dotnet "$soak" load --pid "$server_pid" --port "$(cat "$port_file")" --server "$server" --minutes "$minutes" \
  --warm-up-pass-seconds "$warm_up_pass_seconds" --sample-seconds "$sample_seconds" --rest-seconds "$rest_seconds" "${rest_args[@]}" --report "$report" --results results | tee "results/load$suffix.log" || status=$?
exit "$status"
