"""The API's JSON parser.

Two kinds of body the decoder takes apart but the API could not answer about became 500s:
- a deeply nested body (`[[[[…]]]]`): DRF's JSONParser lets Python's RecursionError escape;
- a lone UTF-16 surrogate (`"\\ud800"`, half of a pair): valid JSON escape, but no UTF-8 can encode
  it, so the 400 that echoes the key or value (and Django's debug page) raised UnicodeEncodeError.
Both are client errors, answered 400 like malformed JSON, without echoing anything of the body.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate_in(data) -> bool:
    """Any key or string value in the parsed body that UTF-8 cannot encode (walked without recursion)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        if lone_surrogate_in(data):
            raise ParseError("JSON parse error - the body contains a lone UTF-16 surrogate (not a character).")
        return data
