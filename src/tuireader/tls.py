"""The TLS context of every fetch: httpx's certificate checking, the CA bundle read in a thread.

Reading the bundle (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR as httpx honours them) costs
35-60 ms of CPU, which every refresh paid before its first request. A thread now reads it
while the fetcher starts (OpenSSL parses it without holding the GIL), and only a request that
may make a TLS connection (https://, or any request through a proxy) waits for it.

The context stays a plain ``ssl.SSLContext``: anyio sets up the TLS of any subclass in a
worker thread, ~0.1 ms more CPU per connection.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import sys
import threading


class CertificateError(Exception):
    """The CA certificates could not be read: no TLS connection can be checked."""


class Certificates:
    """A context as ``httpx.create_ssl_context()`` makes it, its CAs loading in a thread."""

    def __init__(self) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        # ssl.create_default_context's other settings (PROTOCOL_TLS_CLIENT already requires a
        # certificate and checks the host name).
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.check_hostname = True
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and not sys.flags.ignore_environment:
            self.context.keylog_filename = keylog
        self._loaded = threading.Event()
        self._error: str | None = None
        threading.Thread(target=self._load, name="tuireader-ca-bundle", daemon=True).start()

    def _load(self) -> None:
        try:
            load_httpx_cas(self.context)
        except (OSError, ssl.SSLError) as error:
            where = os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR") or ""
            self._error = f"{where}: {error.strerror or error}" if where else str(error)
        finally:
            self._loaded.set()

    async def ready(self) -> None:
        """Once the CAs are in the context (CertificateError if they cannot be read)."""
        if not self._loaded.is_set():
            await asyncio.to_thread(self._loaded.wait)
        if self._error is not None:
            raise CertificateError(f"cannot read the CA certificates ({self._error})")


def load_httpx_cas(context: ssl.SSLContext) -> None:
    """The CAs httpx.create_ssl_context(verify=True, trust_env=True) trusts."""
    if os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
