import secrets

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PUBLIC_ID_LENGTH = 22


def new_public_id(prefix: str) -> str:
    """A random, non-sequential public id: ``prefix`` + 22 base62 characters (~131 bits)."""
    return prefix + "".join(secrets.choice(_BASE62) for _ in range(PUBLIC_ID_LENGTH))


def subject_record_id() -> str:
    return new_public_id("sr_")


def workflow_id() -> str:
    return new_public_id("w_")


def subject_document_id() -> str:
    return new_public_id("d_")


def required_document_id() -> str:
    return new_public_id("rd_")


def fulfillment_id() -> str:
    return new_public_id("f_")
