"""A stand-in for the Hugging Face hub on 127.0.0.1: the HTTP endpoints huggingface_hub's ``snapshot_download``
and ``HfApi.list_repo_tree`` use, serving local folders, so ``brief models pull`` runs its real download path.

- ``GET /api/models/ORG/NAME/tree/COMMIT``: the file listing (path, size, oid).
- ``HEAD``/``GET /ORG/NAME/resolve/COMMIT/FILE``: a file, with the headers the client reads (X-Repo-Commit,
  ETag, Content-Length) and byte ranges for resumed downloads.

``failing`` names files refused (HTTP 403, which the client does not retry), as a hub that drops out for the
rest of a pull would; ``cut_once`` names files whose first download stops halfway (the connection closed
after half the bytes), as a flaky network would.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


class LocalHub:
    """Serves ``repos`` ({(hub_id, commit): folder}) until ``close``; ``requests`` logs (method, path)."""

    def __init__(self, repos: dict[tuple[str, str], Path]) -> None:
        self.repos = repos
        self.failing: set[str] = set()
        self.cut_once: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self.ranges: list[tuple[str, str, str | None]] = []  # (method, path, Range header) of every request
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._answer(self)

            def do_GET(self) -> None:
                hub._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def downloaded(self) -> list[str]:
        """The files fetched with GET so far, by name."""
        return [path.rsplit("/", 1)[-1] for method, path in self.requests if method == "GET" and "/resolve/" in path]

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(urlparse(request.path).path)
        self.requests.append((request.command, path))
        self.ranges.append((request.command, path, request.headers.get("Range")))
        if path.startswith("/api/models/"):
            parts = path[len("/api/models/"):].split("/")  # ORG NAME tree COMMIT
            folder = self.repos.get(("/".join(parts[:2]), parts[3] if len(parts) > 3 else ""))
            if folder is None:
                return _send(request, 404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound"})
            listing = [{"type": "file", "path": p.relative_to(folder).as_posix(), "size": p.stat().st_size,
                        "oid": hashlib.sha1(p.read_bytes()).hexdigest()}
                       for p in sorted(folder.rglob("*")) if p.is_file()]
            return _send(request, 200, json.dumps(listing).encode(), {"Content-Type": "application/json"})
        parts = path.split("/")  # "" ORG NAME resolve COMMIT FILE...
        folder = self.repos.get(("/".join(parts[1:3]), parts[4] if len(parts) > 4 else ""))
        name = "/".join(parts[5:])
        if folder is None or len(parts) < 6 or parts[3] != "resolve" or not (folder / name).is_file():
            return _send(request, 404, b"", {"X-Error-Code": "EntryNotFound"})
        if name in self.failing:
            return _send(request, 403, b"forbidden", {})
        data = (folder / name).read_bytes()
        headers = {"X-Repo-Commit": parts[4], "ETag": f'"{hashlib.sha256(data).hexdigest()}"', "Accept-Ranges": "bytes"}
        ranged = request.headers.get("Range")
        if name in self.cut_once and request.command == "GET" and not ranged:
            self.cut_once.discard(name)
            return _send(request, 200, data, headers, cut=len(data) // 2)
        if ranged and request.command == "GET":
            start = int(ranged.split("=")[1].split("-")[0])
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            return _send(request, 206, data[start:], headers)
        return _send(request, 200, data, headers)


def _send(request: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str],
          cut: int | None = None) -> None:
    request.send_response(status)
    for key, value in headers.items():
        request.send_header(key, value)
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(data if cut is None else data[:cut])
    if cut is not None:
        request.wfile.flush()
        request.close_connection = True
