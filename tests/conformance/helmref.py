"""Reference rendering with real Helm (helm-python-sdk 0.2.2, Helm 4.2.3).

Reproduces byte for byte what `helm template NAME CHART -n NS -f ... --set ...` prints.

The SDK's install(dry_run="client") returns the release manifest (non-hook resources,
install-sorted, each `---\\n# Source: PATH\\n<doc>\\n`) but NOT the hooks. `helm template`
prints `TrimSpace(manifest) + "\\n"` and then, for every hook in the release's hook order,
`---\\n# Source: PATH\\n<hook doc>\\n`. To get the hooks we render the chart once more with
Chart.render (the engine's per-template output) and split/sort it the way Helm's
releaseutil.SortManifests does. As a guard against drifting from Helm, the non-hook part
we rebuild from Chart.render must equal the SDK's manifest exactly, otherwise
HarnessError is raised.
"""

from __future__ import annotations

import json
import logging
import os
import re
import contextlib
import tempfile
from dataclasses import dataclass, field
from typing import Any

import helm_python as helm

# The order Helm installs kinds in (releaseutil.InstallOrder, Helm 4).
INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]
_ORDER = {kind: i for i, kind in enumerate(INSTALL_ORDER)}

HOOK_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success",
}

# Go's RE2 `\s` is [\t\n\f\r ]; Python's is wider, so spell it out.
_SEP = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


class HarnessError(Exception):
    """The harness's reconstruction disagrees with Helm itself (a harness bug)."""


@dataclass
class Rendered:
    """What `helm template` printed, or the error it failed with."""

    output: str | None = None
    error: str | None = None
    notes: str = ""
    hooks: list[dict[str, Any]] = field(default_factory=list)
    # Values-coalescing warnings Helm logged while rendering, without Go's date prefix,
    # in the order logged (within one coalescing pass that is Go's random map order).
    warnings: list[str] = field(default_factory=list)


def _merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """values.Options.MergeValues' mergeMaps: maps merge recursively, b wins."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge_maps(out[k], v)
        else:
            out[k] = v
    return out


class ValuesFileError(Exception):
    """A `-f` file the helm CLI refuses; str() is the CLI's error text."""


_VALUES_PREFIX = "cannot load values.yaml: "


def load_values_file(path: str, shown: str | None = None) -> dict[str, Any]:
    """What the CLI's `-f FILE` reads: Helm's loader.LoadValues (documents split at `---`
    lines and merged). The SDK's values_from_yaml decodes only the first document and
    words errors differently, so the file is loaded as the values.yaml of a throwaway
    chart, which goes through the same LoadValues. A failure is worded as the CLI words
    it (pkg/cli/values: `failed to parse FILE: <LoadValues' error>`), with FILE as
    `shown` (the path as given on the command line)."""
    with open(path, "rb") as f:
        data = f.read()
    with tempfile.TemporaryDirectory(prefix="helmref-values-") as chart:
        with open(os.path.join(chart, "Chart.yaml"), "w", encoding="utf-8") as f:
            f.write("apiVersion: v2\nname: values-file\nversion: 0.1.0\n")
        with open(os.path.join(chart, "values.yaml"), "wb") as f:
            f.write(data)
        try:
            with quiet_stderr(), helm.Chart.load(chart) as loaded:
                return loaded.values or {}
        except helm.HelmError as e:
            message = str(e)
            if not message.startswith(_VALUES_PREFIX):
                raise HarnessError(f"unexpected error loading {path}: {message}") from e
            raise ValuesFileError(
                f"failed to parse {shown or path}: {message[len(_VALUES_PREFIX):]}") from e


def user_values(values_files: list[str], sets: list[str],
                shown: list[str] | None = None) -> dict[str, Any]:
    """Combine -f files then --set expressions like the helm CLI does (`shown`: the -f
    paths as given on the command line, for error texts).

    --set expressions are parsed alone and merged like -f files, so `list[1]=x` into a
    list that came from a file is NOT what the CLI does (it edits the list in place);
    cases avoid that. Values go to the SDK as JSON and it decodes numbers as float64, so an
    integer given with --set becomes float64 here while the CLI keeps int64. Cases
    therefore only --set strings, booleans or small integers whose printing is the same.
    """
    base: dict[str, Any] = {}
    for n, path in enumerate(values_files):
        base = _merge_maps(base, load_values_file(path, shown[n] if shown else None))
    for expr in sets:
        base = _merge_maps(base, helm.parse_set_string(expr))
    return base


def split_manifests(big: str) -> list[str]:
    """releaseutil.SplitManifests (Helm 4: documents are only left-trimmed)."""
    docs = []
    for d in _SEP.split(big.lstrip()):
        if d == "":
            continue
        docs.append(d.lstrip())
    return docs


def _kind_key(kind: str) -> tuple[int, str]:
    # Known kinds by InstallOrder; unknown kinds after them, alphabetically.
    if kind in _ORDER:
        return (0, f"{_ORDER[kind]:04d}")
    return (1, kind)


def _head(doc: str, path: str) -> dict[str, Any]:
    try:
        parsed = helm.values_from_yaml(doc)
    except helm.HelmError as e:  # Helm itself fails on this; surface it.
        raise HarnessError(f"YAML parse error on {path}: {e}") from e
    return parsed if isinstance(parsed, dict) else {}


def _fold(s: str) -> str:
    # encoding/json's case folding, for SimpleHead's field names: ASCII letters, the
    # Kelvin sign (k) and the long s (s); dotless i and dotted I fold to nothing else.
    return "".join({"\u212a": "k", "\u017f": "s"}.get(c, c.lower() if c.isascii() else c)
                   for c in s)


def _fields(obj: dict[str, Any], field: str) -> list[Any]:
    # The values encoding/json assigns to `field`, in the (sorted) key order
    # sigs.k8s.io/yaml re-encodes the document with; a later one overwrites.
    return [obj[k] for k in sorted(obj) if k == field or _fold(k) == _fold(field)]


def _as_string(v: Any) -> str | None:
    # A scalar bound for a Go string field, as sigs.k8s.io/yaml writes it (None: null).
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "%.8g" % v if v != int(v) else str(int(v))
    return str(v)


def simple_head(head: dict[str, Any]) -> tuple[str, str, dict[str, str] | None]:
    """(kind, metadata.name, metadata.annotations) as Helm's SimpleHead decodes them."""
    kind, name, annotations = "", "", None
    for k in _fields(head, "kind"):
        kind = _as_string(k) if k is not None else kind
    for meta in _fields(head, "metadata"):
        if not isinstance(meta, dict):
            continue
        for n in _fields(meta, "name"):
            name = _as_string(n) if n is not None else name
        for ann in _fields(meta, "annotations"):
            if isinstance(ann, dict):
                annotations = annotations or {}
                annotations.update({ak: _as_string(av) or "" for ak, av in ann.items()})
            else:
                annotations = None
    return kind, name, annotations


def sort_manifests(files: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """releaseutil.SortManifests: returns (hooks, generic), both stably kind-sorted."""
    hooks: list[dict[str, Any]] = []
    generic: list[dict[str, Any]] = []
    for path in sorted(files):
        content = files[path]
        if os.path.basename(path).startswith("_") or content.strip() == "":
            continue
        for doc in split_manifests(content):
            kind, name, annotations = simple_head(_head(doc, path))
            annotations = annotations or {}
            if "helm.sh/hook" not in annotations:
                generic.append({"path": path, "content": doc, "kind": kind})
                continue
            events = [e.strip().lower() for e in str(annotations["helm.sh/hook"]).split(",")]
            if any(e not in HOOK_EVENTS for e in events):
                continue  # Helm drops documents whose hook names it does not know
            try:
                weight = int(str(annotations.get("helm.sh/hook-weight", "0")))
            except ValueError:
                weight = 0
            hooks.append({"path": path, "manifest": doc, "kind": kind,
                          "name": name, "events": events, "weight": weight})
    hooks.sort(key=lambda h: _kind_key(h["kind"]))
    generic.sort(key=lambda m: _kind_key(m["kind"]))
    return hooks, generic


# Go's log package: `2006/01/02 15:04:05 ` before each line.
_LOG_PREFIX = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")


def log_warnings(text: str) -> list[str]:
    """The lines Helm's Go code logged to stderr, without their date, leaving out
    slog's INFO/DEBUG records (e.g. the loader's symlink notices)."""
    lines = []
    for line in text.splitlines():
        line = _LOG_PREFIX.sub("", line)
        if line.startswith(("INFO ", "DEBUG ")) or not line.strip():
            continue
        lines.append(line)
    return lines


@contextlib.contextmanager
def captured_stderr(into: list[str]):
    """Send fd 2 to a temporary file for the block (Go logs there directly); its text
    is appended to `into`."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            into.append(tmp.read().decode("utf-8", errors="replace"))


@contextlib.contextmanager
def quiet_stderr():
    """Helm's Go loader logs straight to fd 2 (e.g. an INFO line for every symlink in a
    chart, which the example charts use for helm-toolkit); hide that noise."""
    if os.environ.get("HELMREF_VERBOSE"):
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class HelmRef:
    """Renders charts with the Helm SDK, offline."""

    def __init__(self) -> None:
        # Route Helm's Go logs (e.g. "found symbolic link in path") through Python
        # logging and keep only warnings and worse.
        helm.enable_logging(logging.WARNING, logging.getLogger("helm"))
        # An unreachable API server: dry_run="client" never contacts it.
        self.cfg = helm.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")

    def template(self, chart_dir: str, name: str, namespace: str,
                 values: dict[str, Any]) -> Rendered:
        with quiet_stderr():
            return self._template(chart_dir, name, namespace, values)

    def _template(self, chart_dir: str, name: str, namespace: str,
                  values: dict[str, Any]) -> Rendered:
        logged: list[str] = []
        try:
            with captured_stderr(logged):
                rel = self.cfg.install(chart_dir, name, values, namespace=namespace,
                                       dry_run="client")
        except helm.HelmError as e:
            return Rendered(error=str(e))
        warnings = log_warnings("".join(logged))
        manifest = rel.get("manifest") or ""
        hooks = self._hooks(chart_dir, name, namespace, values, manifest)
        out = manifest.strip() + "\n"
        for h in hooks:
            out += f"---\n# Source: {h['path']}\n{h['manifest']}\n"
        return Rendered(output=out, notes=rel.get("notes") or "", hooks=hooks,
                        warnings=warnings)

    def _hooks(self, chart_dir: str, name: str, namespace: str, values: dict[str, Any],
               manifest: str) -> list[dict[str, Any]]:
        with helm.Chart.load(chart_dir) as chart:
            files = chart.render(values, name=name, namespace=namespace, revision=1,
                                 is_install=True)
        files = {k: v for k, v in files.items() if not k.endswith("NOTES.txt")}
        hooks, generic = sort_manifests(files)
        rebuilt = "".join(f"---\n# Source: {m['path']}\n{m['content']}\n" for m in generic)
        if rebuilt != manifest:
            raise HarnessError(
                "rebuilt non-hook manifest differs from the SDK's; cannot trust hook output\n"
                + json.dumps({"sdk": manifest[:2000], "rebuilt": rebuilt[:2000]}, indent=1))
        return hooks
