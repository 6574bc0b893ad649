"""A bounded load test of the public action flow against the production server: ``python -m loadtest``."""
