#!/usr/bin/env bash
# The start → one GET → stop cycle of each test double, one process each (so each cold cycle is really cold), in one run:
# TinyHttp.Testing's StubServer and InMemoryServer, WireMock.Net, Go's httptest (when `go` is installed: apt-get install
# golang-go), and the bare TinyHttp and Kestrel servers for reference. Prints a Markdown table for docs/testing-compared.md.
#
#   bash bench/TestDoubleCost/run.sh [WARM_CYCLES]     (default 200; run it on a quiet machine)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cycles=${1:-200}
dotnet build "$here/TestDoubleCost.csproj" -c Release -v quiet -nologo >/dev/null
program="$here/bin/Release/net10.0/TestDoubleCost.dll"

echo "| test double | cold first cycle ms | warm median ms | warm p90 ms | warm min–max ms | warm cycles |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row() {
  local name=$1 result=$2
  # RESULT cycles=N cold=MS median=MS p90=MS min=MS max=MS
  read -r n cold median p90 min max < <(sed -E 's/.*cycles=([^ ]*) cold=([^ ]*) median=([^ ]*) p90=([^ ]*) min=([^ ]*) max=([^ ]*).*/\1 \2 \3 \4 \5 \6/' <<<"$result")
  echo "| $name | $cold | $median | $p90 | $min–$max | $n |"
}
for kind in StubServer InMemoryServer WireMock TinyHttp Kestrel; do
  row "$kind" "$(dotnet "$program" "$kind" "$cycles" | grep '^RESULT ')"
done
if command -v go >/dev/null; then
  # Built first, so the cold cycle is the program's first cycle and not the compiler.
  (cd "$here/go" && go build -o "$here/bin/httptest-cycle" .)
  row "Go httptest" "$("$here/bin/httptest-cycle" "$cycles" | grep '^RESULT ')"
else
  echo "| Go httptest | not measured: go is not installed (apt-get install golang-go) | | | | |"
fi
