"""The shapes of `GET /api/v1/regions/locate/`: the point asked about and where it lies."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.places import Area, Miss, Place, describe
from common.serializers import ChoiceField, NumberField


# A plain number in the schema: with a `format`, the schema would declare an empty value
# allowed (`config.schema`, allowed-empty query parameters), and an empty lat is no point.
@extend_schema_field({"type": "number", "minimum": -90, "maximum": 90})
class LatitudeField(NumberField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=-90, max_value=90, **kwargs)


@extend_schema_field({"type": "number", "minimum": -180, "maximum": 180})
class LongitudeField(NumberField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=-180, max_value=180, **kwargs)


class LocateQuery(serializers.Serializer):
    lat = LatitudeField(label=_("Latitude"), help_text=_("WGS 84 degrees, e.g. -3.286."))
    lon = LongitudeField(label=_("Longitude"), help_text=_("WGS 84 degrees, e.g. 114.5689."))


class AreaOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PlaceOutput(serializers.Serializer):
    regency = AreaOutput(allow_null=True, help_text=_("The kabupaten/kota."))
    district = AreaOutput(allow_null=True, help_text=_("The kecamatan."))
    village = AreaOutput(allow_null=True, help_text=_("The desa/kelurahan."))
    exact = serializers.BooleanField(
        help_text=_("True when a village was found and its boundary holds the point.")
    )
    message = serializers.CharField(
        allow_null=True,
        help_text=_("When not exact: what a person is told, in the request's language."),
    )
    reason = ChoiceField(
        choices=[(miss.value, miss.value) for miss in Miss],
        allow_null=True,
        help_text=_(
            "When not exact: `nearest_village` (in no village, but within 300 m of the one "
            "returned), `village_unknown` (inside a kecamatan or kabupaten/kota, in no village), "
            "`at_sea` (in no region, within 12 nautical miles of the province: at sea or just "
            "across its border), `outside_province` (further away)."
        ),
    )

    def to_representation(self, instance: Place) -> dict[str, Any]:
        return {
            "regency": _area(instance.regency),
            "district": _area(instance.district),
            "village": _area(instance.village),
            "exact": instance.exact,
            "message": describe(instance),
            "reason": instance.miss.value if instance.miss else None,
        }


def _area(area: Area | None) -> dict[str, str] | None:
    return None if area is None else {"code": area.code, "name": area.name}
