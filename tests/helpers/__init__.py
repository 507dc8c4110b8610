"""Helpers shared by the store's fault, concurrency, migration and retention tests."""
