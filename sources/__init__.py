"""Spruce source package root."""
