"""``farm demo`` through the installed script: progress to 100 %, the address answers, Ctrl+C stops it."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from tests.cli.farmrun import clean_env, farm, farm_script, one_line_error

READY = "Dừng / stop: Ctrl+C"


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """Lines of the process's stdout as they come (None at the end), without blocking the test."""
    q: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            q.put(line.rstrip("\n"))
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


def test_demo_reaches_100_percent_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    # Six hours of history (23 steps of 15 min): a line per tenth done, the last one at 100 %.
    args = ["demo", "--port", "0", "--history-days", "0.25", "--data-dir", str(tmp_path / "demo")]
    err_path = tmp_path / "stderr.txt"
    with err_path.open("w") as err_file:
        proc = subprocess.Popen(
            [farm_script(), *args], cwd=tmp_path, env=clean_env(), text=True,
            stdout=subprocess.PIPE, stderr=err_file,
        )  # fmt: skip
    try:
        q, seen = _lines(proc), [""]
        while READY not in seen[-1]:
            line = q.get(timeout=90)
            assert line is not None, f"demo ended early:\n{chr(10).join(seen)}\n{err_path.read_text()}"
            seen.append(line)
        percents = [int(m.group(1)) for line in seen if (m := re.search(r"history: (\d+)%", line))]
        assert percents and percents[-1] == 100, seen
        assert percents == sorted(percents) and len(percents) >= 5 and percents.count(100) == 1, percents
        url = next(m.group(1) for line in seen if (m := re.search(r"(http://127\.0\.0\.1:\d+)/", line)))
        with urllib.request.urlopen(url + "/", timeout=10) as response:
            assert response.status == 200
        assert re.search(r"12 nodes, [1-9]\d* buffered readings uploaded", "\n".join(seen)), seen
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    err = err_path.read_text()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--history-days", "0"], ["--history-days"]),
        (["--history-days", "nan"], ["--history-days", "finite"]),
        (["--interval", "0.001"], ["--interval"]),
        (["--port", "70000"], ["--port", "0-65535"]),
        (["--host", "http://x"], ["--host"]),
    ],
)
def test_demo_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    one_line_error(farm("demo", "--data-dir", str(tmp_path / "demo"), *args, cwd=tmp_path), *needles)
    assert not (tmp_path / "demo").exists()


def test_demo_on_a_taken_port_is_one_line_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        proc = farm("demo", "--port", port, "--data-dir", str(tmp_path / "demo"), cwd=tmp_path, timeout=90)
    started = "Ruộng Số demo — khởi động / starting…\n"
    line = one_line_error(proc, f"127.0.0.1:{port}", "--port 0", code=1, stdout=started)
    assert "in use" in line.lower()
