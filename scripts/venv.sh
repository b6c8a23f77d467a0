# Sourced by scripts/start and scripts/test: create .venv with Python 3.11 and install the
# project into it (editable), with the extras named as arguments.
install_project() {
  local python=${PYTHON:-python3.11}
  command -v "$python" >/dev/null || python=python3
  if [ ! -x .venv/bin/python ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
      || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
    "$python" -m venv .venv
  fi
  local extras=""
  [ $# -gt 0 ] && extras="[$(IFS=,; echo "$*")]"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --editable ".${extras}"
}
