"""A Confluent Schema Registry stand-in for the tests: the REST calls persona-gen makes and
those Confluent's own deserializers make to read a schema back, served from memory.

No registry runs on the test machines (Confluent's packages are not on Maven Central). The
stand-in keeps the real one's rules that matter here: ids are global and one schema (text,
type and references) has one id whatever the subject; a subject's versions count from 1;
looking a schema up in a subject that lacks it is a 404 with error code 40403.
"""

from __future__ import annotations

import base64
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from google.protobuf import descriptor_pb2

__all__ = ["Registry", "registry"]


class Registry:
    """What the stand-in holds, and what it was asked."""

    def __init__(self) -> None:
        self.url = ""
        self.schemas: list[dict[str, Any]] = []  # index = id - 1
        self.subjects: dict[str, list[int]] = {}  # subject -> schema ids by version
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []
        self.refuse: dict[str, tuple[int, str]] = {}  # subject -> (HTTP status, message)
        self.headers: list[dict[str, str]] = []

    def schema_id(self, body: dict[str, Any]) -> int:
        key = {
            "schema": body["schema"],
            "schemaType": body.get("schemaType", "AVRO"),
            "references": body.get("references", []),
        }
        if key not in self.schemas:
            self.schemas.append(key)
        return self.schemas.index(key) + 1

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        self.calls.append((method, path, body))
        split = urlsplit(path)
        parts = [unquote(p) for p in split.path.strip("/").split("/")]
        serialized = "format=serialized" in split.query
        if parts[0] == "subjects" and parts[1] in self.refuse:
            status, message = self.refuse[parts[1]]
            return status, {"error_code": status * 100, "message": message}
        if method == "POST" and len(parts) == 3 and parts[2] == "versions":
            assert body is not None
            found = self.schema_id(body)
            versions = self.subjects.setdefault(parts[1], [])
            if found not in versions:
                versions.append(found)
            return 200, {"id": found}
        if method == "POST" and len(parts) == 2:
            assert body is not None
            found = self.schema_id(body)
            versions = self.subjects.get(parts[1], [])
            if found not in versions:
                return 404, {"error_code": 40403, "message": "Schema not found"}
            return 200, {**self._version(parts[1], versions.index(found) + 1)}
        if method == "GET" and parts[:2] == ["schemas", "ids"]:
            return 200, self._as(self.schemas[int(parts[2]) - 1], "schema.proto", serialized)
        if method == "GET" and len(parts) == 4 and parts[2] == "versions":
            versions = self.subjects[parts[1]]
            number = len(versions) if parts[3] == "latest" else int(parts[3])
            return 200, self._as(self._version(parts[1], number), parts[1], serialized)
        return 404, {"error_code": 40401, "message": f"no such call: {method} {path}"}

    def _as(self, entry: dict[str, Any], name: str, serialized: bool) -> dict[str, Any]:
        """``entry`` with a Protobuf schema's text as the registry's ``format=serialized``
        gives it: a base64 ``FileDescriptorProto``, compiled by protoc from the text and its
        references' texts."""
        if not serialized or entry["schemaType"] != "PROTOBUF":
            return entry
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            files = self._texts(entry, name)
            for file, text in files.items():
                (root / file).parent.mkdir(parents=True, exist_ok=True)
                (root / file).write_text(text)
            out = root / "set.binpb"
            from grpc_tools import protoc

            wkt = Path(protoc.__file__).parent / "_proto"
            argv = ["protoc", f"-I{root}", f"-I{wkt}", f"--descriptor_set_out={out}", name]
            assert protoc.main(argv) == 0, f"protoc failed on {name}"
            found = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[-1]
        return {**entry, "schema": base64.b64encode(found.SerializeToString()).decode()}

    def _texts(self, entry: dict[str, Any], name: str) -> dict[str, str]:
        files = {name: entry["schema"]}
        for ref in entry["references"]:
            files.update(self._texts(self._version(ref["subject"], ref["version"]), ref["name"]))
        return files

    def _version(self, subject: str, number: int) -> dict[str, Any]:
        found = self.subjects[subject][number - 1]
        return {"subject": subject, "version": number, "id": found, **self.schemas[found - 1]}


@contextmanager
def registry() -> Iterator[Registry]:
    """A stand-in registry on a free local port for the ``with`` block."""
    state = Registry()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.headers.append(dict(self.headers))
            status, reply = state.answer(method, self.path, body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
