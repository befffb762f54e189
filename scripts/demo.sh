#!/usr/bin/env bash
# The demo: shows what Soko does with what is built so far. Called by `./scripts/dev.sh demo`
# with the Release build folder. Must work on a fresh machine without ../shared.
set -euo pipefail
BUILD="$1"; shift || true
echo "Soko demo (build: $BUILD)"
