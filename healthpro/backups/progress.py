"""Progress lines for the backup commands: one line rewritten in place on a terminal, plain lines
otherwise (the journal of a systemd unit, a log file)."""


class ProgressPrinter:
    def __init__(self, stream):
        self.stream = stream
        self.interactive = hasattr(stream, "isatty") and stream.isatty()
        self._width = 0

    def __call__(self, line: str) -> None:
        if self.interactive:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
