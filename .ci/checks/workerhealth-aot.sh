#!/usr/bin/env bash
# samples/WorkerHealth publishes with NativeAOT without a single trim or AOT warning (TinyHttp.Hosting binds its
# configuration with generated code, not reflection), and the native program serves /healthz and stops on SIGTERM
# with exit code 0.
set -euo pipefail
cd "$CI_ROOT"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

clang_bin="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$clang_bin" ] || { echo "no clang: NativeAOT links with it (apt-get install clang)"; exit 1; }
if ! dotnet publish samples/WorkerHealth/WorkerHealth.csproj -c Release -r linux-x64 -p:PublishAot=true \
    -p:CppCompilerAndLinker="$(basename "$clang_bin")" --artifacts-path "$work/artifacts" -o "$work/publish" -nologo > "$work/publish.log" 2>&1; then
  cat "$work/publish.log"
  echo "the NativeAOT publish failed"
  exit 1
fi
# Trim (IL2xxx) and AOT (IL3xxx) analysis warnings ("ILC : Trim analysis warning IL2026: …"), and any other
# warning (": warning CS…"), fail the check.
if grep -E '(^|[: ])warning [A-Z]+[0-9]+' "$work/publish.log" | sort -u | grep .; then
  echo "the NativeAOT publish of samples/WorkerHealth has warnings (above)"
  exit 1
fi
[ -x "$work/publish/WorkerHealth" ] || { echo "no native WorkerHealth in $work/publish"; exit 1; }
echo "published $(du -h "$work/publish/WorkerHealth" | cut -f1) native WorkerHealth with 0 warnings"

TinyHttp__Endpoints=http://127.0.0.1:0 Logging__Console__FormatterOptions__SingleLine=true \
  "$work/publish/WorkerHealth" > "$work/run.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/run.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/run.log"; echo "the native WorkerHealth did not start listening"; exit 1; }
status=$(curl -s -o "$work/healthz.json" -w '%{http_code}' "http://127.0.0.1:$port/healthz")
echo "GET /healthz: $status $(cat "$work/healthz.json")"
[ "$status" = 200 ] || { cat "$work/run.log"; exit 1; }
kill -TERM "$pid"
exit_code=0
wait "$pid" || exit_code=$?
pid=""
grep -q 'Queue worker stopped cleanly' "$work/run.log" || { cat "$work/run.log"; echo "the worker did not stop cleanly"; exit 1; }
[ "$exit_code" -eq 0 ] || { cat "$work/run.log"; echo "SIGTERM: exit code $exit_code"; exit 1; }
echo "SIGTERM: stopped cleanly, exit code 0"
