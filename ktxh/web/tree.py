"""Helpers for self-referencing hierarchies (indicator "of which" parents, org-unit parents)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


def check_no_cycle(obj: models.Model, field: str, message: str) -> None:
    """Raise ValidationError on ``field`` when following it from ``obj`` comes back to ``obj``."""
    seen = {obj.pk}
    parent = getattr(obj, field)
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({field: message})
        seen.add(parent.pk)
        parent = getattr(parent, field)
