#!/usr/bin/env bash
# Sourced by the consumer checks: a project outside the repository that restores TinyHttp's packed packages the way
# the README tells users to, on what is in effect a fresh machine.
#
#   consumer_init DIR   writes DIR/nuget.config: the packed packages' folder as a source, and package source mapping
#                       that takes TinyHttp* from that folder only and everything else from the machine's own sources
#                       (whatever `dotnet nuget list source` shows, read at run time). It points NUGET_PACKAGES at a new
#                       empty folder, so nothing restores from an earlier run's cache, and a re-packed version cannot be
#                       hidden by a cached one.
consumer_init() {
  local dir=$1
  mkdir -p "$dir"
  export NUGET_PACKAGES
  NUGET_PACKAGES=$(mktemp -d)
  # The machine's enabled sources, by name, read before this folder has a nuget.config of its own.
  local sources
  sources=$(cd "$dir" && dotnet nuget list source --format Detailed | sed -n 's/^ *[0-9][0-9]*\. *\(.*\) \[Enabled\]$/\1/p')
  if [ -z "$sources" ]; then
    echo "no enabled package source on this machine (dotnet nuget list source shows none)" >&2
    return 1
  fi
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<configuration>'
    echo '  <packageSources>'
    echo "    <add key=\"tinyhttp-local\" value=\"$CI_PACKAGES\" />"
    echo '  </packageSources>'
    echo '  <packageSourceMapping>'
    echo '    <packageSource key="tinyhttp-local">'
    echo '      <package pattern="TinyHttp" />'
    echo '      <package pattern="TinyHttp.*" />'
    echo '    </packageSource>'
    while IFS= read -r name; do
      echo "    <packageSource key=\"$name\">"
      echo '      <package pattern="*" />'
      echo '    </packageSource>'
    done <<<"$sources"
    echo '  </packageSourceMapping>'
    echo '</configuration>'
  } >"$dir/nuget.config"
}
