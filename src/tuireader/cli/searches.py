"""`tuireader searches`: the saved searches (query feeds), listed with their unread counts,
added, edited, renamed or removed."""

from __future__ import annotations

import argparse
from typing import TextIO

from tuireader.core import Reader
from tuireader.humanize import plural
from tuireader.query import parse_query


def cmd_searches(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.action in ("add", "edit"):
        parse_query(args.query)  # a QueryError is the command's one-line error
        if args.action == "add":
            added = reader.store.add_saved_search(args.name, args.query)
            out.write(f"saved {added.name!r}: {added.query}\n")
        else:
            edited = reader.store.edit_saved_search(args.name, args.query)
            out.write(f"{edited.name!r} now searches {edited.query}\n")
        return 0
    if args.action == "rename":
        renamed = reader.rename_saved_search(args.name, args.new_name)
        out.write(f"renamed {args.name!r} to {renamed.name!r}\n")
        return 0
    if args.action == "remove":
        removed = reader.delete_saved_search(args.name)
        out.write(f"removed the saved search {removed.name!r}\n")
        return 0
    searches = reader.store.query_feeds()
    if not searches:
        out.write("no saved searches (save one in the app: / then ctrl+s)\n")
        return 0
    out.write(f"{plural(len(searches), 'saved search', 'saved searches')}:\n")
    for search in searches:
        shown = search.name if search.name == search.query else f"{search.name}: {search.query}"
        count = "query error" if search.unread is None else f"{search.unread} unread"
        out.write(f"  {shown}  ({count})\n")
    return 0
