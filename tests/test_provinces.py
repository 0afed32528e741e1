"""Province names: the spellings datasets and the press use map onto the canonical list."""

import pytest

from geo.provinces import PROVINCES, from_admin1, normalise


@pytest.mark.parametrize("spelling, canonical", [
    ("Deir ez Zor", "Deir ez-Zor"), ("Dayr az Zawr governorate", "Deir ez-Zor"),
    ("Deir-ez-Zor", "Deir ez-Zor"), ("Dayr al-Zawr", "Deir ez-Zor"), ("DEIR EZZOR", "Deir ez-Zor"),
    ("Ar-Raqqa", "Raqqa"), ("Ar Raqqah governorate", "Raqqa"), ("al-Raqqah", "Raqqa"),
    ("Al Hasakah", "Al-Hasakah"), ("Hassakeh", "Al-Hasakah"), ("As-Suwayda", "As-Suwayda"),
    ("Sweida", "As-Suwayda"), ("Rural Damascus", "Rif Dimashq"), ("Damascus", "Damascus"),
    ("Idleb", "Idlib"), ("Lattakia", "Latakia"), ("Dar'a", "Daraa"), ("Ḥamāh", "Hama"),
    ("Tartous", "Tartus"), ("Halab", "Aleppo"), ("Quneitra", "Quneitra"), ("Homs Governorate", "Homs"),
    ("SY-DY", "Deir ez-Zor"),
])
def test_spellings(spelling, canonical):
    assert normalise(spelling) == canonical


@pytest.mark.parametrize("name", ["", "   ", None, "Atlantis", "Baghdad"])
def test_unknown(name):
    assert normalise(name) is None


def test_admin1_codes_cover_all_provinces():
    assert {from_admin1("SY", f"{i:02d}") for i in range(1, 15)} == set(PROVINCES)
    assert from_admin1("SY", "7") == "Deir ez-Zor"
    assert from_admin1("IQ", "07") is None
