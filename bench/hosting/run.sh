#!/usr/bin/env bash
# samples/WorkerHealth (TinyHttp.Hosting) beside the same worker on Kestrel (WebApplication.CreateSlimBuilder,
# bench/hosting/KestrelWorkerHealth), each run with the JIT and published with NativeAOT: the time from starting the
# process to its first 200 from /healthz, its RSS then and after 200 more probes, and the time from SIGTERM to exit.
# Writes bench/hosting/RESULTS.md.
#
#   bash bench/hosting/run.sh                 5 rounds, the four programs interleaved in each: about a minute, plus builds
#   options:  --rounds N  --port P (default 18090)  --no-aot  --output FILE
#             --no-build   measure the programs the previous run published (artifacts/bench-hosting)
#
# Each program is started pinned to CPU 1 while curl polls /healthz from CPU 0 (a new connection every try, so the
# first answer is seen within a few milliseconds of the server's). RSS is VmRSS from /proc. Figures are medians over
# the rounds. Run it on a quiet machine: the figures are start-up times, and a busy core stretches them.
#
# Needs: the .NET 10 SDK, curl, taskset (util-linux); clang for the NativeAOT builds (without it they are skipped).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
original_command="bash bench/hosting/run.sh${*:+ $*}"
rounds=5
port=18090
aot=1
build=1
output="bench/hosting/RESULTS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --no-aot) aot=""; shift ;;
    --no-build) build=""; shift ;;
    --output) output="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in curl taskset; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 2; }
done
say() { echo "[hosting-bench $(date +%H:%M:%S)] $*"; }

artifacts="$root/artifacts/bench-hosting"
logs="$root/bench/hosting/results"
[ -z "$build" ] || rm -rf "$artifacts"
mkdir -p "$artifacts" "$logs"

# --- build ----------------------------------------------------------------------------------------------------
declare -A program   # name -> command line
publish() {   # name project [aot]
  local name="$1" project="$2" out="$artifacts/$1"
  local args=(-c Release -o "$out" --artifacts-path "$artifacts/build-$1" -nologo)
  if [ -n "${3:-}" ]; then
    args+=(-r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$(basename "$clang_bin")")
  fi
  local exe
  exe="$(basename "$project" .csproj)"
  if [ -n "$build" ]; then
    say "publishing $name"
    dotnet publish "$project" "${args[@]}" > "$logs/build-$name.log" 2>&1 || rm -rf "$out"
  fi
  if [ -n "${3:-}" ] && [ -x "$out/$exe" ]; then
    program[$name]="$out/$exe"
  elif [ -z "${3:-}" ] && [ -f "$out/$exe.dll" ]; then
    program[$name]="dotnet $out/$exe.dll"
  else
    say "  $name is not built; it is skipped (see $logs/build-$name.log)"
  fi
}
clang_bin="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)"
publish TinyHttp-JIT samples/WorkerHealth/WorkerHealth.csproj
publish Kestrel-JIT bench/hosting/KestrelWorkerHealth/KestrelWorkerHealth.csproj
if [ -n "$aot" ] && [ -n "$clang_bin" ] && [ "$(uname -m)" = x86_64 ]; then
  publish TinyHttp-AOT samples/WorkerHealth/WorkerHealth.csproj aot
  publish Kestrel-AOT bench/hosting/KestrelWorkerHealth/KestrelWorkerHealth.csproj aot
elif [ -n "$aot" ]; then
  say "no clang (or not x86_64): the NativeAOT programs are skipped"
fi
names=()
for name in TinyHttp-JIT Kestrel-JIT TinyHttp-AOT Kestrel-AOT; do
  [ -n "${program[$name]:-}" ] && names+=("$name")
done
[ "${#names[@]}" -gt 0 ] || { say "nothing built"; exit 1; }

# --- measure --------------------------------------------------------------------------------------------------
now_ns() { date +%s%N; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
declare -A starts rss_first rss_warm stops
measure() {   # name round
  local name="$1" url="http://127.0.0.1:$port"
  if curl -s -o /dev/null --max-time 1 "$url/healthz"; then
    say "something already answers on port $port; use --port"; exit 1
  fi
  local t0 pid t1 t2 t3
  t0=$(now_ns)
  # Both programs read their address from the environment, which comes after appsettings.json: TinyHttp's section
  # and ASP.NET Core's Urls (unprefixed: ASPNETCORE_URLS is host configuration, which appsettings.json overrides).
  TinyHttp__Endpoints="$url" Urls="$url" Logging__LogLevel__Default=Warning \
    taskset -c 1 ${program[$name]} > "$logs/run-$name-$2.log" 2>&1 &
  pid=$!
  local tries=0
  until [ "$(taskset -c 0 curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/healthz")" = 200 ]; do
    tries=$((tries + 1))
    if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -gt 5000 ]; then
      say "$name did not answer /healthz (see $logs/run-$name-$2.log)"; kill "$pid" 2>/dev/null || true; exit 1
    fi
  done
  t1=$(now_ns)
  local first
  first=$(rss_kib "$pid")
  for _ in $(seq 1 200); do taskset -c 0 curl -s -o /dev/null "$url/healthz"; done
  local warm
  warm=$(rss_kib "$pid")
  t2=$(now_ns)
  kill -TERM "$pid"
  wait "$pid" || true
  t3=$(now_ns)
  starts[$name]+="$(( (t1 - t0) / 1000000 )) "
  rss_first[$name]+="$first "
  rss_warm[$name]+="$warm "
  stops[$name]+="$(( (t3 - t2) / 1000000 )) "
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for name in "${names[@]}"; do
    measure "$name" "$round"
  done
  say "round $round of $rounds done"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ---------------------------------------------------------------------------------------------------
{
  echo "# samples/WorkerHealth: start time and memory, TinyHttp.Hosting beside Kestrel"
  echo
  echo "\`$original_command\`, $(date -u '+%Y-%m-%d %H:%M UTC'), .NET $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'),"
  echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average $load_before before and $load_after after."
  echo "Medians of $rounds rounds; each program started pinned to CPU 1, probed with curl from CPU 0."
  if awk -v l="${load_before%% *}" 'BEGIN { exit !(l > 1.5) }'; then
    echo
    echo "**The machine was busy** (1-minute load ${load_before%% *} at the start): the times are stretched and noisy; run again on a quiet machine."
  fi
  echo
  echo "| program | start → first 200 from /healthz | RSS then | RSS after 200 more probes | SIGTERM → exit |"
  echo "|---|---:|---:|---:|---:|"
  for name in "${names[@]}"; do
    echo "| $name | $(median <<<"${starts[$name]}") ms | $(mib "$(median <<<"${rss_first[$name]}")") MiB | $(mib "$(median <<<"${rss_warm[$name]}")") MiB | $(median <<<"${stops[$name]}") ms |"
  done
  echo
  echo "TinyHttp-* is samples/WorkerHealth (Host.CreateApplicationBuilder, TinyHttp.Hosting); Kestrel-* is"
  echo "bench/hosting/KestrelWorkerHealth (WebApplication.CreateSlimBuilder, MapHealthChecks), the same worker and checks."
  echo "JIT: \`dotnet publish -c Release\`, run with \`dotnet X.dll\`; AOT: \`-r linux-x64 -p:PublishAot=true\`."
  echo "Per-round figures (ms, KiB): $(for name in "${names[@]}"; do printf '%s start %s rss %s; ' "$name" "${starts[$name]}" "${rss_first[$name]}"; done)"
} > "$output"
say "wrote $output"
cat "$output"
