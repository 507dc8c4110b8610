"""`tuireader searches`: the saved searches, listed, renamed or removed."""

from __future__ import annotations

import argparse
from typing import TextIO

from tuireader.core import Reader
from tuireader.humanize import plural


def cmd_searches(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "rename":
        renamed = reader.rename_saved_search(args.name, args.new_name)
        out.write(f"renamed {args.name!r} to {renamed.name!r}\n")
        return 0
    if args.action == "remove":
        removed = reader.delete_saved_search(args.name)
        out.write(f"removed the saved search {removed.name!r}\n")
        return 0
    searches = reader.saved_searches()
    if not searches:
        out.write("no saved searches (save one in the app: / then ctrl+s)\n")
        return 0
    out.write(f"{plural(len(searches), 'saved search', 'saved searches')}:\n")
    for search in searches:
        shown = search.name if search.name == search.query else f"{search.name}: {search.query}"
        out.write(f"  {shown}\n")
    return 0
