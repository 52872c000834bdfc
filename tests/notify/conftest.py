"""The real app with every notification channel pointed at local provider servers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from demo.seed import seed
from ruongso.app import create_app
from server.config import Settings
from tests.mobile_api.conftest import OFFICER, Client, login
from tests.notify.providers import PushService, SpeedSms, ZaloZns

SMS_TOKEN = "sms-token-test"
ZALO_TOKEN = "zalo-oa-token-test"
ZALO_TEMPLATE = "301234"
# An alert centred on farmer 1's fields (demo seed, Vĩnh Tường): reaches that farm only.
FARM_1 = {"lat": 21.2341, "lon": 105.4925, "radius_m": 1000}
# 20 km around Tam Dương: every demo farm.
ALL_FARMS = {"lat": 21.29, "lon": 105.53, "radius_m": 20000}


@dataclass
class Providers:
    sms: SpeedSms
    zalo: ZaloZns
    push: PushService


@pytest.fixture(scope="module")
def providers() -> Iterator[Providers]:
    with (
        SpeedSms(SMS_TOKEN).running() as sms,
        ZaloZns(ZALO_TOKEN, ZALO_TEMPLATE).running() as zalo,
        PushService().running() as push,
    ):
        yield Providers(sms, zalo, push)  # type: ignore[arg-type]


def settings_for(data_dir: Path, p: Providers, **extra: object) -> Settings:
    return Settings.from_env(
        data_dir=data_dir,
        tsdb_url="embedded",
        secret_key="test-secret",
        sms_http_url=p.sms.url + SpeedSms.PATH,
        sms_http_token=SMS_TOKEN,
        zalo_zns_url=p.zalo.url + ZaloZns.PATH,
        zalo_access_token=ZALO_TOKEN,
        zalo_template_id=ZALO_TEMPLATE,
        vapid_subject="mailto:khuyennong@example.vn",
        **extra,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, providers: Providers) -> Iterator[Flask]:
    app = create_app(settings_for(tmp_path_factory.mktemp("notify"), providers))
    seed(app.extensions["ruongso"].db)
    yield app
    app.extensions["ruongso"].store.close()


@pytest.fixture
def officer(app: Flask) -> Client:
    return login(app, OFFICER)
