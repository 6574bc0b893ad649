"""The performance layer: each piece, what it replaces and what it earns is in the README ("Performance layer")."""
