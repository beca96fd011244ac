"""A forwarding proxy that turns the protobuf request bodies client-go sends for
Secrets and ConfigMaps (Helm's release storage) into JSON, for API servers that only
read JSON (kubesim). Responses pass through unchanged (client-go accepts JSON).
Standard library only; decodes just the fields release storage uses.
"""

import base64
import http.client
import http.server
import json
import threading
import urllib.parse

MAGIC = b"k8s\x00"


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i : i + n], i + n
        elif wt == 1:
            val, i = buf[i : i + 8], i + 8
        elif wt == 5:
            val, i = buf[i : i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, wt, val


def _map_entry(buf):
    k = v = b""
    for num, _, val in _fields(buf):
        if num == 1:
            k = val
        elif num == 2:
            v = val
    return k.decode(), v


def _object_meta(buf):
    meta, labels, annotations, finalizers = {}, {}, {}, []
    names = {1: "name", 2: "generateName", 3: "namespace", 6: "resourceVersion", 5: "uid"}
    for num, _, val in _fields(buf):
        if num in names:
            meta[names[num]] = val.decode()
        elif num == 11:
            k, v = _map_entry(val)
            labels[k] = v.decode()
        elif num == 12:
            k, v = _map_entry(val)
            annotations[k] = v.decode()
        elif num == 14:
            finalizers.append(val.decode())
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    if finalizers:
        meta["finalizers"] = finalizers
    return meta


def _secret(raw):
    obj = {"apiVersion": "v1", "kind": "Secret"}
    data = {}
    for num, _, val in _fields(raw):
        if num == 1:
            obj["metadata"] = _object_meta(val)
        elif num == 2:
            k, v = _map_entry(val)
            data[k] = base64.b64encode(v).decode()
        elif num == 3:
            obj["type"] = val.decode()
    if data:
        obj["data"] = data
    return obj


def _config_map(raw):
    obj = {"apiVersion": "v1", "kind": "ConfigMap"}
    data = {}
    for num, _, val in _fields(raw):
        if num == 1:
            obj["metadata"] = _object_meta(val)
        elif num == 2:
            k, v = _map_entry(val)
            data[k] = v.decode()
    if data:
        obj["data"] = data
    return obj


def to_json(body):
    if not body.startswith(MAGIC):
        raise ValueError("not a kubernetes protobuf envelope")
    kind, raw = "", b""
    for num, _, val in _fields(body[len(MAGIC) :]):
        if num == 1:
            for n, _, v in _fields(val):
                if n == 2:
                    kind = v.decode()
        elif num == 2:
            raw = val
    decoders = {"Secret": _secret, "ConfigMap": _config_map}
    if kind not in decoders:
        raise ValueError(f"no protobuf decoder for kind {kind!r}")
    return json.dumps(decoders[kind](raw)).encode()


def start(upstream):
    """Starts the proxy in a thread; returns its URL."""
    target = urllib.parse.urlparse(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            if body and "protobuf" in self.headers.get("Content-Type", ""):
                body = to_json(body)
                headers["Content-Type"] = "application/json"
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"
