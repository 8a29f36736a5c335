"""A fake network Brother QL for the tests: it listens on 127.0.0.1 and reads its jobs back into images."""
import socket
import threading

import zxingcpp
from brother_ql.reader import OPCODES, chunker
from PIL import Image, ImageOps


class FakeBrother:
    """A network Brother QL: a thread listening on 127.0.0.1 that keeps every job it receives."""

    def __init__(self, read: bool = True):
        self.server = socket.create_server(("127.0.0.1", 0))
        if not read:  # a printer that takes the connection and never reads: small buffers fill at once
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.port = self.server.getsockname()[1]
        self.read, self.jobs, self.held = read, [], []
        self.received = threading.Semaphore(0)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            if not self.read:
                self.held.append(connection)
                continue
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                self.jobs.append(b"".join(chunks))
                self.received.release()

    def wait(self, count: int = 1) -> list[bytes]:
        """Return the jobs once ``count`` of them have arrived (or after a few seconds)."""
        for _ in range(count - len(self.jobs) if count > len(self.jobs) else 0):
            self.received.acquire(timeout=5)
        return self.jobs

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in accept()
        except OSError:
            pass
        self.server.close()
        for connection in self.held:
            connection.close()
        self.thread.join(timeout=5)


def raster_pages(data: bytes) -> list[Image.Image]:
    """Decode Brother QL raster instructions back to one black-and-white image per label."""
    pages, rows = [], []
    for instruction in chunker(data):
        name = next((OPCODES[op][0] for op in OPCODES if instruction.startswith(op)), None)
        if name == "raster":  # b"g", 2 bytes of length, then one uncompressed row of dots, first dot last
            rows.append(instruction[3:])
        elif name in ("print", "print (last page)") and rows:
            image = Image.frombytes("1", (len(rows[0]) * 8, len(rows)), bytes(255 - b for b in b"".join(rows)))
            pages.append(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert("L"))
            rows = []
    return pages


def barcodes(image: Image.Image) -> list[str]:
    """Return the Code 128 codes an image shows (with a white border as quiet zone)."""
    framed = ImageOps.expand(image, border=40, fill=255)
    return [r.text for r in zxingcpp.read_barcodes(framed, formats=zxingcpp.BarcodeFormat.Code128)]


def closed_port() -> int:
    """Return a local port nobody listens on."""
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port
