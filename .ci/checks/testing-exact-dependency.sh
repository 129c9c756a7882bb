#!/usr/bin/env bash
# TinyHttp.Testing uses TinyHttp's internals (the stub matches paths with the core router's RoutePattern), so its package
# must depend on exactly the TinyHttp it was packed with: the .nuspec inside the packed .nupkg says version="[CI_VERSION]",
# never an open range that would let NuGet pair it with a later TinyHttp whose internals moved.
set -euo pipefail
package="$CI_PACKAGES/TinyHttp.Testing.$CI_VERSION.nupkg"
[ -f "$package" ] || { echo "no $package; pack src/*/*.csproj with -p:Version=\$CI_VERSION first" >&2; exit 1; }
# unzip comes from .ci/run's list of outside tools, as for hosting-package.sh.
dependency=$(unzip -p "$package" TinyHttp.Testing.nuspec | grep -o '<dependency id="TinyHttp" version="[^"]*"')
echo "$dependency"
if [ "$dependency" != "<dependency id=\"TinyHttp\" version=\"[$CI_VERSION]\"" ]; then
  echo "TinyHttp.Testing's dependency on TinyHttp is not the exact version [$CI_VERSION]" >&2
  exit 1
fi
