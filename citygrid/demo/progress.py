"""Progress lines for long demo generation: a bar, the count, the rate and the time left."""

import time

BAR = 20


class ProgressLines:
    """A `progress(done, total)` callback writing one line per committed batch.

    Lines rather than a redrawn bar: the output is usually a log file or a CI job. `base` is what
    was already done before this run (a resumed run), so the rate counts this run's work only.
    """

    def __init__(self, out, label: str, base: int = 0):
        self.out = out
        self.label = label
        self.base = base
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(BAR * share)
        elapsed = time.monotonic() - self.started
        rate = (done - self.base) / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        minutes, seconds = divmod(round(left), 60)
        self.out.write(
            f"  [{'█' * filled}{'░' * (BAR - filled)}] {self.label} {done}/{total}"
            f"（{share:.1%}，每秒 {rate:,.0f} 人，预计还需 {minutes} 分 {seconds} 秒）"
        )
        self.out.flush()  # a log file or pipe shows each line as it happens
