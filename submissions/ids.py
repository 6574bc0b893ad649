"""Public identifiers: random, never sequential."""

import secrets

from config.ids import new_public_id, random_string

CROCKFORD_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SUBMISSION_ID_PREFIX = "SUB-"
SUBMISSION_ID_LENGTH = 12


def submission_id() -> str:
    """``SUB-`` + 12 upper-case Crockford base32 characters (60 random bits)."""
    return SUBMISSION_ID_PREFIX + random_string(CROCKFORD_BASE32, SUBMISSION_ID_LENGTH)


def form_id() -> str:
    return new_public_id("frm_")


def form_version_id() -> str:
    return new_public_id("fv_")


def snapshot_id() -> str:
    return new_public_id("snap_")


def note_id() -> str:
    return new_public_id("note_")


def attachment_id() -> str:
    return new_public_id("att_")


def event_id() -> str:
    return new_public_id("evt_")


def export_job_id() -> str:
    return new_public_id("exp_")


def matter_id() -> str:
    return new_public_id("mat_")


def invitation_id() -> str:
    return new_public_id("inv_")


def share_token() -> str:
    """The secret of a share link (~256 bits); only its SHA-256 is stored."""
    return secrets.token_urlsafe(32)
