"""The TLS context of every fetch: httpx's certificate checking, the CA bundle read on first use.

Reading the bundle (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR as httpx honours them) costs
35-60 ms of CPU, which every refresh paid before its first request, even one that never
makes a TLS connection (http:// feeds only). Now it is paid once, just before the first
TLS handshake.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import Any


class LazyCAContext(ssl.SSLContext):
    """``ssl.create_default_context(cafile=...)`` as httpx makes it, loading the CAs late.

    Every TLS connection goes through :meth:`wrap_socket` (sync) or :meth:`wrap_bio`
    (asyncio, anyio), and both load the certificates before they hand out a connection.
    """

    _lock: threading.Lock
    _loaded: bool

    def _load_once(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                load_httpx_cas(self)
                self._loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_once()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_once()
        return super().wrap_bio(*args, **kwargs)


def lazy_ca_context() -> LazyCAContext:
    """What ``httpx.create_ssl_context()`` returns, but with its CAs loaded on first use."""
    context = LazyCAContext(ssl.PROTOCOL_TLS_CLIENT)
    context._lock = threading.Lock()
    context._loaded = False
    # ssl.create_default_context's other settings (PROTOCOL_TLS_CLIENT already requires a
    # certificate and checks the host name).
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    return context


def load_httpx_cas(context: ssl.SSLContext) -> None:
    """The CAs httpx.create_ssl_context(verify=True, trust_env=True) trusts."""
    if os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
