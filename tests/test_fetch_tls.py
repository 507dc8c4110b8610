"""Fetching over TLS: the certificate is checked, with the CA bundle read in a thread."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme

from tuireader import fetch
from tuireader.fetch import Fetcher, FetchStatus

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate a test CA signed: (its URL, CA file)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(FEED), FEED)
            )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client refused our certificate
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}/feed.xml", ca_file


@pytest.fixture(autouse=True)
def fresh_tls_context() -> None:
    fetch.certificates.cache_clear()  # each test reads the CAs its environment names


async def test_a_certificate_from_a_trusted_ca_is_accepted(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_file = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))

    async with Fetcher(connect_timeout=5, read_timeout=5, deadline=10) as fetcher:
        result = await fetcher.fetch(url)

    assert result.status is FetchStatus.OK
    assert result.body == FEED
    context = fetch.tls_context()
    assert context.cert_store_stats()["x509_ca"] == 1
    # Exactly an SSLContext: anyio sets up a subclass's TLS in a thread, for every connection.
    assert type(context) is ssl.SSLContext


async def test_a_certificate_from_an_unknown_ca_is_refused(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ca_file = tls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    async with Fetcher(connect_timeout=5, read_timeout=5, deadline=10) as fetcher:
        result = await fetcher.fetch(url)

    assert result.status is FetchStatus.FAILED
    assert result.reason is not None and result.reason.startswith("TLS error")
    assert fetch.tls_context().cert_store_stats()["x509_ca"] > 100  # certifi's bundle


async def test_a_missing_ca_file_fails_https_feeds_saying_so(
    tls_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ca_file = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "gone.pem"))

    async with Fetcher(connect_timeout=5, read_timeout=5, deadline=10) as fetcher:
        result = await fetcher.fetch(url)

    assert result.status is FetchStatus.FAILED
    assert (
        result.reason
        == f"cannot read the CA certificates ({tmp_path / 'gone.pem'}: No such file or directory)"
    )


def test_the_context_checks_as_httpx_does() -> None:
    import httpx

    ours, theirs = fetch.tls_context(), httpx.create_ssl_context()
    assert ours.verify_mode == theirs.verify_mode == ssl.CERT_REQUIRED
    assert ours.check_hostname and theirs.check_hostname
    assert ours.options == theirs.options
    assert ours.minimum_version == theirs.minimum_version
    assert ours.verify_flags == theirs.verify_flags
