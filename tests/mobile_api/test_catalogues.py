"""Crop and disease names have one home, their tables: the apps' catalogue files hold none of them,
and every served catalogue names every crop and disease the tables define, in each language."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from mobile_api.catalogues import LANGS, STATIC
from server.advisory import kc
from server.advisory.disease import vocabulary
from tests.mobile_api.seeding import seeded_app

APPS = ("", "officer", "tech")


def table_keys() -> set[str]:
    return {f"crop_{k}" for k in kc.crops()} | {f"disease_{k}" for k in vocabulary.diseases()}


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_catalogue_file_repeats_a_name_the_tables_define(app: str, lang: str) -> None:
    words = json.loads((STATIC / app / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    assert not table_keys() & set(words), "these names belong to crops.json / diseases.json"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return seeded_app(tmp_path_factory.mktemp("catalogues"), history_days=0)


@pytest.mark.parametrize("folder", APPS)
def test_each_served_catalogue_names_every_crop_and_disease(app: Flask, folder: str) -> None:
    client = app.test_client()
    served = {}
    for lang in LANGS:
        r = client.get(f"/static/{folder + '/' if folder else ''}i18n/{lang}.json")
        assert r.status_code == 200 and r.mimetype == "application/json"
        served[lang] = r.get_json()
        assert table_keys() <= set(served[lang])
    assert served["vi"]["crop_rice"] == "Lúa" and served["en"]["crop_rice"] == "Rice"
    assert served["vi"]["disease_rice_blast"] == "Bệnh đạo ôn"
    assert served["en"]["disease_spider_mites"] == "Spider mites"
    # the app's own words are still there
    assert served["vi"]["load_failed" if folder else "app_title"]
