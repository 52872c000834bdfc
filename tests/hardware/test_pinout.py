"""The pin map in hardware/pinout.json agrees with the firmware, obeys the chip rules, and the
rendered wiring documents in hardware/ are up to date."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from cli.main import main as farm
from firmware.tools import pinout

HARDWARE = pinout.ROOT / "hardware"


def test_firmware_and_pinout_agree() -> None:
    assert pinout.check(pinout.load(), pinout.firmware_signals()) == []


def test_every_sensor_signal_is_declared_by_the_firmware() -> None:
    text = (pinout.ROOT / "firmware" / "node" / "hw.py").read_text()
    used = set(re.findall(r'pins\["(\w+)"\]', text))
    assert used == set(pinout.firmware_signals())


@pytest.mark.parametrize(
    "board,signal,gpio,problem",
    [
        ("esp32", "soil_adc", 25, "not an ADC1 pin"),
        ("esp32", "rain", 23, "cannot wake from deep sleep"),
        ("esp32", "sensor_power", 34, "input-only"),
        ("esp32", "wind", 12, "a pin to avoid"),
        ("esp32s3", "onewire", 8, "assigned to both"),
        ("esp32s3", "battery_adc", 11, "not an ADC1 pin"),
    ],
)
def test_check_catches_bad_assignments(board: str, signal: str, gpio: int, problem: str) -> None:
    data = copy.deepcopy(pinout.load())
    data["boards"][board]["signals"][signal] = gpio
    assert any(problem in p for p in pinout.check(data, pinout.firmware_signals()))


def test_check_catches_missing_and_unknown_signals() -> None:
    data = copy.deepcopy(pinout.load())
    del data["boards"]["esp32"]["signals"]["rs485_de"]
    data["boards"]["esp32s3"]["signals"]["buzzer"] = 13
    problems = pinout.check(data, pinout.firmware_signals())
    assert any("lacks it" in p and "rs485_de" in p for p in problems)
    assert any("buzzer" in p for p in problems)


def test_rendered_documents_are_current(tmp_path: Path) -> None:
    written = pinout.render_all(pinout.load(), tmp_path)
    for path in written:
        committed = HARDWARE / path.name
        assert committed.read_text() == path.read_text(), (
            f"regenerate: farm node pinout --render hardware ({path.name})"
        )


def test_svg_is_well_formed_and_lists_every_pin() -> None:
    import xml.etree.ElementTree as ET

    data = pinout.load()
    for board, spec in data["boards"].items():
        svg = (HARDWARE / f"wiring-{board}.svg").read_text()
        ET.fromstring(svg)
        for name, gpio in spec["signals"].items():
            assert f"GPIO{gpio}<" in svg and f">{name}<" in svg


def test_cli_pinout_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert farm(["node", "pinout", "--check"]) == 0
    capsys.readouterr()
    assert farm(["node", "pinout", "--board", "esp32s3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == pinout.load()["boards"]["esp32s3"]["signals"]
    assert farm(["node", "pinout", "--board", "esp8266"]) == 2


def test_docs_exist_in_both_languages() -> None:
    for name in ("bom.md", "install.md", "install.vi.md"):
        assert (HARDWARE / name).is_file(), name
    for name in ("bom-soil-node.csv", "bom-weather-node.csv", "bom-gateway.csv"):
        rows = (HARDWARE / name).read_text().strip().splitlines()
        assert rows[0].startswith("part,") and len(rows) > 3, name
