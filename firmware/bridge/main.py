# Ruộng Số ESP-NOW bridge: radio frames from nodes -> USB serial (COBS + CRC-16) -> gateway,
# and the gateway's acks/configs back to the nodes. Mains-powered, never sleeps.
# The REPL's UART/USB-CDC is the data channel, so Ctrl-C is disabled; to get a REPL, hold the
# BOOT button while resetting (the loop below then does not start) and use mpremote.
import select
import sys
import time

import espnow
import machine
import micropython
import network
from bridge import Bridge

CHANNEL = 1  # must match the nodes' espnow_channel and, if the gateway AP uses Wi-Fi, its channel
STATUS_EVERY_MS = 60000

if machine.Pin(0, machine.Pin.IN, machine.Pin.PULL_UP).value() == 0:
    raise SystemExit  # BOOT held: stay in the REPL for service

wdt = machine.WDT(timeout=10000)
sta = network.WLAN(network.STA_IF)
sta.active(True)
sta.config(channel=CHANNEL)
e = espnow.ESPNow()
e.active(True)
e.config(rxbuf=4096)
out = sys.stdout.buffer
inp = sys.stdin.buffer
micropython.kbd_intr(-1)
bridge = Bridge(e, out.write, CHANNEL)
bridge.hello(sta.config("mac"))
poller = select.poll()
poller.register(sys.stdin, select.POLLIN)
t_status = time.ticks_ms()
start = time.ticks_ms()
while True:
    wdt.feed()
    mac, msg = e.recv(5)
    while msg:
        bridge.from_radio(mac, msg)
        mac, msg = e.recv(0)
    chunk = bytearray()
    while poller.poll(0) and len(chunk) < 512:
        chunk.extend(inp.read(1))
    if chunk:
        bridge.from_serial(chunk)
    if time.ticks_diff(time.ticks_ms(), t_status) > STATUS_EVERY_MS:
        t_status = time.ticks_ms()
        bridge.status(time.ticks_diff(t_status, start) // 1000)
