"""Spruce's webhooks: receive signed deliveries into a durable inbox, apply them later.

``signature`` verifies a delivery, ``events`` parses and protects its envelope, ``inbox``
keeps it (SQLite, beside nothing of the warehouse), ``receiver`` is the Starlette app of
``spruce-sync webhooks serve``, ``secrets`` reads the signing secrets from dlt.
"""
