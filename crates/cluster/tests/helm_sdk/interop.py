"""Drives the Helm SDK (helm-python-sdk, Helm 4) against a kubeconfig, for the
capstan-cluster interop test. Prints one JSON document on stdout.

usage: interop.py KUBECONFIG NAMESPACE read RELEASE
       interop.py KUBECONFIG NAMESPACE install RELEASE CHART_DIR
       interop.py KUBECONFIG NAMESPACE rollback RELEASE REVISION
"""

import json
import sys

from helm_python import Config


def main() -> None:
    kubeconfig, namespace, action, name = sys.argv[1:5]
    cfg = Config(kubeconfig_path=kubeconfig, namespace=namespace)
    if action == "read":
        out = {
            "list": cfg.list(all_states=True),
            "history": cfg.history(name),
            "status": cfg.status(name),
            "values": cfg.get_values(name),
            "all": cfg.get_all(name),
        }
    elif action == "install":
        out = cfg.install(sys.argv[5], name, {"greeting": "hello"}, namespace=namespace)
    elif action == "rollback":
        cfg.rollback(name, version=int(sys.argv[5]))
        out = {"history": cfg.history(name)}
    else:
        raise SystemExit(f"unknown action {action}")
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
