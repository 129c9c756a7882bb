#!/usr/bin/env bash
# WebSocket echo round trips: TinyHttp beside Kestrel's WebSocket middleware in one run; writes bench/websocket/RESULTS.md.
#
#   bash bench/websocket/run.sh          3 rounds x (1 and 100 connections) x (32 B text, 16 KiB binary) x 5 s per server:
#                                        about 4 minutes on 2 cores, plus the build and any wait for other benchmarks
#   options (any mix):  --duration S (5)  --reps R (3)  --warmup S (2)  --connections 1,100
#                       --messages 32:text,16384:binary  --output FILE  --no-wait  --wait-minutes M (20)
#
# First it waits (polling every 30 s, at most --wait-minutes) until no other benchmark or test run is on the machine
# (`pgrep -f` with the pattern below); on a 2-core machine they would share the cores this measures. Then it builds the
# two servers and the client in Release with --artifacts-path bench/.artifacts, starts both servers pinned to CPU 0 and
# leaves them running, and for each round, for each load, runs the client (WsLoad, pinned to CPU 1) against each server
# in turn. See bench/websocket/README.md for what each figure means. Logs go to bench/websocket/results/ (not committed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
original_command="bash bench/websocket/run.sh${*:+ $*}"
started_at="$(date +%s)"

duration=5
reps=3
warmup=2
connection_counts="1,100"
messages="32:text,16384:binary"
output="bench/websocket/RESULTS.md"
wait_for_others=1
wait_minutes=20
waited=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration|--reps|--warmup|--connections|--messages|--output|--wait-minutes)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --duration) duration="$2" ;;
        --reps) reps="$2" ;;
        --warmup) warmup="$2" ;;
        --connections) connection_counts="$2" ;;
        --messages) messages="$2" ;;
        --output) output="$2" ;;
        --wait-minutes) wait_minutes="$2" ;;
      esac
      shift ;;
    --no-wait) wait_for_others=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see bench/websocket/README.md)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive number" >&2; exit 2; }
[[ "$wait_minutes" =~ ^[0-9]+$ ]] || { echo "run.sh: --wait-minutes needs whole minutes" >&2; exit 2; }
IFS=, read -ra connection_list <<< "$connection_counts"
IFS=, read -ra message_list <<< "$messages"
for message in "${message_list[@]}"; do
  [[ "$message" =~ ^[1-9][0-9]*:(text|binary)$ ]] || { echo "run.sh: --messages takes SIZE:text or SIZE:binary, got $message" >&2; exit 2; }
done

say() { echo "[websocket] $*"; }
results="bench/websocket/results"
mkdir -p "$results"
command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is required"; exit 1; }
command -v taskset >/dev/null 2>&1 || { say "taskset (util-linux) is required"; exit 1; }

cpus="$(nproc --all)"
if [ "$cpus" -ge 2 ]; then
  server_cpu=0; client_cpu=1
else
  server_cpu=0; client_cpu=0
  say "only one CPU: the servers and the client share it, so the figures mostly measure the scheduler"
fi

# --- wait for the machine ----------------------------------------------------------------------
# The other benchmarks (bench/run.sh, bench/idle, bench/soak, the HTTPS runs) and test runs of this repository. This
# script's own processes match none of it ("bench/websocket/run.sh" does not contain "bench/run.sh").
others_pattern='Soak|bench/run.sh|bench/idle/run.sh|dotnet test|https'
others_running() { pgrep -f "$others_pattern" >/dev/null; }
others_list() { pgrep -af "$others_pattern" | cut -c1-100 | sed 's/|/\\|/g' | paste -sd ';' | sed 's/;/; /g'; }
if [ "$wait_for_others" = 0 ]; then
  wait_note="not waited for (--no-wait)"
  others_running && wait_note="$wait_note; running at the start: $(others_list)"
elif ! others_running; then
  wait_note="none running at the start (\`pgrep -f '$others_pattern'\`)"
else
  say "other benchmarks or test runs are on the machine; waiting up to $wait_minutes min for them to finish:"
  pgrep -af "$others_pattern" | cut -c1-160 | sed 's/^/    /'
  while others_running && [ "$waited" -lt $((wait_minutes * 60)) ]; do
    sleep 30
    waited=$((waited + 30))
  done
  if others_running; then
    wait_note="**still running after waiting $wait_minutes min, so this run shared the machine with them**: $(others_list)"
    say "still busy after $wait_minutes min; running anyway (RESULTS.md says so)"
  else
    wait_note="waited $waited s for other benchmarks or test runs to finish (\`pgrep -f '$others_pattern'\`); none running at the start"
    say "the machine is free after $waited s"
  fi
fi

# --- build -------------------------------------------------------------------------------------
# --artifacts-path keeps every output, src/TinyHttp's included, under bench/.artifacts, as bench/run.sh does, so this
# never races with a build of the solution in src/*/obj.
artifacts="bench/.artifacts"
for name in TinyHttpWsServer KestrelWsServer WsLoad; do
  say "building $name (Release)"
  if ! dotnet build "bench/websocket/$name/$name.csproj" -c Release --artifacts-path "$artifacts" -nologo -v quiet \
       > "$results/build-$name.log" 2>&1; then
    say "$name did not build (see $results/build-$name.log)"
    exit 1
  fi
done
client="$artifacts/bin/WsLoad/release/WsLoad"

# --- servers -----------------------------------------------------------------------------------
names=(TinyHttp Kestrel)
declare -A binary=([TinyHttp]="$artifacts/bin/TinyHttpWsServer/release/TinyHttpWsServer"
                   [Kestrel]="$artifacts/bin/KestrelWsServer/release/KestrelWsServer")
declare -A pid port

stop_servers() {
  local name
  for name in "${names[@]}"; do
    [ -n "${pid[$name]:-}" ] || continue
    kill -TERM "${pid[$name]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "${pid[$name]}" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "${pid[$name]}" 2>/dev/null; then
      say "$name (pid ${pid[$name]}) did not stop within 10 s of SIGTERM; killing it"
      kill -KILL "${pid[$name]}" 2>/dev/null || true
    fi
    wait "${pid[$name]}" 2>/dev/null || true
    pid[$name]=""
  done
}
trap stop_servers EXIT

for name in "${names[@]}"; do
  port[$name]="$(taskset -c "$client_cpu" "$client" free-port)"
  # taskset execs the server, so $! is the server process itself, whose /proc/PID/stat the client reads.
  taskset -c "$server_cpu" "${binary[$name]}" "${port[$name]}" > "$results/server-$name.log" 2>&1 &
  pid[$name]=$!
  taskset -c "$client_cpu" "$client" wait --port "${port[$name]}" \
    || { say "$name did not start (see $results/server-$name.log)"; exit 1; }
  say "$name: pid ${pid[$name]}, ws://127.0.0.1:${port[$name]}/ws, CPU $server_cpu"
done
server_pids="$(IFS=,; echo "${pid[*]}")"

# --- run ---------------------------------------------------------------------------------------
load_before="$(cut -d' ' -f1 /proc/loadavg)"
neighbours_before="$(taskset -c "$client_cpu" "$client" neighbours --exclude "$server_pids")"
say "load average $load_before; other processes using the CPU: $neighbours_before"

run_client() {   # name connections size type duration warmup
  taskset -c "$client_cpu" "$client" run --name "$1" --pid "${pid[$1]}" --port "${port[$1]}" \
    --connections "$2" --size "$3" --type "$4" --duration "$5" --warmup "$6"
}

: > "$results/warmup.txt"
: > "$results/client.log"
say "warm-up: $warmup s per server and load, not recorded"
for connections in "${connection_list[@]}"; do
  for message in "${message_list[@]}"; do
    for name in "${names[@]}"; do
      run_client "$name" "$connections" "${message%%:*}" "${message##*:}" "$warmup" 0 >> "$results/warmup.txt" 2>> "$results/client.log" \
        || say "  the warm-up of $name ($connections connections, $message) failed (see $results/client.log)"
    done
  done
done

runs="$results/runs.txt"
: > "$runs"
for rep in $(seq 1 "$reps"); do
  for connections in "${connection_list[@]}"; do
    for message in "${message_list[@]}"; do
      for name in "${names[@]}"; do
        neighbours=0
        others_running && neighbours=1
        if line="$(run_client "$name" "$connections" "${message%%:*}" "${message##*:}" "$duration" 1 2>> "$results/client.log")"; then
          echo "round=$rep neighbours=$neighbours $line" >> "$runs"
          say "round $rep: $line"
        else
          say "round $rep of $name ($connections connections, $message) failed (see $results/client.log); it is left out"
        fi
      done
    done
  done
done

load_after="$(cut -d' ' -f1 /proc/loadavg)"
neighbours_after="$(taskset -c "$client_cpu" "$client" neighbours --exclude "$server_pids")"
stop_servers
[ -s "$runs" ] || { say "no run succeeded"; exit 1; }
src_changes="$(git status --porcelain -- src | wc -l)"
source_state="the working tree: commit $(git rev-parse --short HEAD) with $src_changes uncommitted change(s) under src/ (\`git status --porcelain src\`)"
taskset -c "$client_cpu" "$client" report --runs "$runs" --output "$output" --baseline Kestrel \
  --command "$original_command" --seconds "$(( $(date +%s) - started_at ))" --cpus "$cpus" --sdk "$(dotnet --version)" \
  --source-state "$source_state" --server-cpu "$server_cpu" --client-cpu "$client_cpu" --duration "$duration" --warmup "$warmup" \
  --waited "$waited" --wait-note "$wait_note" --load-before "$load_before" --load-after "$load_after" \
  --neighbours-before "$neighbours_before" --neighbours-after "$neighbours_after"
say "wrote $output in $(( $(date +%s) - started_at )) s"
cat "$output"
