"""Rendering findings, diffs and summaries; one module per format."""
