#!/usr/bin/env bash
# Memory per idle keep-alive connection: TinyHttp beside Kestrel and nginx in one run; writes bench/idle/RESULTS.md.
#
#   bash bench/idle/run.sh                      8000 connections per server, 2 rounds: about 1½ minutes on 2 cores, plus builds
#   bash bench/idle/run.sh --https              the same over TLS: 3000 connections, each a full handshake; bench/https/idle.md
#   bash bench/idle/run.sh --slow-handshakes    1000 stalled TLS handshakes per server while a client keeps making HTTPS
#                                               requests; handshake timeout 3 s; bench/https/slow-handshakes.md
#   options (any mix):  --connections N  --reps R  --servers TinyHttp,Kestrel,nginx  --no-install  --output FILE
#                       (also TinyHttp-AOT, Kestrel-AOT: published with NativeAOT, which needs clang)
#                       --stalled N  --handshake-timeout S   (with --slow-handshakes)
#                       --tinyhttp-rev REV   build TinyHttp from a commit (git archive) instead of the working tree's src/
#
# For each round, each server in turn (A B C A B C): start it pinned to CPU 0, warm it with one GET /hello, read its
# RSS at rest; open N keep-alive connections that each serve one GET /hello, read its RSS once it has settled; send a
# second GET /hello on every connection and count the ones not answered with a complete 200; reset all, stop it.
# The figure is (RSS after - RSS before) / N, the median over the rounds. See bench/README.md for what it means.
# With --https or --slow-handshakes the servers get an HTTPS port and one certificate made for the run (BENCH_HTTPS_PORT,
# BENCH_TLS_CERT, BENCH_TLS_KEY, and OPENSSL_CONF with no session tickets: bench/Harness/BenchTls.cs).
#
# Needs: the .NET 10 SDK and taskset (util-linux); nginx is optional. When run as root it installs nginx-light with
# apt-get if it is missing (--no-install to never do so). Logs go to bench/idle/results/ (not committed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
original_command="bash bench/idle/run.sh${*:+ $*}"
started_at="$(date +%s)"

connections=""
reps=2
servers="TinyHttp,Kestrel,nginx"
install=1
output=""
tinyhttp_rev=""
mode=plain          # plain | https | slow-handshakes
stalled=1000
handshake_timeout=3
while [ $# -gt 0 ]; do
  case "$1" in
    --connections|--reps|--servers|--output|--tinyhttp-rev|--stalled|--handshake-timeout)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --connections) connections="$2" ;;
        --reps) reps="$2" ;;
        --servers) servers="$2" ;;
        --output) output="$2" ;;
        --tinyhttp-rev) tinyhttp_rev="$2" ;;
        --stalled) stalled="$2" ;;
        --handshake-timeout) handshake_timeout="$2" ;;
      esac
      shift ;;
    --https) mode=https ;;
    --slow-handshakes) mode=slow-handshakes ;;
    --no-install) install=0 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see bench/README.md)" >&2; exit 2 ;;
  esac
  shift
done
case "$mode" in
  plain) connections="${connections:-8000}"; output="${output:-bench/idle/RESULTS.md}" ;;
  # A TLS connection costs the client a handshake too; 3000 keeps a round short on 2 cores.
  https) connections="${connections:-3000}"; output="${output:-bench/https/idle.md}" ;;
  slow-handshakes) connections="$stalled"; output="${output:-bench/https/slow-handshakes.md}" ;;
esac
[[ "$connections" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --connections and --stalled need a positive number" >&2; exit 2; }
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive number" >&2; exit 2; }
[[ "$handshake_timeout" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --handshake-timeout needs whole seconds" >&2; exit 2; }

say() { echo "[idle] $*"; }
results="bench/idle/results"
mkdir -p "$results"
rm -rf "$results/work"

# --- tools -------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is required"; exit 1; }
command -v taskset >/dev/null 2>&1 || { say "taskset (util-linux) is required"; exit 1; }
nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ] && [[ ",$servers," == *,nginx,* ]]; then
  if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing nginx-light with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq nginx-light >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq nginx-light >/dev/null; } \
      || say "could not install nginx-light; nginx is skipped"
    nginx_bin="$(command -v nginx || true)"
    [ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
  else
    say "nginx is not installed (apt-get install nginx-light); it is skipped"
  fi
fi

# --- limits ------------------------------------------------------------------------------------
# Server and client each hold N sockets; the margin covers the runtime's own files and the control connections.
need_files=$((connections + 2048))
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$need_files" ]; then
  # The soft limit can go up to the hard one as anyone; past the hard one only as root.
  ulimit -Sn "$need_files" 2>/dev/null || ulimit -n "$need_files" 2>/dev/null \
    || { say "cannot raise the open-file limit to $need_files (hard limit $(ulimit -Hn)); run as root or use fewer --connections"; exit 1; }
fi
read -r port_low port_high < /proc/sys/net/ipv4/ip_local_port_range
# Each round connects from its own 127.0.0.x and connect() picks the port per (source, destination) pair, so the limit
# is the ephemeral range, per round.
if [ "$connections" -gt $((port_high - port_low)) ]; then
  say "--connections $connections is more than the $((port_high - port_low)) ephemeral ports of one source address"; exit 1
fi

# --- CPUs --------------------------------------------------------------------------------------
cpus="$(nproc --all)"
if [ "$cpus" -ge 2 ]; then
  server_cpu=0; client_cpu=1
else
  server_cpu=0; client_cpu=0
  say "only one CPU: server and client share it; the RSS figures hold, the times do not"
fi

# --- build -------------------------------------------------------------------------------------
# As bench/run.sh builds: Release, --artifacts-path bench/.artifacts, so this never touches src/*/bin or src/*/obj and
# can run while the solution is being built. dotnet build recompiles src/TinyHttp when a source changed, so the
# TinyHttp figure is always the current code's.
artifacts="bench/.artifacts"
build() {
  local project="$1" artifacts_path="${2:-$artifacts}" name
  name="$(basename "$project" .csproj)"
  say "building $name (Release)"
  if ! dotnet build "$project" -c Release --artifacts-path "$artifacts_path" -nologo -v quiet > "$results/build-$name.log" 2>&1; then
    say "  $name did not build (see $results/build-$name.log)"
    # An old binary must not stand in for the current code.
    rm -rf "$artifacts_path/bin/$name"
    return 1
  fi
}
# The -AOT servers, published as bench/run.sh publishes them (bench/publish-aot.sh; clang is needed).
publish_aot() {
  local project="$1" artifacts_path="${2:-$artifacts}"
  bash bench/publish-aot.sh "$project" "$artifacts_path" "$results/build-$(basename "$project" .csproj)-aot.log" \
    | sed 's/^/[idle] /'
}

# --tinyhttp-rev: TinyHttp and its bench server from a commit, exported with git archive into bench/idle/results, for
# when the working tree is mid-change and does not build, or to measure an older commit. The other servers do not
# use src/, so they are built as usual.
tinyhttp_artifacts="$artifacts"
tinyhttp_root="."
if [ -n "$tinyhttp_rev" ]; then
  tinyhttp_commit="$(git rev-parse --short "$tinyhttp_rev^{commit}")" || { say "no commit '$tinyhttp_rev'"; exit 2; }
  tinyhttp_root="$results/snapshot-$tinyhttp_commit"
  tinyhttp_artifacts="$tinyhttp_root/.artifacts"
  rm -rf "$tinyhttp_root"
  mkdir -p "$tinyhttp_root"
  # The build's settings come along (.editorconfig holds the analyzers' severities); what the commit did not have yet
  # is left out, as git archive refuses a path that is not there.
  archived=()
  for path in .editorconfig global.json Directory.Build.props Directory.Packages.props nuget.config README.md src/TinyHttp \
    bench/Directory.Build.props bench/Servers/TinyHttpBenchServer bench/Servers/Shared; do
    git cat-file -e "$tinyhttp_commit:$path" 2>/dev/null && archived+=("$path")
  done
  git archive "$tinyhttp_commit" "${archived[@]}" | tar -x -C "$tinyhttp_root"
  say "TinyHttp from commit $tinyhttp_commit (git archive into $tinyhttp_root), not from the working tree"
  if [ "$mode" != plain ]; then
    # The HTTPS mode of the bench server (BENCH_HTTPS_PORT) may be newer than the commit: take the bench server from the
    # working tree, so only src/TinyHttp is the commit's (which then needs HttpsOptions).
    cp -r bench/Servers/TinyHttpBenchServer bench/Servers/Shared "$tinyhttp_root/bench/Servers/"
    rm -rf "$tinyhttp_root/bench/Servers/TinyHttpBenchServer/bin" "$tinyhttp_root/bench/Servers/TinyHttpBenchServer/obj"
    say "  with the working tree's bench/Servers/TinyHttpBenchServer and bench/Servers/Shared, for their HTTPS mode"
  fi
fi

# The .NET servers' commands come from bench/servers.txt, so a server is started here exactly as bench/run.sh starts it.
server_command() {
  awk -v name="$1" '$1 == name { for (i = 4; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n") }' bench/servers.txt
}

# Whether a server's line in bench/servers.txt says it serves HTTPS ("https" in its scenarios).
serves_https() {
  awk -v name="$1" '$1 == name { n = split($3, s, ","); for (i = 1; i <= n; i++) if (s[i] == "https" || s[i] ~ /^https-/) found = 1 } END { exit !found }' bench/servers.txt
}

selected=()
IFS=',' read -ra wanted <<< "$servers"
for name in "${wanted[@]}"; do
  if [ "$mode" != plain ] && ! serves_https "$name"; then
    say "$name has no HTTPS mode (bench/servers.txt); it is skipped"
    continue
  fi
  if [ "$name" = nginx ]; then
    [ -n "$nginx_bin" ] && selected+=(nginx)
    continue
  fi
  command_line="$(server_command "$name")"
  # Servers built into bench/.artifacts/bin/NAME/release/NAME, or published with NativeAOT into
  # bench/.artifacts/aot/publish/NAME/release_linux-x64/NAME, can be built here.
  if [[ "$command_line" =~ ^bench/\.artifacts/(bin|aot/publish)/([A-Za-z]+)/release ]]; then
    make=build
    [ "${BASH_REMATCH[1]}" = bin ] || make=publish_aot
    project_name="${BASH_REMATCH[2]}"
    if [ "$name" = TinyHttp ] || [ "$name" = TinyHttp-AOT ]; then
      "$make" "$tinyhttp_root/bench/Servers/$project_name/$project_name.csproj" "$tinyhttp_artifacts" && selected+=("$name") \
        || { [ -n "$tinyhttp_rev" ] || say "  to measure the last commit instead of the working tree: --tinyhttp-rev HEAD"; }
    else
      "$make" "bench/Servers/$project_name/$project_name.csproj" && selected+=("$name")
    fi
  else
    say "no server '$name' this script can build (see bench/servers.txt); it is skipped"
  fi
done
build bench/idle/IdleClient/IdleClient.csproj || { say "the client did not build"; exit 1; }
client="$artifacts/bin/IdleClient/release/IdleClient"
[ ${#selected[@]} -gt 0 ] || { say "no server to measure"; exit 1; }

# One certificate for the run, the same files for every server (and the client trusts exactly it).
tls_dir=""
if [ "$mode" != plain ]; then
  tls_dir="$PWD/$results/work/tls"
  "$client" certificate --dir "$tls_dir"
  say "TLS: a new self-signed ECDSA P-256 certificate for localhost in $tls_dir"
fi

# --- servers -----------------------------------------------------------------------------------
server_pid=""

start_server() {
  local name="$1" port="$2" log="$3" https_port="${4:-}"
  local -a command tls_env=()
  if [ -n "$https_port" ]; then
    tls_env=(BENCH_HTTPS_PORT="$https_port" BENCH_TLS_CERT="$tls_dir/cert.pem" BENCH_TLS_KEY="$tls_dir/key.pem"
             OPENSSL_CONF="$tls_dir/openssl.cnf")
    [ "$mode" != slow-handshakes ] || tls_env+=(BENCH_TLS_HANDSHAKE_TIMEOUT="$handshake_timeout")
  fi
  if [ "$name" = nginx ]; then
    # bench/Servers/nginx's config, with room for N connections: its worker_connections (4096, sized for wrk's 50)
    # would make nginx refuse the rest. nginx allocates the connection table at start, so it is in "RSS before".
    local prefix
    prefix="$(mktemp -d "$PWD/$results/work/nginx.XXXXXX")"
    mkdir -p "$prefix/body" "$prefix/proxy" "$prefix/fastcgi" "$prefix/uwsgi" "$prefix/scgi"
    sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$prefix|g" \
        -e "s|worker_connections [0-9]*;|worker_connections $((connections + 1024));|" \
        bench/Servers/nginx/nginx.conf.template > "$prefix/nginx.conf"
    [ -z "$https_port" ] || env "${tls_env[@]}" bash bench/Servers/nginx/https-conf.sh "$prefix/https.conf"
    command=("$nginx_bin" -p "$prefix" -c "$prefix/nginx.conf")
  else
    read -ra command <<< "$(server_command "$name" | sed "s|{port}|$port|g")"
    [[ "$name" != TinyHttp && "$name" != TinyHttp-AOT ]] || command[0]="${command[0]/#$artifacts\//$tinyhttp_artifacts/}"
  fi
  # taskset execs the server, so $! is the server itself (for nginx, the master; the client adds its worker).
  env "${tls_env[@]}" taskset -c "$server_cpu" "${command[@]}" > "$log" 2>&1 &
  server_pid=$!
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  local children
  children="$(cat /proc/"$server_pid"/task/*/children 2>/dev/null || true)"
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    say "  pid $server_pid did not stop within 10 s of SIGTERM; killing it"
    # shellcheck disable=SC2086 # one PID a word
    kill -KILL "$server_pid" $children 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT

# --- run ---------------------------------------------------------------------------------------
mkdir -p "$results/work"
runs="$results/runs.txt"
: > "$runs"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load_before" 'BEGIN { exit !(l > 1.5) }'; then
  say "the machine is busy (1-minute load $load_before): RSS should hold, but settling may take longer"
fi
case "$mode" in
  plain) say "${selected[*]}: $connections connections each, $reps rounds; servers on CPU $server_cpu, the client on CPU $client_cpu" ;;
  https) say "${selected[*]}: $connections TLS connections each, $reps rounds; servers on CPU $server_cpu, the client on CPU $client_cpu" ;;
  slow-handshakes) say "${selected[*]}: $stalled stalled handshakes each, handshake timeout $handshake_timeout s, $reps rounds; servers on CPU $server_cpu, the client on CPU $client_cpu" ;;
esac
run_index=0
for rep in $(seq 1 "$reps"); do
  for name in "${selected[@]}"; do
    # A fresh source address per round and server: no port of an earlier round, in TIME_WAIT or not, can collide.
    # The client also resets its connections at the end (SO_LINGER 0), so it leaves no TIME_WAIT behind at all.
    source_address="127.0.0.$((2 + run_index % 250))"
    run_index=$((run_index + 1))
    port="$(taskset -c "$client_cpu" "$client" free-port)"
    https_port=""
    https_args=()
    if [ "$mode" != plain ]; then
      https_port="$(taskset -c "$client_cpu" "$client" free-port)"
      [ "$https_port" != "$port" ] || https_port="$(taskset -c "$client_cpu" "$client" free-port)"
      https_args=(--https-port "$https_port" --tls-dir "$tls_dir")
    fi
    log="$results/$mode-$name-round$rep"
    say "round $rep: $name on port $port${https_port:+ (HTTPS $https_port)}, client from $source_address"
    start_server "$name" "$port" "$log.server.log" "$https_port"
    stats=()
    [ "$name" = nginx ] || stats=(--stats)
    if [ "$mode" = slow-handshakes ]; then
      client_args=(slow-handshakes --name "$name" --pid "$server_pid" --port "$port" "${https_args[@]}"
                   --stalled "$stalled" --handshake-timeout "$handshake_timeout" --source "$source_address")
    else
      client_args=(measure --name "$name" --pid "$server_pid" --port "$port" "${https_args[@]}"
                   --connections "$connections" --source "$source_address" "${stats[@]}")
    fi
    if line="$(taskset -c "$client_cpu" "$client" "${client_args[@]}" 2> >(tee "$log.client.log" >&2))"; then
      echo "round=$rep $line" >> "$runs"
    else
      say "  round $rep of $name failed (see $log.client.log and $log.server.log); it is left out of the report"
    fi
    stop_server
  done
done

load_after="$(cut -d' ' -f1 /proc/loadavg)"
[ -s "$runs" ] || { say "no round succeeded"; exit 1; }
nginx_text="not measured"
if [[ " ${selected[*]} " == *" nginx "* ]]; then
  nginx_text="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), $(dpkg-query -W -f='${Package} ${Version}' nginx-light 2>/dev/null || echo "package unknown"); one worker, worker_connections $((connections + 1024)) (bench/Servers/nginx/nginx.conf.template otherwise)"
fi
if [ -n "$tinyhttp_rev" ]; then
  source_state="commit $tinyhttp_commit ($(git log -1 --format=%cs "$tinyhttp_commit"), \`--tinyhttp-rev $tinyhttp_rev\`, exported with git archive); the working tree's src/ was not used"
else
  src_changes="$(git status --porcelain -- src | wc -l)"
  source_state="the working tree: commit $(git rev-parse --short HEAD) with $src_changes uncommitted change(s) under src/ (\`git status --porcelain src\`)"
fi
report_kind=()
[ "$mode" != slow-handshakes ] || report_kind=(--slow-handshakes)
taskset -c "$client_cpu" "$client" report "${report_kind[@]}" --runs "$runs" --output "$output" \
  --command "$original_command" --seconds "$(( $(date +%s) - started_at ))" --cpus "$cpus" --sdk "$(dotnet --version)" \
  --nginx "$nginx_text" --source-state "$source_state" --server-cpu "$server_cpu" --client-cpu "$client_cpu" \
  --load-before "$load_before" --load-after "$load_after"
say "wrote $output in $(( $(date +%s) - started_at )) s"
cat "$output"
