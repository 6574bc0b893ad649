from django.db import models


class Role(models.TextChoices):
    OWNER = "OWNER", "Owner"
    ADMIN = "ADMIN", "Admin"
    MEMBER = "MEMBER", "Member"
    VIEWER = "VIEWER", "Viewer"


# Higher ranks include every right of the lower ones.
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}

API_KEY_PREFIX = "sk_"
API_KEY_SECRET_LENGTH = 40
# last_used_at is written at most this often per key, so authentication is not a write per request.
API_KEY_TOUCH_INTERVAL_SECONDS = 60
