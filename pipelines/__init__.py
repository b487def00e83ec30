"""Builds and runs dlt pipelines from the Spruce source; the spruce-sync CLI."""
