"""The nginx sample matches the app (issue 16): HSTS, no version banner, body limits that let the
app's largest request through (5 photos of 12 MB were refused at 10 MB), public lot look-ups
throttled with the app's allowance."""

from __future__ import annotations

import re
from pathlib import Path

from mobile_api.lots_api import LOT_LOOKUPS
from ruongso.app import MAX_REQUEST_BYTES
from server.farm.photos import MAX_BYTES, MAX_PHOTOS
from server.ingest.batch import MAX_BODY_BYTES
from server.security import HSTS

CONF = (Path(__file__).parents[2] / "deploy" / "nginx" / "ruongso.conf").read_text()
MIB = 1024 * 1024


def _blocks(kind: str) -> dict[str, str]:
    """``location``/``server`` blocks (no nesting deeper than location in the sample) by their head."""
    text = re.sub(r"#.*", "", CONF)
    return {m[1].strip(): m[2] for m in re.finditer(rf"{kind}\s*([^{{]*)\{{([^{{}}]*)\}}", text)}


def _mib(text: str) -> int:
    size = re.search(r"client_max_body_size\s+(\d+)m;", text)
    assert size is not None
    return int(size[1]) * MIB


def test_hsts_and_no_banner_on_every_server() -> None:
    servers = re.split(r"\bserver\s*\{", re.sub(r"#.*", "", CONF))[1:]
    assert len(servers) == 2
    assert all("server_tokens off;" in s for s in servers)
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in CONF
    assert "proxy_hide_header Server;" in CONF


def test_body_limits_let_the_apps_largest_requests_through() -> None:
    locations = _blocks("location")
    default = _mib(re.sub(r"#.*", "", CONF).split("location", 1)[0])
    assert default >= MAX_BODY_BYTES  # a gateway's full batch
    uploads = [head for head in locations if "photos" in head]
    assert len(uploads) == 2
    for head in uploads:
        assert _mib(locations[head]) == MAX_REQUEST_BYTES >= MAX_PHOTOS * MAX_BYTES, head


def test_public_lot_lookups_throttled_like_the_app() -> None:
    _, burst, rate = LOT_LOOKUPS
    zone = re.search(r"limit_req_zone \$binary_remote_addr zone=lot_lookups:\w+ rate=(\d+)r/m;", CONF)
    assert zone is not None and int(zone[1]) / 60 == rate
    throttled = [h for h, body in _blocks("location").items() if f"zone=lot_lookups burst={burst} " in body]
    assert sorted(throttled) == sorted(["/lot/", "/api/v1/public/lots/", r"~ ^/api/v1/lots/[^/]+/qr\.svg$"])
    assert "limit_req_status 429;" in CONF
