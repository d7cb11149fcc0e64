"""What the dashboard counts: a region within the caller's jurisdiction, optionally narrowed
to a category, an urgency and a range of report times."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.access import jurisdiction_root
from casework.models import Region, RegionLevel, User
from casework.selectors import region_get
from common.errors import FieldError, PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class Scope:
    """What the dashboard counts: the cases of `region` (and below), optionally narrowed."""

    region: Region
    category: str | None = None
    urgency: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    @property
    def tallied(self) -> bool:
        """The counts can come from `CaseTally` (kept per kecamatan: not for a desa)."""
        return (
            self.created_after is None
            and self.created_before is None
            and self.region.level != RegionLevel.VILLAGE
        )

    @property
    def weekly(self) -> bool:
        """The trend (which ignores the report-time range) can come from `WeekTally`, kept per
        kabupaten/kota, category and urgency: for the province or a kabupaten/kota."""
        return self.region.level in (RegionLevel.PROVINCE, RegionLevel.REGENCY)

    @property
    def plain(self) -> bool:
        """Durations and open cases can come from `DurationTally` and `DayTally`, which are
        kept per kabupaten/kota only (no kecamatan, no category, no urgency)."""
        return (
            self.tallied
            and self.region.level != RegionLevel.DISTRICT
            and self.category is None
            and self.urgency is None
        )


def scope_for(user: User, params: dict[str, Any]) -> Scope:
    """The scope asked (`DashboardQuery`'s values), within the user's jurisdiction: 400 for an
    unknown region, 403 for one outside theirs (regions are public: no need to hide them)."""
    root = jurisdiction_root(user)
    if root is None:
        raise PermissionDenied(_("Only officers and supervisors can see the dashboard."))
    code = params.get("region") or root
    region = region_get(code)
    if region is None:
        raise ValidationFailed.for_field(
            "region", "unknown_region", _("Choose a region in Kalimantan Selatan.")
        )
    if not (code == root or code.startswith(f"{root}.")):
        message = _("You can only see the figures of your own region.")
        raise PermissionDenied(
            message,
            code="region_out_of_scope",
            errors=[FieldError(field="region", code="region_out_of_scope", message=message)],
        )
    return Scope(
        region=region,
        category=params.get("category"),
        urgency=params.get("urgency"),
        created_after=params.get("created_after"),
        created_before=params.get("created_before"),
    )
