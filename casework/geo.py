"""Sanity of GPS coordinates sent from the field."""

import math

from django.utils.translation import gettext_lazy as _

from common.errors import FieldError

# Indonesia's extent with a small margin: a point outside it is a typo or a swapped lat/lon.
INDONESIA_BOUNDS = {"lat": (-11.5, 6.5), "lon": (94.5, 141.5)}
# Kalimantan Selatan with a margin: outside it the case probably belongs to another province.
KALSEL_BOUNDS = {"lat": (-4.5, -1.0), "lon": (114.0, 117.0)}


def _inside(lat: float, lon: float, bounds: dict[str, tuple[float, float]]) -> bool:
    return (
        bounds["lat"][0] <= lat <= bounds["lat"][1] and bounds["lon"][0] <= lon <= bounds["lon"][1]
    )


def location_errors(lat: float, lon: float) -> list[FieldError]:
    """Hard errors: not a finite number, or not in Indonesia (likely swapped or mistyped)."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return [FieldError("location", "location_not_finite", _("Coordinates must be numbers."))]
    if not _inside(lat, lon, INDONESIA_BOUNDS):
        return [
            FieldError(
                "location",
                "location_outside_indonesia",
                _("The coordinates are outside Indonesia; check that lat and lon are not swapped."),
            )
        ]
    return []


def location_findings(lat: float, lon: float) -> list[FieldError]:
    """Warnings: inside Indonesia but outside Kalimantan Selatan."""
    if _inside(lat, lon, KALSEL_BOUNDS):
        return []
    return [
        FieldError(
            "location",
            "location_outside_province",
            _("The coordinates are outside Kalimantan Selatan."),
        )
    ]
