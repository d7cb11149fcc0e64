"""Where a GPS point lies: the kabupaten/kota, kecamatan and desa/kelurahan whose boundary holds
it (`locate`), and how far a point is from a given desa (`distance_to_region`).

The boundaries are the GeoJSON files of `casework/data/boundaries/` (see the README there for
their source and quirks), read once per process on first use (about 0.3 s) and kept with a
spatial index, so a lookup costs well under a millisecond. No database: the files are the data.
"""

import csv
import json
import math
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parent / "data"
BOUNDARY_DIR = DATA_DIR / "boundaries"
FILES = {
    "regency": "kalsel_kabupaten_kota.geojson",
    "district": "kalsel_kecamatan.geojson",
    "village": "kalsel_desa_kelurahan.geojson",
}

# Geometry is done on a flat plane in metres: longitude scaled by cos(latitude) at the middle of
# the province (1.3° to 4.9° S), so distances and depths read in metres. Across the province the
# scale is off by at most 0.2%, far below the boundaries' own simplification.
REFERENCE_LATITUDE = -3.0
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0 * math.cos(math.radians(REFERENCE_LATITUDE))

# A point in water (a river, the coast) or just outside a simplified boundary still belongs to
# the desa it is this close to.
SNAP_METRES = 300.0
# A province's waters reach 12 nautical miles from its coast (UU 23/2014, pasal 27): a point
# this close to the province's boundaries is at sea off it (or just across its land border);
# further away it is elsewhere altogether.
PROVINCE_WATERS_METRES = 12 * 1852.0


class Miss(StrEnum):
    """Why a lookup is not exact."""

    NEAREST_VILLAGE = "nearest_village"  # in no desa, but within SNAP_METRES of one
    VILLAGE_UNKNOWN = "village_unknown"  # inside a kecamatan or kabupaten/kota, in no desa
    AT_SEA = "at_sea"  # in no region, within the province's waters (or just over its border)
    OUTSIDE_PROVINCE = "outside_province"  # far from every boundary of the province


@dataclass(frozen=True)
class Area:
    code: str  # Kemendagri code
    name: str  # as `kalsel_regions.csv` spells it (the boundary files differ for a few desa)


@dataclass(frozen=True)
class Place:
    regency: Area | None
    district: Area | None
    village: Area | None
    miss: Miss | None = None
    distance_m: float | None = None  # to the village, when the point was in none (NEAREST_VILLAGE)

    @property
    def exact(self) -> bool:
        """A desa was found and its boundary holds the point."""
        return self.miss is None


def to_plane(lat: float, lon: float) -> tuple[float, float]:
    return lon * METRES_PER_DEGREE_LON, lat * METRES_PER_DEGREE_LAT


def to_degrees(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a point of the plane."""
    return y / METRES_PER_DEGREE_LAT, x / METRES_PER_DEGREE_LON


class Layer:
    """One level's boundaries (in the plane), indexed."""

    def __init__(self, features: list[dict], names: dict[str, str]) -> None:
        self.codes = [feature["properties"]["code"] for feature in features]
        self.names = [
            names.get(code, f["properties"]["name"])
            for code, f in zip(self.codes, features, strict=True)
        ]
        self.index = {code: i for i, code in enumerate(self.codes)}
        shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object)
        shapes = shapely.transform(shapes, _scale_to_plane)
        # A few source rings cross themselves: containment near them would be wrong.
        invalid = ~shapely.is_valid(shapes)
        shapes[invalid] = shapely.make_valid(
            shapes[invalid], method="structure", keep_collapsed=False
        )
        shapely.prepare(shapes)
        self.shapes = shapes
        self.tree = STRtree(shapes)

    def area(self, i: int) -> Area:
        return Area(self.codes[i], self.names[i])

    def shape(self, code: str) -> BaseGeometry | None:
        i = self.index.get(code)
        return None if i is None else self.shapes[i]

    def containing(self, point: shapely.Point) -> int | None:
        """The feature holding the point; of two neighbours that both do (a shared border, an
        overlap of simplified edges), the one it lies deepest inside, then the lowest code."""
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) <= 1:
            return int(hits[0]) if len(hits) else None
        depths = shapely.distance(point, shapely.boundary(self.shapes[hits]))
        best = min(range(len(hits)), key=lambda k: (-depths[k], self.codes[hits[k]]))
        return int(hits[best])

    def nearest(self, point: shapely.Point, within_m: float) -> tuple[int, float] | None:
        """The feature nearest the point within `within_m` metres, and its distance."""
        hits = self.tree.query(point, predicate="dwithin", distance=within_m)
        if not len(hits):
            return None
        distances = shapely.distance(point, self.shapes[hits])
        best = min(range(len(hits)), key=lambda k: (distances[k], self.codes[hits[k]]))
        return int(hits[best]), float(distances[best])


def _scale_to_plane(coords: np.ndarray) -> np.ndarray:
    # GeoJSON pairs are [longitude, latitude].
    return coords * np.array([METRES_PER_DEGREE_LON, METRES_PER_DEGREE_LAT])


@dataclass(frozen=True)
class Boundaries:
    regencies: Layer
    districts: Layer
    villages: Layer

    def layer(self, level: str) -> Layer:
        return {"regency": self.regencies, "district": self.districts, "village": self.villages}[
            level
        ]


_loaded: Boundaries | None = None
_lock = threading.Lock()


def boundaries() -> Boundaries:
    """The boundaries, read on first use and kept for the life of the process (they change
    only with a new release of the code)."""
    global _loaded  # one copy per process, on purpose
    if _loaded is None:
        with _lock:  # two threads of one process asking at once read the files once
            if _loaded is None:
                names = _region_names()
                _loaded = Boundaries(*(Layer(_features(FILES[lv]), names) for lv in FILES))
    return _loaded


def _region_names() -> dict[str, str]:
    with (DATA_DIR / "kalsel_regions.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def _features(name: str) -> list[dict]:
    with (BOUNDARY_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)["features"]


def locate(lat: float, lon: float) -> Place:
    """The regions holding the point (lat, lon in WGS 84 degrees).

    In a desa: it, its kecamatan and kabupaten/kota (by their codes), exact. In no desa but
    within SNAP_METRES of one (in the kecamatan holding the point, if one does): that desa, not
    exact. Else the kecamatan and kabupaten/kota holding it, without a desa; else nothing, at
    sea (within the province's waters) or outside the province.
    """
    found = boundaries()
    point = shapely.Point(*to_plane(lat, lon))
    village = found.villages.containing(point)
    if village is not None:
        return _chain(found, found.villages.area(village))
    district = found.districts.containing(point)
    near = found.villages.nearest(point, SNAP_METRES)
    if near is not None:
        near_area = found.villages.area(near[0])
        if district is None or near_area.code.startswith(found.districts.codes[district] + "."):
            return _chain(found, near_area, miss=Miss.NEAREST_VILLAGE, distance_m=near[1])
    if district is not None:
        return _chain(found, found.districts.area(district), miss=Miss.VILLAGE_UNKNOWN)
    regency = found.regencies.containing(point)
    if regency is not None:
        return _chain(found, found.regencies.area(regency), miss=Miss.VILLAGE_UNKNOWN)
    offshore = found.regencies.nearest(point, PROVINCE_WATERS_METRES) is not None
    return Place(None, None, None, miss=Miss.AT_SEA if offshore else Miss.OUTSIDE_PROVINCE)


def _chain(
    found: Boundaries, area: Area, *, miss: Miss | None = None, distance_m: float | None = None
) -> Place:
    """The place of a region and the regions above it, found by the code's prefixes (the
    hierarchy is in the codes, whatever the simplified boundaries of the levels above say)."""
    parts = area.code.split(".")
    regency = _area(found.regencies, ".".join(parts[:2]))
    district = _area(found.districts, ".".join(parts[:3])) if len(parts) >= 3 else None
    village = area if len(parts) == 4 else None
    return Place(regency, district, village, miss=miss, distance_m=distance_m)


def _area(layer: Layer, code: str) -> Area | None:
    i = layer.index.get(code)
    return None if i is None else layer.area(i)


def level_of(code: str) -> str:
    return {2: "regency", 3: "district", 4: "village"}.get(code.count(".") + 1, "province")


def distance_to_region(code: str, lat: float, lon: float) -> float | None:
    """Metres from the point to the region's boundary (0 inside it); None when the region has
    no boundary (the province, the 8 desa the source lacks, an unknown code)."""
    level = level_of(code)
    if level == "province":
        return None
    shape = boundaries().layer(level).shape(code)
    if shape is None:
        return None
    return float(shapely.distance(shapely.Point(*to_plane(lat, lon)), shape))


def describe(place: Place) -> str | None:
    """What a person is told of a lookup that is not exact (in the active language)."""
    if place.miss is None:
        return None
    if place.miss == Miss.NEAREST_VILLAGE:
        metres = max(10, round((place.distance_m or 0) / 10) * 10)
        return _(
            "This point is not inside any village boundary; the nearest is %(village)s, "
            "about %(metres)d m away."
        ) % {"village": village_title(place.village), "metres": metres}
    if place.miss == Miss.VILLAGE_UNKNOWN and place.district is not None:
        return _(
            "This point is in Kecamatan %(district)s, %(regency)s, but its village could not be "
            "determined from the boundaries."
        ) % {"district": place.district.name, "regency": _name(place.regency)}
    if place.miss == Miss.VILLAGE_UNKNOWN:
        return _(
            "This point is in %(regency)s, but its district and village could not be "
            "determined from the boundaries."
        ) % {"regency": _name(place.regency)}
    if place.miss == Miss.AT_SEA:
        return _("This point is at sea or outside Kalimantan Selatan.")
    return _("This point is outside Kalimantan Selatan.")


def village_title(village: Area | None) -> str:
    """ "Kelurahan Alalak Selatan", "Desa Benua Lawas": the fourth part of a village's code
    starts with 1 for a kelurahan and 2 for a desa (Kemendagri's numbering)."""
    if village is None:
        return ""
    kind = "Kelurahan" if village.code.rsplit(".", 1)[-1].startswith("1") else "Desa"
    return f"{kind} {village.name}"


def _name(area: Area | None) -> str:
    return area.name if area is not None else ""
