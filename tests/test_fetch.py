"""fetch against a real local HTTP server on 127.0.0.1 (allowed only with allow_private_urls=True)."""
from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factcheck import corpus, fetch
from factcheck.errors import IngestError
from factcheck.settings import Settings

PAGE = (b"<html><head><meta property='og:site_name' content='Local Gazette'><title>x</title></head><body>"
        b"<article><h1>Harbour Bridge Closed For Repairs</h1><p>The harbour bridge will close for six weeks "
        b"from Monday, the city said, while engineers replace 120 cables.</p></article></body></html>")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        routes = {
            "/article": lambda: self._send(200, PAGE),
            "/plain": lambda: self._send(200, "Prices rose 3% in May, the office said.".encode("cp1252"),
                                         "text/plain; charset=windows-1252"),
            "/redirect": lambda: self._send(302, headers={"Location": "/article"}),
            "/loop": lambda: self._send(301, headers={"Location": "/loop"}),
            "/to-metadata": lambda: self._send(302, headers={"Location": "http://169.254.169.254/latest/"}),
            "/to-file": lambda: self._send(302, headers={"Location": "file:///etc/passwd"}),
            "/image": lambda: self._send(200, b"\x89PNG\x00\x00", "image/png"),
            "/missing": lambda: self._send(404, b"no"),
            "/gzip": lambda: self._send(200, gzip.compress(PAGE), headers={"Content-Encoding": "gzip"}),
            "/bomb": lambda: self._send(200, gzip.compress(b"a" * 5_000_000), "text/plain",
                                        {"Content-Encoding": "gzip"}),
            "/slow": self._slow,
            "/endless": self._endless,
        }
        routes.get(self.path, lambda: self._send(404))()

    def _slow(self) -> None:
        time.sleep(1.5)
        try:
            self._send(200, PAGE)
        except OSError:
            pass  # the client gave up first: that is the point

    def _endless(self) -> None:
        # no Content-Length: the cap must stop the stream itself
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b"x" * 65536)
        except OSError:
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOCAL = Settings(allow_private_urls=True, url_timeout_s=5.0)


def test_happy_path_follows_a_redirect(server: str):
    got = fetch.fetch_url(f"{server}/redirect", LOCAL)
    assert got.url == f"{server}/redirect" and got.final_url == f"{server}/article"
    assert got.content_type.startswith("text/html") and got.body == PAGE


def test_gzip_body_is_inflated(server: str):
    assert fetch.fetch_url(f"{server}/gzip", LOCAL).body == PAGE


def test_read_url_turns_the_page_into_a_draft(server: str):
    (d,) = corpus.read_url(f"{server}/article", LOCAL)
    assert d.source == "Local Gazette" and d.title == "Harbour Bridge Closed For Repairs"
    assert "120 cables" in d.text and d.origin == f"{server}/article" and d.url == f"{server}/article"


def test_read_url_plain_text_uses_the_charset(server: str):
    (d,) = corpus.read_url(f"{server}/plain", LOCAL)
    assert d.text.startswith("Prices rose 3% in May")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost/", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.0.9/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/",
])
def test_private_addresses_are_refused_by_default(url: str):
    with pytest.raises(IngestError, match="refused") as e:
        fetch.fetch_url(url, Settings())
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.txt", "gopher://x/", "/etc/passwd",
                                 "javascript:alert(1)"])
def test_non_http_schemes_are_refused_even_when_private_is_allowed(url: str):
    for s in (Settings(), LOCAL):
        with pytest.raises(IngestError, match="only http"):
            fetch.fetch_url(url, s)


def test_every_resolved_address_is_checked(monkeypatch):
    def fake_getaddrinfo(host, port, *a, **kw):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(IngestError, match="10.0.0.7"):
        fetch.fetch_url("http://mixed.example/", Settings())


def test_each_redirect_hop_is_checked_again(server: str, monkeypatch):
    # treat the test server's 127.0.0.1 as public, so only the second hop can be refused
    real = fetch.is_public
    monkeypatch.setattr(fetch, "is_public", lambda ip: str(ip) == "127.0.0.1" or real(ip))
    assert fetch.fetch_url(f"{server}/article", Settings()).body == PAGE
    with pytest.raises(IngestError, match="169.254.169.254"):
        fetch.fetch_url(f"{server}/to-metadata", Settings())
    with pytest.raises(IngestError, match="only http"):
        fetch.fetch_url(f"{server}/to-file", Settings())


def test_redirect_limit(server: str):
    with pytest.raises(IngestError, match="more than 2 redirects"):
        fetch.fetch_url(f"{server}/loop", Settings(allow_private_urls=True, url_max_redirects=2))


@pytest.mark.parametrize(("path", "why"), [
    ("/image", "image/png"), ("/missing", "HTTP 404"),
])
def test_bad_responses(server: str, path: str, why: str):
    with pytest.raises(IngestError, match=why):
        fetch.fetch_url(f"{server}{path}", LOCAL)


def test_size_cap_by_header_by_stream_and_after_inflating(server: str):
    small = Settings(allow_private_urls=True, url_max_bytes=100)
    with pytest.raises(IngestError, match="limit"):
        fetch.fetch_url(f"{server}/article", small)  # Content-Length says too big
    capped = Settings(allow_private_urls=True, url_max_bytes=1_000_000)
    with pytest.raises(IngestError, match="download stopped"):
        fetch.fetch_url(f"{server}/endless", capped)
    with pytest.raises(IngestError, match="download stopped"):
        fetch.fetch_url(f"{server}/bomb", capped)


def test_time_out(server: str):
    with pytest.raises(IngestError, match="timed out"):
        fetch.fetch_url(f"{server}/slow", Settings(allow_private_urls=True, url_timeout_s=0.3))


def test_malformed_addresses():
    with pytest.raises(IngestError, match="bad port"):
        fetch.fetch_url("http://example.com:99999/", Settings())
    with pytest.raises(IngestError, match="no host"):
        fetch.fetch_url("http:///path", Settings())


def test_unresolvable_host():
    with pytest.raises(IngestError, match="cannot be resolved"):
        fetch.fetch_url("http://no-such-host.invalid/", Settings())
