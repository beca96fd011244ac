"""Drives the real Helm SDK (helm-python-sdk, Helm 4) against a kubeconfig for
tests/helm_interop.rs, like the `helm` CLI would. Prints one JSON document on stdout.

usage: helm.py KUBECONFIG NAMESPACE list                      (helm list -A --all)
       helm.py KUBECONFIG NAMESPACE history RELEASE
       helm.py KUBECONFIG NAMESPACE rollback RELEASE REVISION (then prints the history)
       helm.py KUBECONFIG NAMESPACE install RELEASE CHART_DIR VALUES_JSON [DRY_RUN]
                                       (DRY_RUN: client, server or none, as --dry-run)
"""

import json
import sys

from helm_python import Config


def main() -> None:
    kubeconfig, namespace, action, *rest = sys.argv[1:]
    with Config(kubeconfig_path=kubeconfig, namespace=namespace) as cfg:
        if action == "list":
            out = cfg.list(all_states=True, all_namespaces=True)
        elif action == "history":
            out = cfg.history(rest[0])
        elif action == "rollback":
            cfg.rollback(rest[0], version=int(rest[1]))
            out = cfg.history(rest[0])
        elif action == "install":
            name, chart, values, *dry_run = rest
            out = cfg.install(
                chart,
                name,
                json.loads(values),
                namespace=namespace,
                dry_run=dry_run[0] if dry_run else None,
            )
        else:
            raise SystemExit(f"unknown action {action}")
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
