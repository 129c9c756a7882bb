#!/usr/bin/env bash
# Static files: TinyHttp's StaticFiles beside nginx, serving the same 1 MiB and 100 MiB files from the same directory
# in one run; writes bench/static/RESULTS.md.
#
#   bash bench/static/run.sh                  3 rounds x 10 s per server and file, 8 connections: about 3 minutes
#   bash bench/static/run.sh --quick          1 round x 2 s, written to bench/static/results/RESULTS-quick.md (a smoke run)
#   options (any mix):  --duration S  --reps N  --connections N  --no-install  --output FILE
#
# Each round starts each server in turn (TinyHttp, nginx) pinned to CPU 0, checks that both files come back byte for
# byte (sha256 through curl), then loads each file with wrk (pinned to CPU 1, keep-alive, -c N) and reads the server's
# CPU time (utime + stime of the process and its children, so nginx's worker counts) before and after. The figures are
# medians over the rounds: requests/s, MiB/s of body, and server CPU per request. On plain TCP both servers send the
# files with sendfile(2), so the comparison is mostly of what surrounds it: the request, the head, the syscalls.
#
# Needs: the .NET 10 SDK, wrk, nginx, curl, taskset, sha256sum. When run as root it installs wrk and nginx-light with
# apt-get if they are missing (--no-install to never do so). Work files go to bench/static/results/ (not committed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
original_command="bash bench/static/run.sh${*:+ $*}"

duration=10
reps=3
connections=8
install=1
output=bench/static/RESULTS.md
while [ $# -gt 0 ]; do
  case "$1" in
    --duration|--reps|--connections|--output)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --duration) duration="$2" ;;
        --reps) reps="$2" ;;
        --connections) connections="$2" ;;
        --output) output="$2" ;;
      esac
      shift ;;
    --quick) duration=2; reps=1; output=bench/static/results/RESULTS-quick.md ;;
    --no-install) install=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see the top of bench/static/run.sh)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "[static] $*"; }
work="bench/static/results"
mkdir -p "$work/files" "$(dirname "$output")"

# --- tools -------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ] && [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in wrk curl taskset sha256sum dotnet python3 "$nginx_bin"; do
  command -v "$tool" >/dev/null 2>&1 || { say "$tool is required (apt-get install wrk nginx-light curl util-linux coreutils python3)"; exit 1; }
done
cpus="$(nproc --all)"
if [ "$cpus" -ge 2 ]; then server_cpu=0; client_cpu=1; else server_cpu=0; client_cpu=0; fi
clk_tck="$(getconf CLK_TCK)"

# --- build and files ---------------------------------------------------------------------------
say "building StaticFileServer (Release)"
dotnet build bench/static/StaticFileServer/StaticFileServer.csproj -c Release --artifacts-path bench/.artifacts -nologo -v quiet \
  > "$work/build.log" 2>&1 || { say "the build failed; see $work/build.log"; exit 1; }
tinyhttp_bin="bench/.artifacts/bin/StaticFileServer/release/StaticFileServer"

files_dir="$(cd "$work/files" && pwd)"
declare -A sizes=([1mib.bin]=1048576 [100mib.bin]=104857600)
for name in 1mib.bin 100mib.bin; do
  if [ "$(stat -c %s "$files_dir/$name" 2>/dev/null || echo 0)" != "${sizes[$name]}" ]; then
    say "making $name"
    head -c "${sizes[$name]}" /dev/urandom > "$files_dir/$name"
  fi
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# utime + stime of a process and its children, in clock ticks.
cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
  done
  echo "$total"
}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

start_server() { # name port
  case "$1" in
    TinyHttp)
      taskset -c "$server_cpu" "$tinyhttp_bin" "$files_dir" "$2" > "$work/TinyHttp.log" 2>&1 &
      server_pid=$! ;;
    nginx)
      local prefix
      prefix="$(mktemp -d "$work/nginx.XXXXXX")"
      prefix="$(cd "$prefix" && pwd)"
      mkdir -p "$prefix/body" "$prefix/proxy" "$prefix/fastcgi" "$prefix/uwsgi" "$prefix/scgi"
      sed -e "s|@PORT@|$2|g" -e "s|@PREFIX@|$prefix|g" -e "s|@ROOT@|$files_dir|g" bench/static/nginx.conf.template > "$prefix/nginx.conf"
      taskset -c "$server_cpu" "$nginx_bin" -p "$prefix" -c "$prefix/nginx.conf" > "$work/nginx.log" 2>&1 &
      server_pid=$! ;;
  esac
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$2/1mib.bin" && return 0
    sleep 0.1   # waiting for a child process to listen, not synchronising the measurement
  done
  say "$1 did not answer on port $2; see $work/$1.log"
  exit 1
}

verify() { # name port
  local name
  for name in 1mib.bin 100mib.bin; do
    local want got
    want="$(sha256sum < "$files_dir/$name" | cut -d' ' -f1)"
    got="$(curl -s "http://127.0.0.1:$2/$name" | sha256sum | cut -d' ' -f1)"
    [ "$want" = "$got" ] || { say "$1 served $name wrongly (sha256 $got, expected $want)"; exit 1; }
  done
}

results="$work/raw.tsv"
: > "$results"
for round in $(seq "$reps"); do
  for server in TinyHttp nginx; do
    port="$(free_port)"
    start_server "$server" "$port"
    verify "$server" "$port"
    for name in 1mib.bin 100mib.bin; do
      before="$(cpu_ticks "$server_pid")"
      out="$(taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/$name")"
      after="$(cpu_ticks "$server_pid")"
      requests="$(echo "$out" | awk '/requests in/ { print $1 }')"
      rps="$(echo "$out" | awk '/Requests\/sec/ { print $2 }')"
      errors="$(echo "$out" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' ')"
      [ -z "$errors" ] || say "  $server $name: $errors"
      printf '%s\t%s\t%s\t%s\t%s\n' "$server" "$name" "$rps" "$requests" "$(( after - before ))" >> "$results"
      say "round $round: $server $name: $rps requests/s"
    done
    stop_server
  done
done

# --- report ------------------------------------------------------------------------------------
python3 - "$results" "$output" "$original_command" "$duration" "$reps" "$connections" "$clk_tck" "$(git rev-parse --short HEAD)" \
  "$("$nginx_bin" -v 2>&1 | sed 's/.*: //')" "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)" "$(nproc --all)" <<'PY'
import statistics, sys
raw, output, command, duration, reps, connections, clk_tck, commit, nginx, wrk, cpus = sys.argv[1:]
clk_tck = int(clk_tck)
sizes = {"1mib.bin": 1 << 20, "100mib.bin": 100 << 20}
rows = {}
for line in open(raw):
    server, name, rps, requests, ticks = line.rstrip("\n").split("\t")
    rows.setdefault((server, name), []).append((float(rps), int(requests), int(ticks)))
def figures(server, name):
    runs = rows.get((server, name), [])
    if not runs:
        return None
    rps = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[2] * 1000 / clk_tck / max(r[1], 1) for r in runs)
    return rps, rps * sizes[name] / (1 << 20), cpu
lines = [
    "# Static files: TinyHttp and nginx",
    "",
    f"From `{command}` at commit `{commit}`: {reps} round(s) of {duration} s per server and file, wrk ({wrk}) with "
    f"{connections} keep-alive connections, servers on CPU 0 and wrk on CPU 1 of {cpus}; nginx {nginx} with sendfile on, "
    "one worker. Both servers serve the same directory of random bytes; each file was checked by sha256 through curl "
    "before it was measured. Medians over the rounds. CPU is the server's user + system time per request.",
    "",
    "| File | Server | Requests/s | MiB/s | Server CPU per request (ms) |",
    "|---|---|---:|---:|---:|",
]
for name in sizes:
    for server in ("TinyHttp", "nginx"):
        f = figures(server, name)
        if f:
            lines.append(f"| {name} | {server} | {f[0]:,.1f} | {f[1]:,.0f} | {f[2]:.3f} |")
ratios = []
for name in sizes:
    t, n = figures("TinyHttp", name), figures("nginx", name)
    if t and n and n[0] > 0:
        ratios.append(f"{name}: TinyHttp {t[0] / n[0]:.2f}x nginx's requests/s, {t[2] / n[2] if n[2] else float('nan'):.2f}x its CPU per request")
lines += ["", "; ".join(ratios) + "." if ratios else "", ""]
open(output, "w").write("\n".join(lines))
print("\n".join(lines))
PY
say "wrote $output"
