"""Regions and PPKS categories held in each process: intake looks them up on every report.

They change only through `load_reference_data` and the admin, so each process reloads the small
tables (2,186 regions, 26 categories) when its copy is older than `REFERENCE_CACHE_SECONDS`, or
at once after a change made in that process. An admin's edit reaches the other processes within
that period. Objects handed out are shared: read them, never modify them.
"""

import time
from typing import Generic, TypeVar

from django.conf import settings
from django.db import models

from casework.models import Category, Region

M = TypeVar("M", bound=models.Model)


class TableCache(Generic[M]):
    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._rows: dict[str, M] = {}
        self._loaded_at: float | None = None

    def get(self, code: str) -> M | None:
        return self._table().get(code)

    def all(self) -> list[M]:
        return list(self._table().values())

    def codes(self) -> set[str]:
        return set(self._table())

    def clear(self) -> None:
        self._loaded_at = None

    def _table(self) -> dict[str, M]:
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at > settings.REFERENCE_CACHE_SECONDS:
            self._rows = {obj.pk: obj for obj in self.model._default_manager.all()}
            self._loaded_at = now
        return self._rows


regions: TableCache[Region] = TableCache(Region)
categories: TableCache[Category] = TableCache(Category)


def clear() -> None:
    regions.clear()
    categories.clear()
