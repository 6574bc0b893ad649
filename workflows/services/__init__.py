"""Writes with rules of the workflows app, one module per area."""
