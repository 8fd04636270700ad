"""Fetch: download one web page, safely (no SSRF), with a time-out, a size cap and a redirect limit.

Only http(s). The host is resolved and EVERY address must be public (no loopback, private, link-local,
reserved, multicast or unspecified) unless Settings.allow_private_urls; we then connect to the address we
checked (so DNS cannot change its answer between check and connect), and follow redirects ourselves,
checking each hop the same way. The body is streamed and the download stops at the cap. The time-out is
one deadline for the whole fetch, every hop, header and read included: a server that drips a byte a
second is cut off at it like a silent one.
"""
from __future__ import annotations

import http.client
import io
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from factcheck.errors import IngestError
from factcheck.settings import Settings

USER_AGENT = "factcheck/0.1 (+offline fact-check assistant)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
# content types that can hold an article; anything else (images, PDFs, archives) is refused
_TEXT_TYPES = ("text/", "application/xhtml+xml", "application/json", "application/xml", "application/rss+xml")
# the Content-Encodings we ask for (Accept-Encoding) and can inflate; anything else is refused by name
_INFLATED = ("gzip", "x-gzip", "deflate")
# labels browsers read as Windows-1252 (WHATWG Encoding): a superset of their printable characters, so a page
# labelled Latin-1 that uses curly quotes (0x93/0x94) gets quotes, not C1 control characters
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                        "windows-1252", "cp1252", "x-cp1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
# characters a URL may carry as they are; the rest (non-ASCII, spaces, controls) are percent-encoded as UTF-8
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str
    body: bytes

    @property
    def encoding(self) -> str | None:
        """The charset to read `body` with; None lets corpus.decode tell it from the bytes (a BOM wins anyway).

        Bytes that are valid UTF-8 and not plain ASCII are read as UTF-8 whatever the header or a <meta>
        says: a wrong label is common, other text that happens to be valid UTF-8 is not. Otherwise the
        header's charset, else the page's <meta charset>, as a browser would."""
        if not self.body.isascii():
            try:
                self.body.decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                pass
        _, _, params = self.content_type.partition(";")
        label = next((v.strip(' "\'') for k, _, v in (p.partition("=") for p in params.split(";"))
                      if k.strip().lower() == "charset"), None)
        if not label:
            m = _META_CHARSET.search(self.body[:4096])
            label = m.group(1).decode("ascii") if m else None
            if label and label.lower().startswith(("utf-16", "utf-32")):
                label = None  # a <meta> read as ASCII cannot be UTF-16/32 (WHATWG ignores it too)
        if not label:
            return None
        return "cp1252" if label.lower() in _AS_CP1252 else label


def fetch_url(url: str, settings: Settings) -> Fetched:
    """GET `url`, following at most Settings.url_max_redirects redirects. Raises IngestError with the reason."""
    deadline = time.monotonic() + settings.url_timeout_s
    current = url.strip()
    for _hop in range(settings.url_max_redirects + 1):
        parts = _check_url(current)
        host = _ascii_host(parts, url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(host, port, allow_private=settings.allow_private_urls, timeout=_remaining(deadline, url))
        conn = _connection(parts.scheme, host, address, port, deadline)
        resp: http.client.HTTPResponse | None = None
        try:
            # a non-ASCII path (a typed URL, a redirect) goes out percent-encoded as UTF-8, as browsers send it
            path = quote(parts.path or "/", safe=_URL_SAFE) + (f"?{quote(parts.query, safe=_URL_SAFE)}"
                                                               if parts.query else "")
            netloc = parts.netloc.rpartition("@")[2]
            conn.request("GET", path, headers={
                # an internationalised name goes out in its xn-- form (it cannot be an IPv6 literal)
                "Host": netloc if netloc.isascii() else host + (f":{parts.port}" if parts.port else ""),
                "User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate", "Connection": "close"})
            resp = conn.getresponse()
            if resp.status in _REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise IngestError(f"{url}: the server redirected (HTTP {resp.status}) without saying where.")
                current = urljoin(current, _utf8_header(location))
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
            if resp is not None:
                resp.close()
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


def _ascii_host(parts: SplitResult, url: str) -> str:
    """The host as DNS, TLS and the Host header want it: an internationalised name in its xn-- form."""
    host = parts.hostname or ""
    try:
        return host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError as e:
        raise IngestError(f"{url}: the host name is not a valid internationalised name ({e}).") from e


def _utf8_header(value: str) -> str:
    """http.client reads header bytes as Latin-1; a server sends a non-ASCII Location as UTF-8 bytes."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address. IPv4-mapped and 6to4 (2002::/16) IPv6 addresses are judged as
    the IPv4 address they carry (a 6to4 relay delivers to it); site-local fec0::/10 is refused."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            return is_public(ip.sixtofour)
        elif ip.is_site_local:  # deprecated, but still routed inside some networks; Python calls it global
            return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified or not ip.is_global)


# what socket.getaddrinfo answers: (family, type, proto, canonname, sockaddr)
AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str,
                 tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]]


def resolve(host: str, port: int, *, allow_private: bool, timeout: float | None = None) -> str:
    """The address to connect to. Every address the name resolves to must be public: a name that also
    points inside the network is refused, whichever address a connection would have used. With `timeout`,
    a name server that takes longer (a hostile one can take minutes) is given up on."""
    try:
        infos = _getaddrinfo(host, port, timeout)
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


def _getaddrinfo(host: str, port: int, timeout: float | None) -> Sequence[AddrInfo]:
    if timeout is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # getaddrinfo takes no time-out: ask in a thread and stop waiting for it at the deadline
    # (the thread ends when the resolver gives up on its own)
    answer: list[Sequence[AddrInfo] | Exception] = []

    def ask() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as e:  # noqa: BLE001 - handed to the caller's thread
            answer.append(e)

    asking = threading.Thread(target=ask, name=f"resolve {host}", daemon=True)
    asking.start()
    asking.join(timeout)
    if not answer:
        raise IngestError(f"{host}: timed out looking up the host name.")
    if isinstance(answer[0], Exception):
        raise answer[0]
    return list(answer[0])


class _DeadlineSocket:
    """A connected socket whose every read and write may wait only until the fetch's deadline. A per-read
    time-out is not enough: a server that sends a byte a second keeps every read short, for ever."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        # as socket.socket does: http.client closes the connection once the headers say "close", while the
        # response still reads the body through makefile(); the socket closes when both are done with it
        self._readers = 0
        self._closed = False

    def _arm(self) -> None:
        self._sock.settimeout(_left(self._deadline))

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: memoryview) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        # http.client reads the status line, headers and body through this, one bounded recv at a time
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self._sock.close()

    def _reader_closed(self) -> None:
        self._readers -= 1
        if self._closed:
            self.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock._reader_closed()
        super().close()


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate verified for the host name (SNI)."""

    def __init__(self, host: str, address: str, port: int, deadline: float) -> None:
        super().__init__(host, port, context=ssl.create_default_context())
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), _left(self._deadline))
        sock.settimeout(_left(self._deadline))  # the TLS handshake gets what the connect left
        tls = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.sock = _DeadlineSocket(tls, self._deadline)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, deadline: float) -> None:
        super().__init__(host, port)
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), _left(self._deadline))
        self.sock = _DeadlineSocket(sock, self._deadline)


def _connection(scheme: str, host: str, address: str, port: int, deadline: float) -> http.client.HTTPConnection:
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(host, address, port, deadline)


def _read_capped(resp: http.client.HTTPResponse, cap: int, deadline: float, url: str) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.isdigit() and int(length) > cap:
        raise IngestError(f"{url}: the page is {int(length):,} bytes, over the {cap:,}-byte limit.")
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("", "identity", *_INFLATED):
        # not inflated, such a body would be read as text and stored as garbage, or refused as "binary"
        raise IngestError(f"{url}: the server sent the page compressed as {encoding}, which factcheck cannot "
                          "read (it asks for gzip or deflate).")
    # MAX_WBITS | 32: a zlib or a gzip header, whichever the server sent
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in _INFLATED else None
    out = bytearray()
    while True:
        _remaining(deadline, url)
        chunk = resp.read(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            try:
                # bounded inflate: a small compressed body cannot blow up past the cap
                chunk = inflate.decompress(chunk, cap + 1 - len(out))
            except zlib.error as e:
                raise IngestError(f"{url}: the server said the page is {encoding}-compressed, but it is not "
                                  f"valid {encoding} data ({e}).") from e
        out += chunk
        if len(out) > cap:
            raise IngestError(f"{url}: the page is over the {cap:,}-byte limit; download stopped.")
    # http.client returns what came before the connection closed; a part of an article is not the article
    if resp.length or (inflate is not None and not inflate.eof):
        raise IngestError(f"{url}: the download was cut short (the connection closed before the end of the page); "
                          "nothing stored, try again.")
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
