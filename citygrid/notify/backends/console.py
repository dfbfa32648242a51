import sys
import threading

from citygrid.core.validators import mask_mobile
from citygrid.notify.backends.base import BaseSmsBackend


class ConsoleBackend(BaseSmsBackend):
    """Prints each message to stdout (or `stream`) for development; the phone is masked."""

    name = "console"
    _lock = threading.Lock()

    def __init__(self, stream=None, **options) -> None:
        super().__init__(**options)
        self.stream = stream or sys.stdout

    def send(self, message) -> None:
        line = f"[短信 #{message.pk}] {mask_mobile(message.phone)}：{message.text}\n"
        with self._lock:
            self.stream.write(line)
            self.stream.flush()
        self.mark_sent(message)
