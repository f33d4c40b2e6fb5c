"""A real HTTP server on 127.0.0.1 (random port) that serves sitemaps, good and bad, for discovery tests."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*paths: str, host: str = "https://acme.test") -> bytes:
    body = "".join(f"<url><loc>{host}{path}</loc></url>" for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{body}</urlset>'.encode()


def index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{body}</sitemapindex>'.encode()


class SitemapServer:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                if self.path == "/slow.xml":
                    time.sleep(1.5)
                status, headers, body = server.routes.get(self.path, (404, {"Content-Type": "text/plain"},
                                                                      b"Not Found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers and not headers.get("X-No-Length"):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._install_routes()

    def url(self, path: str) -> str:
        return self.base + path

    def _install_routes(self) -> None:
        xml = {"Content-Type": "application/xml"}
        self.routes.update({
            "/sitemap_index.xml": (200, xml, index(self.url("/pages.xml"), self.url("/posts.xml.gz"),
                                                   self.url("/more-index.xml"))),
            "/pages.xml": (200, xml, urlset("/", "/ac-repair", "/service-areas/mesa")),
            "/posts.xml.gz": (200, {"Content-Type": "application/x-gzip"},
                              gzip.compress(urlset("/blog/ac-tips", "/coupons"))),
            "/more-index.xml": (200, xml, index(self.url("/deep.xml"), self.url("/pages.xml"))),
            "/deep.xml": (200, {"Content-Type": "text/xml; charset=utf-8"}, urlset("/lp/summer-ac")),
            "/encoded.xml": (200, {"Content-Type": "application/xml", "Content-Encoding": "gzip"},
                             gzip.compress(urlset("/drain-cleaning"))),
            "/page.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                           b"<!doctype html><html><head><title>Acme</title></head><body>Hi</body></html>"),
            "/json": (200, {"Content-Type": "application/json"}, b'{"pages": ["/a"]}'),
            "/huge.xml": (200, xml, urlset(*[f"/page-{i}" for i in range(2000)])),
            "/huge-unannounced.xml": (200, {"Content-Type": "application/xml", "X-No-Length": "1",
                                            "Connection": "close"}, urlset(*[f"/p-{i}" for i in range(2000)])),
            "/to-ftp": (302, {"Location": "ftp://acme.test/sitemap.xml"}, b""),
            "/to-file": (301, {"Location": "file:///etc/passwd"}, b""),
            "/to-pages": (301, {"Location": "/pages.xml"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/index-ftp.xml": (200, xml, index(self.url("/pages.xml"), "ftp://acme.test/s.xml")),
            "/index-404.xml": (200, xml, index(self.url("/pages.xml"), self.url("/gone.xml"))),
            "/index-many.xml": (200, xml, index(*[self.url(f"/s{i}.xml") for i in range(60)])),
            "/empty.xml": (200, xml, b""),
            "/slow.xml": (200, xml, urlset("/a")),
            "/server-error.xml": (503, {"Content-Type": "text/plain", "Retry-After": "60"}, b"busy"),
        })

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def running_server() -> Iterator[SitemapServer]:
    server = SitemapServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
