"""fetch against a real local HTTP server on 127.0.0.1 (allowed only with allow_private_urls=True)."""
from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from reliability_support import make_fc

from factcheck.errors import IngestError
from factcheck.ingest import corpus, fetch
from factcheck.settings import Settings

PAGE = (b"<html><head><meta property='og:site_name' content='Local Gazette'><title>x</title></head><body>"
        b"<article><h1>Harbour Bridge Closed For Repairs</h1><p>The harbour bridge will close for six weeks "
        b"from Monday, the city said, while engineers replace 120 cables.</p></article></body></html>")
ACCENTED = "Café owners in Zürich said on Monday that prices rose 3% in May, the “office” said."
CYRILLIC = ("<html><head><meta charset='windows-1251'></head><body><p>Москва закрыла мост на ремонт, "
            "сообщили в мэрии.</p></body></html>")
# how long a slow-drip route keeps dripping at most, so a test that fails cannot hang CI
DRIP_MAX_S = 6.0


class _Handler(BaseHTTPRequestHandler):
    release = threading.Event()  # set: the drip routes stop dripping
    dripping = threading.Event()  # set by a drip route once it has the request

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
            "/drip-headers": lambda: self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Drip: ", b"a"),
            "/drip-body": lambda: self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                             b"Content-Length: 100000\r\n\r\n", b"a"),
            "/continue-forever": lambda: self._drip(b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
            "/short": lambda: self._send(200, PAGE, headers={"Content-Length": str(len(PAGE) + 500)}),
            "/short-gzip": lambda: self._send(200, gzip.compress(PAGE)[:-30], headers={"Content-Encoding": "gzip"}),
            "/not-gzip": lambda: self._send(200, PAGE, headers={"Content-Encoding": "gzip"}),
            "/brotli": lambda: self._send(200, bytes(range(256)) * 4, headers={"Content-Encoding": "br"}),
            "/utf8-said-latin1": lambda: self._send(200, ACCENTED.encode(), "text/plain; charset=iso-8859-1"),
            "/latin1-said-latin1": lambda: self._send(200, ACCENTED.encode("cp1252"), "text/plain; charset=iso-8859-1"),
            "/meta-charset": lambda: self._send(200, CYRILLIC.encode("cp1251"), "text/html"),
            # a raw UTF-8 Location, as servers send it (http.server itself would write latin-1)
            "/to-unicode": lambda: self._send(302, headers={"Location": "/café?q=ü".encode().decode("latin-1")}),
            "/caf%C3%A9?q=%C3%BC": lambda: self._send(200, PAGE),
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


    def _drip(self, head: bytes, unit: bytes) -> None:
        """A hostile server: `head`, then `unit` every 0.1 s, each read on its own well inside any time-out."""
        _Handler.dripping.set()
        t0 = time.monotonic()
        try:
            self.wfile.write(head)
            while not _Handler.release.wait(0.1) and time.monotonic() - t0 < DRIP_MAX_S:
                self.wfile.write(unit)
        except OSError:
            pass  # the client gave up: that is the point


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.release.set()
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


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body", "/continue-forever"])
def test_the_time_out_is_a_deadline_for_the_whole_download(server: str, path: str):
    # one byte every 0.1 s: no single read ever waits long, so only a deadline over the whole fetch stops it
    _Handler.release.clear()
    t0 = time.monotonic()
    with pytest.raises(IngestError, match="timed out"):
        fetch.fetch_url(f"{server}{path}", Settings(allow_private_urls=True, url_timeout_s=1.0))
    assert time.monotonic() - t0 < 4.0  # the behaviour under test is the 1 s deadline itself, not a speed figure


def test_a_slow_download_does_not_hold_up_other_writers(server: str, tmp_path: Path):
    fc = make_fc(tmp_path / "store", allow_private_urls=True, url_timeout_s=DRIP_MAX_S + 2)
    try:
        assert fc.ingest_text("The council said 12 bridges will close next year.", source="Warm Up").status == "added"
        _Handler.release.clear()
        _Handler.dripping.clear()
        fetched: list[str] = []
        fetching = threading.Thread(target=lambda: fetched.append(fc.ingest_url(f"{server}/drip-body")[0].status),
                                    daemon=True)
        fetching.start()
        assert _Handler.dripping.wait(5)
        done: list[str] = []
        writer = threading.Thread(target=lambda: done.append(fc.ingest_text(
            "Engineers found corrosion in 40 of the 120 cables, the report said.", source="Other Desk").status),
            daemon=True)
        writer.start()
        writer.join(4.0)
        wrote, still_fetching = list(done), fetching.is_alive()
        _Handler.release.set()
        fetching.join(10)
        writer.join(10)
        assert wrote == ["added"] and still_fetching, "the other ingest waited for the download"
        assert fetched == ["refused"] and fc.store.stats()["articles"] == 2  # the cut-off page stored nothing
    finally:
        fc.store.close()


def test_a_body_shorter_than_its_content_length_is_refused(server: str):
    with pytest.raises(IngestError, match="cut short"):
        fetch.fetch_url(f"{server}/short", LOCAL)


def test_a_gzip_stream_that_stops_early_is_refused(server: str):
    with pytest.raises(IngestError, match="cut short"):
        fetch.fetch_url(f"{server}/short-gzip", LOCAL)


@pytest.mark.parametrize(("path", "why"), [("/not-gzip", "not valid gzip"), ("/brotli", "compressed as br")])
def test_a_body_factcheck_cannot_inflate_is_refused_with_the_reason(server: str, path: str, why: str):
    with pytest.raises(IngestError, match=why):
        fetch.fetch_url(f"{server}{path}", LOCAL)


def test_valid_utf8_bytes_win_over_a_wrong_charset_header(server: str):
    (d,) = corpus.read_url(f"{server}/utf8-said-latin1", LOCAL)
    assert d.text == ACCENTED


def test_a_latin1_label_is_read_as_windows_1252_as_browsers_do(server: str):
    (d,) = corpus.read_url(f"{server}/latin1-said-latin1", LOCAL)
    assert d.text == ACCENTED  # the curly quotes are 0x93/0x94, C1 controls in strict Latin-1


def test_a_meta_charset_is_used_when_the_header_names_none(server: str):
    (d,) = corpus.read_url(f"{server}/meta-charset", LOCAL)
    assert "Москва закрыла мост" in d.text


def test_a_redirect_to_a_non_ascii_address_is_followed(server: str):
    got = fetch.fetch_url(f"{server}/to-unicode", LOCAL)
    assert got.body == PAGE and got.final_url == f"{server}/café?q=ü"


@pytest.mark.parametrize("url", ["http://[2002:7f00:1::1]/", "http://[2002:a9fe:a9fe::]/", "http://[fec0::1]/"])
def test_ipv6_that_reaches_inside_is_refused(url: str):
    with pytest.raises(IngestError, match="refused"):
        fetch.fetch_url(url, Settings())


def test_6to4_of_a_public_ipv4_counts_as_public():
    assert fetch.is_public(ipaddress.ip_address("2002:808:808::1"))


def test_a_slow_name_lookup_counts_against_the_deadline(monkeypatch):
    answered = threading.Event()

    def slow_getaddrinfo(host, port, *a, **kw):  # a hostile name server that takes its time
        answered.wait(DRIP_MAX_S)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    t0 = time.monotonic()
    try:
        with pytest.raises(IngestError, match="timed out"):
            fetch.fetch_url("http://slow-dns.example/", Settings(url_timeout_s=1.0))
        assert time.monotonic() - t0 < 4.0  # the 1 s deadline covers name resolution: the deadline is what is tested
    finally:
        answered.set()
