#!/usr/bin/env bash
# Create or refresh the Python venv holding the real Helm SDK (helm-python-sdk bundles
# Helm 4.2.3 as a shared library, so no helm binary is needed). Idempotent: a venv that
# already has the pinned version is left alone.
set -euo pipefail

VENV="${HELM_VENV:-/work/venv-helm}"
VERSION="0.2.2"
WHEEL_DIR="${HELM_SDK_WHEEL_DIR:-/tmp/hsdk}"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi

installed="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("helm-python-sdk"))' 2>/dev/null || true)"
if [ "$installed" != "$VERSION" ]; then
    # Prefer a locally cached wheel (offline machines), fall back to PyPI.
    if ls "$WHEEL_DIR"/helm_python_sdk-"$VERSION"-*.whl >/dev/null 2>&1; then
        "$VENV/bin/pip" install --quiet --find-links "$WHEEL_DIR" "helm-python-sdk==$VERSION"
    else
        "$VENV/bin/pip" install --quiet "helm-python-sdk==$VERSION"
    fi
fi

# jinja2 stands in for minijinja when check_stack.py renders stacks/openstack.yaml.
if ! "$VENV/bin/python" -c 'import jinja2' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "jinja2==3.1.6"
fi

"$VENV/bin/python" -c 'import helm_python as h; print("helm-python-sdk", h.__version__, "helm", h.helm_sdk_version())'
