"""Fetch: download one web page, safely (no SSRF), with a time-out, a size cap and a redirect limit.

Only http(s). The host is resolved and EVERY address must be public (no loopback, private, link-local,
reserved, multicast or unspecified) unless Settings.allow_private_urls; we then connect to the address we
checked (so DNS cannot change its answer between check and connect), and follow redirects ourselves,
checking each hop the same way. The body is streamed and the download stops at the cap.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

from factcheck.errors import IngestError
from factcheck.settings import Settings

USER_AGENT = "factcheck/0.1 (+offline fact-check assistant)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
# content types that can hold an article; anything else (images, PDFs, archives) is refused
_TEXT_TYPES = ("text/", "application/xhtml+xml", "application/json", "application/xml", "application/rss+xml")


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str
    body: bytes


def fetch_url(url: str, settings: Settings) -> Fetched:
    """GET `url`, following at most Settings.url_max_redirects redirects. Raises IngestError with the reason."""
    deadline = time.monotonic() + settings.url_timeout_s
    current = url.strip()
    for _hop in range(settings.url_max_redirects + 1):
        parts = _check_url(current)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(host, port, allow_private=settings.allow_private_urls)
        conn = _connection(parts.scheme, host, address, port, _remaining(deadline, url))
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={
                "Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate", "Connection": "close"})
            resp = conn.getresponse()
            if resp.status in _REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise IngestError(f"{url}: the server redirected (HTTP {resp.status}) without saying where.")
                current = urljoin(current, location)
                continue
            if not 200 <= resp.status < 300:
                raise IngestError(f"{url}: the server answered HTTP {resp.status} {resp.reason}.")
            ctype = resp.getheader("Content-Type") or "text/html"
            if not ctype.lower().startswith(_TEXT_TYPES):
                raise IngestError(f"{url}: the page is {ctype.split(';')[0]}, not a web page or text.")
            body = _read_capped(resp, settings.url_max_bytes, deadline, url)
            return Fetched(url=url, final_url=current, content_type=ctype, body=body)
        except (OSError, http.client.HTTPException) as e:
            raise IngestError(f"{url}: download failed ({_why(e)}).") from e
        finally:
            conn.close()
    raise IngestError(f"{url}: more than {settings.url_max_redirects} redirects; giving up.")


def _check_url(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise IngestError(f"{url}: only http:// and https:// addresses can be fetched ({shown} refused); "
                          "give a local file as a path instead.")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in 0-65535
    except ValueError as e:
        raise IngestError(f"{url}: the address has a bad port ({e}).") from e
    if not parts.hostname:
        raise IngestError(f"{url}: the address has no host name.")
    return parts


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address (IPv4-mapped IPv6 judged as its IPv4 address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified or not ip.is_global)


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to. Every address the name resolves to must be public: a name that also
    points inside the network is refused, whichever address a connection would have used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise IngestError(f"{host}: the host name cannot be resolved ({_why(e)}).") from e
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise IngestError(f"{host}: the host name resolves to no address.")
    if not allow_private:
        for a in addresses:
            if not is_public(ipaddress.ip_address(a.split("%", 1)[0])):
                raise IngestError(
                    f"{host}: refused, it resolves to {a}, a loopback, private, link-local or reserved address "
                    "(set FACTCHECK_ALLOW_PRIVATE_URLS=1 to allow addresses inside your network).")
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate verified for the host name (SNI)."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def _connection(scheme: str, host: str, address: str, port: int, timeout: float) -> http.client.HTTPConnection:
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(host, address, port, timeout)


def _read_capped(resp: http.client.HTTPResponse, cap: int, deadline: float, url: str) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.isdigit() and int(length) > cap:
        raise IngestError(f"{url}: the page is {int(length):,} bytes, over the {cap:,}-byte limit.")
    encoding = (resp.getheader("Content-Encoding") or "identity").lower()
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in ("gzip", "deflate", "x-gzip") else None
    out = bytearray()
    while True:
        _remaining(deadline, url)
        chunk = resp.read(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            # bounded inflate: a small compressed body cannot blow up past the cap
            chunk = inflate.decompress(chunk, cap + 1 - len(out))
        out += chunk
        if len(out) > cap:
            raise IngestError(f"{url}: the page is over the {cap:,}-byte limit; download stopped.")
    return bytes(out)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise IngestError(f"{url}: timed out.")
    return left


def _why(e: BaseException) -> str:
    if isinstance(e, TimeoutError | socket.timeout):
        return "timed out"
    return str(e) or type(e).__name__
