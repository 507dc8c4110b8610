"""Sync with a reader's server: the Google Reader API and Fever, offline first.

One module per API (:mod:`greader`, :mod:`fever`) behind the :class:`~.types.SyncClient`
protocol; :mod:`engine` pushes the pending-actions queue and then pulls; :mod:`http` is
the capped, deadlined HTTP every client uses; :mod:`secrets` finds the password. Nothing
here imports Textual: the app runs a sync in a thread worker.
"""
