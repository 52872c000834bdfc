"""A gateway's uplink as a TCP hop that can lose replies (issue 19: the lost-reply fault).

A mobile uplink can carry a batch to the server and then lose the answer (a carrier NAT drops the
connection, the modem re-attaches): the server has stored the frames, the gateway never hears so.
It must send them again and the server must recognise them, or the fault is a lost or a duplicated
frame. The kernel here has no packet classifier to drop only answers, so the hop is a relay in the
gateway host: bytes go through unchanged until ``lose_replies`` is set; then the first bytes of each
answer to a frame upload are thrown away and both connections are reset, exactly what the gateway
would see. (Answers to its other requests, health and keys, go through: the fault is about frames.)
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

FRAME_UPLOAD = b"POST /api/v1/gateway/frames "


class LossyUplink:
    """Relays ``127.0.0.1:<port>`` in the gateway host to ``target`` (the load balancer)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.lose_replies = threading.Event()
        self.replies_lost = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="uplink-accept").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)  # the load balancer is unreachable: the gateway sees a refused connection
            return
        server.settimeout(None)
        uploading = threading.Event()  # the last request on this connection was a frame upload
        threading.Thread(target=self._requests, args=(client, server, uploading), daemon=True).start()
        self._answers(server, client, uploading)

    def _requests(self, client: socket.socket, server: socket.socket, uploading: threading.Event) -> None:
        try:
            while data := client.recv(65536):
                if data[:1].isupper() and b" HTTP/1.1\r\n" in data[:200]:  # a request line
                    if data.startswith(FRAME_UPLOAD):
                        uploading.set()
                    else:
                        uploading.clear()
                server.sendall(data)
        except OSError:
            pass
        _reset(client)
        _reset(server)

    def _answers(self, server: socket.socket, client: socket.socket, uploading: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                if uploading.is_set() and self.lose_replies.is_set():
                    with self._lock:
                        self.replies_lost += 1
                    break  # stored by the server, never heard by the gateway
                client.sendall(data)
        except OSError:
            pass
        _reset(server)
        _reset(client)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST (linger 0), as a dropped mobile connection looks to the gateway."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)  # wakes the other direction's thread blocked in recv()
    with contextlib.suppress(OSError):
        sock.close()
