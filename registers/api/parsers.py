"""The API reads JSON, and only JSON a till would send."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing JSON nested deeper than Python's parser goes (a
    thousand arrays deep is a ``RecursionError``, which would be a 500) with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("The JSON is nested too deep.") from None
