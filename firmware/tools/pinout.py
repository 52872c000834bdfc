"""The node pin map (``hardware/pinout.json``): checks against the firmware, and renders it.

The firmware reads the JSON at boot and names the signals it needs in ``firmware/node/hw.py``
(``SIGNALS``: signal -> "adc" | "out" | "in" | "io" | "rtc_in"). ``check`` reports every way the
two disagree or a pin breaks a chip rule; ``render_svg`` / ``render_markdown`` produce the wiring
diagram and table that ``hardware/`` ships (regenerate with ``farm node pinout --render hardware``).
"""

from __future__ import annotations

import ast
import json
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PINOUT = ROOT / "hardware" / "pinout.json"
HW_MODULE = ROOT / "firmware" / "node" / "hw.py"
KINDS = ("adc", "out", "in", "io", "rtc_in")


def load(path: Path = PINOUT) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def firmware_signals(path: Path = HW_MODULE) -> dict[str, str]:
    """``SIGNALS`` from the firmware source, read without importing MicroPython modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SIGNALS" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items()}
    raise ValueError(f"{path}: no SIGNALS dict")


def check(pinout: dict[str, Any], signals: dict[str, str]) -> list[str]:
    """Every disagreement between the pin map and the firmware, as readable sentences."""
    problems: list[str] = []
    meta = pinout.get("signals", {})
    for name, want in signals.items():
        if want not in KINDS:
            problems.append(f"firmware signal {name}: unknown kind {want!r}")
        if name not in meta:
            problems.append(f"signal {name} has no description in pinout.json 'signals'")
    for board, spec in pinout.get("boards", {}).items():
        pins: dict[str, int] = spec.get("signals", {})
        for name in signals:
            if name not in pins:
                problems.append(f"{board}: firmware needs signal {name}, pinout.json lacks it")
        for name in pins:
            if name not in signals:
                problems.append(f"{board}: pinout.json signal {name} is not used by the firmware")
        seen: dict[int, str] = {}
        for name, gpio in pins.items():
            if not isinstance(gpio, int):
                problems.append(f"{board}: {name} GPIO must be an integer")
                continue
            if gpio in seen:
                problems.append(f"{board}: GPIO{gpio} assigned to both {seen[gpio]} and {name}")
            seen[gpio] = name
            if gpio in spec.get("avoid", []):
                problems.append(
                    f"{board}: {name} on GPIO{gpio}, a pin to avoid ({spec.get('avoid_why', '')})"
                )
            kind = signals.get(name)
            if kind == "adc" and gpio not in spec.get("adc1", []):
                problems.append(
                    f"{board}: {name} on GPIO{gpio} is not an ADC1 pin (ADC2 stops while Wi-Fi is on)"
                )
            if kind == "rtc_in" and gpio not in spec.get("rtc_gpio", []):
                problems.append(
                    f"{board}: {name} on GPIO{gpio} cannot wake from deep sleep (not an RTC GPIO)"
                )
            if kind in ("out", "io") and gpio in spec.get("input_only", []):
                problems.append(f"{board}: {name} on GPIO{gpio} must drive the pin but it is input-only")
    return problems


def render_markdown(pinout: dict[str, Any]) -> str:
    boards = list(pinout["boards"])
    head = (
        "| Signal | " + " | ".join(f"{b} GPIO" for b in boards) + " | Connects to | Wire | Pull-up / filter |"
    )
    lines = [
        "<!-- generated from hardware/pinout.json by `farm node pinout --render hardware`; do not edit -->",
        "# Node pinout / Sơ đồ chân",
        "",
        "Modules: " + "; ".join(f"**{b}** = {pinout['boards'][b]['module']}" for b in boards) + ".",
        "",
        head,
        "|" + "---|" * (len(boards) + 4),
    ]
    for name, meta in pinout["signals"].items():
        gp = " | ".join(str(pinout["boards"][b]["signals"].get(name, "—")) for b in boards)
        lines.append(f"| `{name}` | {gp} | {meta['to']} | {meta['wire']} | {meta['pull']} |")
    lines += ["", "Pins avoided:"]
    for b in boards:
        lines.append(f"- {b}: {pinout['boards'][b]['avoid_why']}.")
    lines += ["", "Sources: " + "; ".join(pinout["boards"][b]["source"] for b in boards) + "."]
    return "\n".join(lines) + "\n"


WIRE_RGB = {
    "red": "#d62728",
    "yellow": "#e6b800",
    "white": "#999999",
    "blue": "#1f77b4",
    "green": "#2ca02c",
    "orange": "#ff7f0e",
    "brown": "#8c564b",
    "purple": "#9467bd",
    "black": "#222222",
}


def render_svg(pinout: dict[str, Any], board: str) -> str:
    spec = pinout["boards"][board]
    names = list(pinout["signals"])
    row, top, width = 38, 100, 980
    height = top + row * len(names) + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        '<text x="20" y="30" font-size="18" font-weight="bold">'
        f"Ruộng Số node wiring — {escape(board)}</text>",
        f'<text x="20" y="52" fill="#555">{escape(spec["module"])}; '
        "generated from hardware/pinout.json</text>",
        f'<rect x="20" y="{top - 20}" width="250" height="{row * len(names) + 20}" rx="8" '
        'fill="#eef3fb" stroke="#335" stroke-width="2"/>',
        f'<text x="145" y="{top - 28}" text-anchor="middle" font-weight="bold">MCU module</text>',
    ]
    for i, name in enumerate(names):
        y = top + i * row
        meta = pinout["signals"][name]
        gpio = spec["signals"].get(name)
        color = WIRE_RGB.get(meta["wire"], "#444444")
        label = f"GPIO{gpio}" if gpio is not None else "—"
        out += [
            f'<text x="32" y="{y + 4}">{escape(label)}</text>',
            f'<text x="110" y="{y + 4}" font-family="DejaVu Sans Mono, monospace">{escape(name)}</text>',
            f'<circle cx="270" cy="{y}" r="4" fill="{color}"/>',
            f'<line x1="270" y1="{y}" x2="420" y2="{y}" stroke="{color}" stroke-width="3"/>',
            f'<text x="300" y="{y - 5}" font-size="11" fill="#555">{escape(meta["wire"])}</text>',
            f'<rect x="420" y="{y - 15}" width="540" height="30" rx="5" fill="#fafafa" stroke="#bbb"/>',
            f'<text x="428" y="{y - 1}">{escape(meta["to"])}</text>',
            f'<text x="428" y="{y + 11}" font-size="10" fill="#666">{escape(meta["pull"])}</text>',
        ]
    y = top + row * len(names) + 10
    out += [
        f'<text x="20" y="{y + 10}" fill="#333">'
        "Power: BAT+ (18650, 3.0–4.2 V) → low-Iq LDO (e.g. HT7333/ME6211) → 3V3; "
        "3V3_SENS is 3V3 through the sensor_power load switch.</text>",
        f'<text x="20" y="{y + 30}" fill="#333">'
        "Every sensor GND to the module GND; 470 µF low-ESR + 100 nF at the "
        "module supply (Wi-Fi TX peaks 300–500 mA).</text>",
        f'<text x="20" y="{y + 50}" fill="#333">Avoided pins: {escape(spec["avoid_why"])}.</text>',
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def render_text(pinout: dict[str, Any], board: str) -> str:
    spec = pinout["boards"][board]
    lines = [f"{board}: {spec['module']}"]
    for name, meta in pinout["signals"].items():
        lines.append(f"  GPIO{spec['signals'].get(name, '?'):<3} {name:<13} -> {meta['to']} ({meta['wire']})")
    return "\n".join(lines) + "\n"


def render_all(pinout: dict[str, Any], outdir: Path) -> list[Path]:
    """Write pinout.md and wiring-<board>.svg into ``outdir``; return the paths written."""
    written = [outdir / "pinout.md"]
    written[0].write_text(render_markdown(pinout), encoding="utf-8")
    for board in pinout["boards"]:
        p = outdir / f"wiring-{board}.svg"
        p.write_text(render_svg(pinout, board), encoding="utf-8")
        written.append(p)
    return written
