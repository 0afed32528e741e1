"""The online fallback against a loopback server that answers like Nominatim's /search."""

from __future__ import annotations

import http.server
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from geo import cli, settings
from geo.places.gazetteer import Gazetteer
from geo.places.nominatim import (
    ENV_ENABLE,
    ENV_URL,
    NOMINATIM_SCORE,
    NominatimGeocoder,
    OnlineGeocoderError,
    locate,
    online_geocoder,
)
from tests.loopback import serve

# Made-up answers: these places exist only in this test.
ANSWERS = {
    "qaryat al-internet": [{
        "place_id": 1, "lat": "34.9012", "lon": "40.5123", "name": "Qaryat al-Internet",
        "display_name": "Qaryat al-Internet, Deir ez-Zor Governorate, Syria",
        "class": "place", "type": "village", "addresstype": "village", "importance": 0.3,
        "address": {"village": "Qaryat al-Internet", "state": "Deir ez-Zor Governorate",
                    "country": "Syria", "country_code": "sy"}}],
    "mintaqat al-internet": [{
        "place_id": 2, "lat": "35.5", "lon": "39.5", "display_name": "Mintaqat al-Internet, Syria",
        "class": "boundary", "type": "administrative", "addresstype": "state",
        "address": {"state": "Ar-Raqqah", "country_code": "sy"}}],
}


class NominatimHandler(http.server.BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self):
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        type(self).requests.append({"path": parts.path, "params": params,
                                    "agent": self.headers.get("User-Agent")})
        if parts.path != "/search" or params.get("q") == "server error":
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(ANSWERS.get(params.get("q", "").lower(), [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    with serve(NominatimHandler) as url:
        yield url


@pytest.fixture
def requests_seen():
    NominatimHandler.requests.clear()
    return NominatimHandler.requests


def test_geocode_asks_once_then_uses_the_cache(server, requests_seen, tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_CONTACT", "desk@example.org")
    cache = tmp_path / "cache.sqlite"
    geocoder = NominatimGeocoder(cache_path=cache, url=server)
    match = geocoder.geocode("Qaryat al-Internet")
    assert (match.name, match.latitude, match.longitude) == ("Qaryat al-Internet", 34.9012, 40.5123)
    assert (match.province, match.country, match.source) == ("Deir ez-Zor", "SY", "nominatim")
    assert match.geo_precision == 1 and match.score == NOMINATIM_SCORE
    assert len(requests_seen) == 1
    sent = requests_seen[0]
    assert sent["agent"] == f"strike-atlas/{settings.__version__} (geocoding; desk@example.org)"
    assert sent["params"]["q"] == "Qaryat al-Internet"
    assert sent["params"]["countrycodes"] == "sy" and sent["params"]["addressdetails"] == "1"

    again = NominatimGeocoder(cache_path=cache, url=server)  # a new process, same cache file
    assert again.geocode("qaryat  AL-internet") == match.__class__(**{**match.__dict__,
                                                                      "query": "qaryat  AL-internet"})
    assert len(requests_seen) == 1 and again.requests == 0


def test_a_miss_is_cached_too(server, requests_seen, tmp_path):
    geocoder = NominatimGeocoder(cache_path=tmp_path / "c.sqlite", url=server)
    assert geocoder.geocode("Nowhere at all") is None
    assert geocoder.geocode("Nowhere at all") is None
    assert len(requests_seen) == 1


def test_region_result_gets_province_precision(server, requests_seen, tmp_path):
    geocoder = NominatimGeocoder(cache_path=tmp_path / "c.sqlite", url=server)
    match = geocoder.geocode("Mintaqat al-Internet")
    assert (match.geo_precision, match.province, match.name) == (3, "Raqqa", "Mintaqat al-Internet")


def test_server_error_is_a_clear_error(server, requests_seen, tmp_path):
    geocoder = NominatimGeocoder(cache_path=tmp_path / "c.sqlite", url=server, retries=0)
    with pytest.raises(OnlineGeocoderError, match="server error"):
        geocoder.geocode("server error")


def test_rate_limiter_is_one_request_a_second_and_raises(tmp_path):
    geocoder = NominatimGeocoder(cache_path=tmp_path / "c.sqlite")
    assert geocoder._geocode.min_delay_seconds == 1
    assert geocoder._geocode.swallow_exceptions is False


def test_off_unless_asked(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_ENABLE, raising=False)
    assert online_geocoder() is None
    assert online_geocoder(False) is None
    assert isinstance(online_geocoder(True, cache_path=tmp_path / "c.sqlite"), NominatimGeocoder)
    monkeypatch.setenv(ENV_ENABLE, "nominatim")
    assert isinstance(online_geocoder(cache_path=tmp_path / "c.sqlite"), NominatimGeocoder)


def test_locate_prefers_the_offline_gazetteer(server, requests_seen, tmp_path):
    gazetteer = Gazetteer.load(tmp_path, countries=("SY",))
    online = NominatimGeocoder(cache_path=tmp_path / "c.sqlite", url=server)
    assert locate("Raqqa", gazetteer=gazetteer, online=online).source == "geonames:cities500"
    assert requests_seen == []
    assert locate("Qaryat al-Internet", gazetteer=gazetteer, online=online).source == "nominatim"
    assert locate("Qaryat al-Internet", gazetteer=gazetteer, online=None) is None


def test_cli_online_flag(server, requests_seen, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_URL, server)
    monkeypatch.setenv("STRIKE_ATLAS_GEOCODE_CACHE", str(tmp_path / "c.sqlite"))
    monkeypatch.delenv(ENV_ENABLE, raising=False)
    assert cli.main(["geocode", "--json", "Qaryat al-Internet"]) == 1  # offline only by default
    assert requests_seen == []
    assert cli.main(["geocode", "--json", "--online", "Qaryat al-Internet", "Raqqa"]) == 0
    out = capsys.readouterr()
    assert "OpenStreetMap contributors" in out.err
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert rows[-2]["name"] == "Qaryat al-Internet" and rows[-2]["province"] == "Deir ez-Zor"
    assert rows[-1]["name"] == "Ar Raqqah"
    assert len(requests_seen) == 1


def test_cache_connections_are_closed(server, requests_seen, tmp_path, monkeypatch):
    import sqlite3

    from geo.places import nominatim

    opened = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(nominatim.sqlite3, "connect", connect)
    geocoder = NominatimGeocoder(cache_path=tmp_path / "c.sqlite", url=server)
    geocoder.geocode("Qaryat al-Internet")
    geocoder.geocode("Qaryat al-Internet")
    assert len(opened) == 3  # a miss in the cache, the answer stored, then a hit
    for db in opened:
        with pytest.raises(sqlite3.ProgrammingError):  # "Cannot operate on a closed database"
            db.execute("SELECT 1")
