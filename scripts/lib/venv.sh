# shellcheck shell=bash
# ensure_venv EXTRAS: create .venv when missing and install the project with EXTRAS
# (e.g. ".[test]"); reinstall when pyproject.toml changed since the last install, or when
# a package gained an __init__.py (an editable install records the package layout).
ensure_venv() {
  local spec="$1"
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  local stamp=".venv/.installed-$(echo "$spec" | tr -c 'a-z0-9' '_')"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || _packages_changed "$stamp"; then
    .venv/bin/python -m pip install --quiet -e "$spec"
    touch "$stamp"
  fi
}

_packages_changed() {
  [ -n "$(find sources pipelines simulator transform docs -name __init__.py -newer "$1" 2>/dev/null | head -n 1)" ]
}
