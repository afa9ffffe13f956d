"""The API's JSON parser.

DRF's JSONParser lets Python's RecursionError escape on a deeply nested body (`[[[[…]]]]`), which
became a 500. Any body the decoder cannot take apart is a client error: a 400 like malformed JSON.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
