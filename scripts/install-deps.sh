#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine (idempotent; quick when present).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v curl >/dev/null || need_apt+=(curl)
python3 -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
# A real PostgreSQL server for the store tests (scripts/postgres.sh starts a throwaway cluster).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import openai, anthropic, pytest, pytest_asyncio, pytest_timeout, langchain_openai" 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/conformance/requirements.txt
fi
