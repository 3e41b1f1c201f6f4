#!/usr/bin/env bash
# Prints an interpreter for the server's syntax pre-check (SKRIPTOTEKET_SYNTAX_PYTHON): tools are
# written for the runner's Python 3.13, so the check needs Python ≥ 3.12's grammar. Looks at
# python3.14/3.13/3.12 and python3 on PATH, then at pyenv's versions; prints `python3` when none
# is new enough (the server then leaves syntax errors to the runner and says so once).
set -uo pipefail
new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
candidates=(python3.14 python3.13 python3.12 python3)
while read -r dir; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done < <(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* 2>/dev/null | sort -rV)
for python in "${candidates[@]}"; do
  if new_enough "$python"; then
    command -v "$python"
    exit 0
  fi
done
echo python3
