"""Random, never sequential public identifiers, shared by every app (each app names its own prefixes)."""

import secrets

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PUBLIC_ID_LENGTH = 22


def random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def new_public_id(prefix: str) -> str:
    """``prefix`` + 22 base62 characters (~131 random bits)."""
    return prefix + random_base62(PUBLIC_ID_LENGTH)
