#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6 needs it), or explain what to install.
# Prefers 3.12, the version CI runs. Looks at PATH first, then at pyenv's and uv's installed versions.
set -u
is_new_enough() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}
candidates=(python3.12 python3.13 python3.14 python3)
for name in "${candidates[@]}"; do
  path=$(command -v "$name" 2>/dev/null) || continue
  if is_new_enough "$path"; then echo "$path"; exit 0; fi
done
for path in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
                   "$HOME"/.local/share/uv/python/cpython-3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
  if is_new_enough "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
HaloBuzz needs Python 3.12 or newer, and none was found.
Install one, for example:
  pyenv install 3.12        (then run make again)
  apt-get install python3.12 python3.12-venv
or point the Makefile at one: make run PYTHON=/path/to/python3.12
MSG
exit 1
