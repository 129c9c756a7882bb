#!/usr/bin/env bash
# Builds the benchmark servers in Release and runs the whole comparison, writing bench/RESULTS.md.
#
#   bash bench/run.sh                      the full run: 3 rounds x 5 s per scenario, ~14 minutes on 2 cores
#   bash bench/run.sh --quick              a smoke run (1 round x 2 s, 20 test-double cycles, BenchmarkDotNet dry
#                                          job, no AOT publish) written to bench/results/RESULTS-quick.md, ~3 minutes
#   options (any mix):  --duration S  --reps N  --warmup S
#                       --scenarios keepalive,latency,pipelined,close,echo,stream,https-keepalive,https-close
#                       --servers TinyHttp,Kestrel,...  --baseline NAME  --double-cycles N  --micro-job short|medium|default|dry
#                       --no-load  --no-double  --no-micro  --no-aot  --no-install  --output FILE
#
# The HTTPS scenarios use one self-signed certificate made for the run (bench/Harness/BenchTls.cs).
# Needs: the .NET 10 SDK, wrk, taskset (util-linux); nginx is optional. When run as root it installs wrk and
# nginx-light with apt-get if they are missing (--no-install to never do so); otherwise it says what is missing.
# See bench/README.md for what each figure means.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
original_command="bash bench/run.sh${*:+ $*}"
started_at="$(date +%s)"

quick=0
install=1
harness_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-install) install=0 ;;
    --no-aot) skip_aot=1 ;;
    --no-load|--no-double|--no-micro) harness_args+=("$1") ;;
    --duration|--reps|--warmup|--scenarios|--servers|--baseline|--double-cycles|--micro-job|--output)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      harness_args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see bench/README.md)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  skip_aot=1
  # The options given come after these defaults and the harness takes the last value, so they win.
  harness_args=(--duration 2 --reps 1 --warmup 1 --double-cycles 20 --micro-job dry --output bench/results/RESULTS-quick.md "${harness_args[@]}")
fi

say() { echo "[run.sh] $*"; }

# --- tools -------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || say "could not install ${missing[*]}; going on without"
  else
    say "not installed: ${missing[*]} (apt-get install ${missing[*]}); the harness skips what needs them"
  fi
fi
command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is required"; exit 1; }
command -v taskset >/dev/null 2>&1 || { say "taskset (util-linux) is required"; exit 1; }

# --- CPUs --------------------------------------------------------------------------------------
cpus="$(nproc --all)"
if [ "$cpus" -ge 2 ]; then
  server_cpu=0; client_cpu=1
else
  server_cpu=0; client_cpu=0
  say "only one CPU: servers and wrk share it, so the figures mostly measure the scheduler"
fi

# --- build -------------------------------------------------------------------------------------
# --artifacts-path keeps every output, src/TinyHttp's included, under bench/.artifacts, so this never
# races with a build of the solution in src/*/obj.
artifacts="bench/.artifacts"
mkdir -p bench/results
projects=(
  bench/Harness/Harness.csproj
  bench/Servers/TinyHttpBenchServer/TinyHttpBenchServer.csproj
  bench/Servers/KestrelBenchServer/KestrelBenchServer.csproj
  bench/Servers/HttpListenerBenchServer/HttpListenerBenchServer.csproj
  bench/Servers/RawSocketBenchServer/RawSocketBenchServer.csproj
  bench/TestDoubleCost/TestDoubleCost.csproj
  bench/TinyHttp.Benchmarks/TinyHttp.Benchmarks.csproj
)
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  say "building $name (Release)"
  if ! dotnet build "$project" -c Release --artifacts-path "$artifacts" -nologo -v quiet > "bench/results/build-$name.log" 2>&1; then
    say "  $name did not build; it is skipped (see bench/results/build-$name.log)"
    rm -rf "$artifacts/bin/$name"
  fi
done
[ -x "$artifacts/bin/Harness/release/Harness" ] || { say "the harness did not build"; exit 1; }

# The -AOT servers: TinyHttp, Kestrel and the RawSocket floor published with Native AOT (bench/publish-aot.sh), so
# each JIT figure has an AOT twin in the same run. Without clang their lines in servers.txt are skipped.
aot_servers=(TinyHttpBenchServer KestrelBenchServer RawSocketBenchServer)
rm -rf "$artifacts/aot/publish"
if [ -z "${skip_aot:-}" ]; then
  for name in "${aot_servers[@]}"; do
    status=0
    bash bench/publish-aot.sh "bench/Servers/$name/$name.csproj" "$artifacts" "bench/results/build-$name-aot.log" \
      | sed 's/^/[run.sh] /' || status=$?
    [ "$status" != 2 ] || break  # no clang, or not x86-64: the same for the other servers
  done
fi

# --- run ---------------------------------------------------------------------------------------
load1="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load1" 'BEGIN { exit !(l > 1.5) }'; then
  say "the machine is busy (1-minute load $load1): the figures will be noisy; RESULTS.md records what was running"
fi
say "running the harness (servers on CPU $server_cpu, wrk and the harness on CPU $client_cpu); uptime: $(uptime)"
taskset -c "$client_cpu" "$artifacts/bin/Harness/release/Harness" \
  --root "$root" --server-cpu "$server_cpu" --client-cpu "$client_cpu" \
  --command "$original_command" --started-at "$started_at" "${harness_args[@]}"
say "done; uptime: $(uptime)"
