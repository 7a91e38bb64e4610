#!/usr/bin/env bash
# Entry point for a fresh machine with only the .NET SDK: restores the pinned PowerShell
# (a dotnet local tool) and hands over to build.ps1. Usage: ./build.sh [build|test|demo|bench|pack|fuzz|conformance|docs];
# ./build.sh test -Pure runs only the xunit tests that need no root (--filter "Needs!=Root").
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet tool run pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 "$@"
