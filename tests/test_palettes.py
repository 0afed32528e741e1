"""The map's colour keys stay apart for readers with deuteranopia (and with typical vision).

The simulation is Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear sRGB; the
distance is CIE76 ΔE in CIELAB (D65). Two colours closer than MIN_DELTA_E read as one class.
"""

from __future__ import annotations

import itertools
import math

import pytest

from geo.map.layer import ACTOR_COLOURS, CHILDREN_KEY, NO_ACTOR, OTHER_ACTORS, colour_key
from geo.places.boundaries import COLOURS as PROVINCE_COLOURS
from geo.places.boundaries import NO_DEATHS
from tests.conftest import make_incident

MIN_DELTA_E = 15.0
DEUTERANOPIA = ((0.367322, 0.860646, -0.227968),
                (0.280085, 0.672501, 0.047413),
                (-0.011820, 0.042940, 0.968881))
IDENTITY = ((1, 0, 0), (0, 1, 0), (0, 0, 1))


def _linear(hex_colour: str) -> list[float]:
    values = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    r, g, b = linear
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def seen(hex_colour: str, matrix=DEUTERANOPIA) -> tuple[float, float, float]:
    """The colour as a reader with this colour vision sees it, in CIELAB."""
    linear = _linear(hex_colour)
    simulated = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear)))) for row in matrix]
    return _lab(simulated)


def closest_pair(colours, matrix=DEUTERANOPIA) -> tuple[float, str, str]:
    return min((math.dist(seen(a, matrix), seen(b, matrix)), a, b)
               for a, b in itertools.combinations(colours, 2))


def test_the_simulation_merges_red_and_green():
    # the check can fail: a red and a green that typical vision tells apart are near-equal here
    assert math.dist(seen("#ff0000", IDENTITY), seen("#00a000", IDENTITY)) > 60
    assert math.dist(seen("#d62728"), seen("#7f7f00")) < MIN_DELTA_E
    assert closest_pair(["#d62728", "#2ca02c", "#1f77b4"])[0] < MIN_DELTA_E  # the old actor palette's


@pytest.mark.parametrize("name, colours", [
    ("children share", [c for _, c in CHILDREN_KEY]),
    ("actor / event type", [*ACTOR_COLOURS, OTHER_ACTORS[1], NO_ACTOR[1]]),
    ("province deaths", [NO_DEATHS, *PROVINCE_COLOURS]),
])
@pytest.mark.parametrize("vision", ["deuteranopia", "typical"])
def test_palette_classes_stay_apart(name, colours, vision):
    distance, a, b = closest_pair(colours, DEUTERANOPIA if vision == "deuteranopia" else IDENTITY)
    assert distance >= MIN_DELTA_E, f"{name}: {a} and {b} are {distance:.1f} apart for {vision}"


def test_every_key_the_page_offers_uses_those_colours():
    incidents = [make_incident(id=f"e{n}", actor=f"Actor {n}", event_type=f"type {n % 4}")
                 for n in range(12)]
    for colour_by in ("actor", "event_type"):
        key = colour_key(incidents, colour_by)
        colours = [c for _, c in key]
        assert len(set(colours)) == len(colours)
        assert closest_pair(colours)[0] >= MIN_DELTA_E
    assert [label for label, _ in colour_key(incidents, "event_type")][:2] == [
        "event type not reported", "other event types"]
