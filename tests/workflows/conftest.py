"""Fixtures shared by the workflows tests (the browser is suite-wide: tests/conftest.py)."""
