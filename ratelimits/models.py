from django.db import models


class Counter(models.Model):
    """Requests of one scope and client (an address, a token's hash) in the window that ends at ``expires``."""

    key = models.CharField(max_length=80, primary_key=True)
    hits = models.PositiveIntegerField()
    expires = models.FloatField(db_index=True, help_text="Unix time at which the window closes.")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
