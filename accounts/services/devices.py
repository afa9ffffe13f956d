"""A short, human label for a browser ("Firefox on Windows") from its User-Agent, without a
parsing library: enough for a session list and a new-device notice, not for analytics."""

import re

_BROWSERS = [
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|HeadlessChrome/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
    ("curl", re.compile(r"^curl/")),
    ("Python", re.compile(r"python-requests|python-urllib|Python/", re.IGNORECASE)),
]
_SYSTEMS = [
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux|X11")),
]


def browser_family(user_agent: str) -> str:
    return next((name for name, pattern in _BROWSERS if pattern.search(user_agent or "")), "Unknown browser")


def operating_system(user_agent: str) -> str:
    return next((name for name, pattern in _SYSTEMS if pattern.search(user_agent or "")), "unknown system")


def device_label(user_agent: str) -> str:
    return f"{browser_family(user_agent)} on {operating_system(user_agent)}"
