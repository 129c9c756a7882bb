#!/usr/bin/env bash
# On Linux, plain connections wait in TinyHttp's own epoll loop (src/TinyHttp/Server/SocketEventLoop.cs); on every
# other operating system, and with TINYHTTP_SOCKET_EVENT_LOOP=0, they use the runtime's socket engine. CI runs on
# Linux, so this runs the server's tests and the conformance suite again on that other path (already built by the
# main test run), so both stay correct.
set -euo pipefail
cd "$CI_ROOT"
TINYHTTP_SOCKET_EVENT_LOOP=0 dotnet test tests/TinyHttp.Tests --no-build --nologo -v quiet
TINYHTTP_SOCKET_EVENT_LOOP=0 dotnet test tests/Conformance --no-build --nologo -v quiet
