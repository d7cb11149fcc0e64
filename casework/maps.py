"""A small map of where a case is, for its page: what an inline SVG needs (a viewBox, path data
for the kabupaten/kota, the kecamatan and the desa, the report's pin), drawn from the shipped
boundaries with no tile server. Pure: no templates, no database.

Equirectangular, longitude scaled by cos(latitude) at the map's middle so nothing is stretched;
north up. Coordinates are rounded to whole units of a 400-unit-wide viewBox (the page shows it
at most ~400 px wide), so a map stays a few kilobytes.
"""

import functools
import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely

from casework.places import REFERENCE_LATITUDE, boundaries, level_of, to_degrees, to_plane

WIDTH = 400
# The frame: the kecamatan and as much again of its surroundings on every side (within its
# kabupaten/kota), so the desa is large enough to see and the neighbourhood is still there.
CONTEXT = 1.0
# A pin this far outside the frame (in frame widths) is still drawn, the frame grown to hold
# it; further away (a wrong fix, another province) the map would shrink to nothing around it.
PIN_REACH = 0.5
LEVELS = ("regency", "district", "village")
# The dashboard's map of a region by the regions one level below (drawn up to ~600 px wide).
AREA_WIDTH = 600
CHILD_LEVEL = {"province": "regency", "regency": "district", "district": "village"}


@dataclass(frozen=True)
class MapShape:
    level: str  # regency, district or village
    code: str
    d: str  # SVG path data


@dataclass(frozen=True)
class CaseMap:
    width: int
    height: int
    shapes: list[MapShape]  # outermost first: drawn in this order
    pin: tuple[int, int] | None  # None: no location, or one too far away to draw

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def case_map(region_code: str, location: tuple[float, float] | None = None) -> CaseMap | None:
    """The map of a case filed in `region_code` (any level below the province), with its
    `location` (lat, lon) if any; None when its kabupaten/kota has no boundary."""
    found = boundaries()
    parts = region_code.split(".")
    wanted = [(level, ".".join(parts[: 2 + i])) for i, level in enumerate(LEVELS)]
    wanted = wanted[: max(0, len(parts) - 1)]
    shapes = [
        (level, code, shape)
        for level, code in wanted
        if (shape := found.layer(level).shape(code)) is not None
    ]
    if not shapes or shapes[0][0] != "regency":
        return None
    frame = _frame([shape for _level, _code, shape in shapes])
    point = to_plane(*location) if location is not None else None
    if point is not None and _near(frame, point):
        frame = _grown_to(frame, point)
    else:
        point = None
    projection = _Projection(frame)
    return CaseMap(
        width=WIDTH,
        height=projection.height,
        shapes=[MapShape(level, code, projection.path(shape)) for level, code, shape in shapes],
        pin=projection.xy(*point) if point is not None else None,
    )


@dataclass(frozen=True)
class AreaMap:
    width: int
    height: int
    shapes: list[MapShape]  # one per region one level below, by code

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


@functools.lru_cache(maxsize=512)
def area_map(region_code: str) -> AreaMap | None:
    """The province by kabupaten/kota, a kabupaten/kota by kecamatan, a kecamatan by desa: each
    shape simplified to about a pixel of the drawing, once per process (cached: the boundaries
    change only with a release), so the province's map stays a few tens of kilobytes. None for
    a desa, or a region none of whose parts has a boundary."""
    child = CHILD_LEVEL.get(level_of(region_code))
    if child is None:
        return None
    layer = boundaries().layer(child)
    prefix = f"{region_code}."
    found = [(c, layer.shapes[i]) for i, c in enumerate(layer.codes) if c.startswith(prefix)]
    if not found:
        return None
    shapes = np.array([shape for _code, shape in found], dtype=object)
    projection = _Projection(tuple(shapely.total_bounds(shapes)), width=AREA_WIDTH)
    simplified = shapely.simplify(shapes, 1 / projection.sy, preserve_topology=True)
    return AreaMap(
        width=AREA_WIDTH,
        height=projection.height,
        shapes=[
            MapShape(child, code, projection.path(shape))
            for (code, _shape), shape in zip(found, simplified, strict=True)
        ],
    )


Frame = tuple[float, float, float, float]  # min x, min y, max x, max y in the plane (metres)


def _frame(shapes: list) -> Frame:
    regency = shapely.bounds(shapes[0])
    if len(shapes) == 1:
        return tuple(regency)
    x0, y0, x1, y1 = shapely.bounds(shapes[1])  # the kecamatan
    margin = CONTEXT * max(x1 - x0, y1 - y0)
    return (
        max(x0 - margin, regency[0]),
        max(y0 - margin, regency[1]),
        min(x1 + margin, regency[2]),
        min(y1 + margin, regency[3]),
    )


def _near(frame: Frame, point: tuple[float, float]) -> bool:
    reach = PIN_REACH * max(frame[2] - frame[0], frame[3] - frame[1])
    x, y = point
    return frame[0] - reach <= x <= frame[2] + reach and frame[1] - reach <= y <= frame[3] + reach


def _grown_to(frame: Frame, point: tuple[float, float]) -> Frame:
    x, y = point
    pad = 0.05 * max(frame[2] - frame[0], frame[3] - frame[1])  # the pin's head stays inside
    return (
        min(frame[0], x - pad),
        min(frame[1], y - pad),
        max(frame[2], x + pad),
        max(frame[3], y + pad),
    )


class _Projection:
    """The plane (`places`: longitude already scaled by cos of the province's middle latitude)
    onto the viewBox, rescaled to the cosine of this map's own middle latitude."""

    def __init__(self, frame: Frame, width: int = WIDTH) -> None:
        self.x0, y0, x1, self.y1 = frame
        middle_latitude, _lon = to_degrees(0.0, (y0 + self.y1) / 2)
        stretch = math.cos(math.radians(middle_latitude)) / math.cos(
            math.radians(REFERENCE_LATITUDE)
        )
        span_x = max((x1 - self.x0) * stretch, 1.0)
        self.sx = width / span_x * stretch
        self.sy = width / span_x
        self.height = max(1, math.ceil((self.y1 - y0) * self.sy))

    def xy(self, x: float, y: float) -> tuple[int, int]:
        return round((x - self.x0) * self.sx), round((self.y1 - y) * self.sy)

    def path(self, shape: shapely.Geometry) -> str:
        """Every ring as `M x y l dx dy …z` (relative steps are shorter), a ring that rounds
        to fewer than three points left out; holes drawn as rings (`fill-rule: evenodd`)."""
        rings = []
        for polygon in getattr(shape, "geoms", [shape]):
            for ring in [polygon.exterior, *polygon.interiors]:
                drawn = self._ring(shapely.get_coordinates(ring))
                if drawn:
                    rings.append(drawn)
        return "".join(rings)

    def _ring(self, coords) -> str:
        points: list[tuple[int, int]] = []
        for x, y in coords:
            point = self.xy(x, y)
            if not points or point != points[-1]:
                points.append(point)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()  # `z` closes it
        if len(points) < 3:
            return ""
        steps = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in pairwise(points))
        return f"M{points[0][0]} {points[0][1]}l{steps}z"
