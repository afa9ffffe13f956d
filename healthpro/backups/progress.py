"""Progress lines for the backup commands: one line rewritten in place on a terminal, plain lines
otherwise (the journal of a systemd unit, a log file)."""


class ProgressPrinter:
    """Writes to a command's OutputWrapper (`self.stderr`), which knows whether it is a terminal."""

    def __init__(self, output):
        self.output = output
        self.interactive = output.isatty()
        self._width = 0

    def __call__(self, line: str) -> None:
        if self.interactive:
            self.output.write("\r" + line.ljust(self._width), ending="")
            self._width = len(line)
        else:
            self.output.write(line)
        self.output.flush()

    def finish(self) -> None:
        if self.interactive and self._width:
            self.output.write("")
            self._width = 0
