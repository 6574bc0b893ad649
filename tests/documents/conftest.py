"""The suite's own clamd (tests/clamd.py) for the scanning tests."""

from tests.clamd import clamd_socket

__all__ = ["clamd_socket"]
