"""Which browser ``o`` runs: config's ``browser`` ("w3m %u"), else ``$BROWSER``.

A named browser command runs with the app suspended, as newsboat does: a terminal browser
(w3m, lynx, less) gets the terminal and the app comes back when it exits. Without one, the
system's browser opens the link (``webbrowser``) and the app stays.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping


def browser_command(
    configured: str, url: str, environ: Mapping[str, str] | None = None
) -> list[str] | None:
    """The command to run for ``url`` (``%u`` replaced, else appended), or None for none.

    ``$BROWSER`` may list several commands separated by ``:``; the first is used.
    """
    env = os.environ if environ is None else environ
    template = configured.strip() or env.get("BROWSER", "").split(os.pathsep)[0].strip()
    if not template:
        return None
    try:
        words = shlex.split(template)
    except ValueError:
        words = template.split()
    if not words:
        return None
    if any("%u" in word for word in words):
        return [word.replace("%u", url) for word in words]
    return [*words, url]
