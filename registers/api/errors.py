"""How the API answers an error: always JSON, in DRF's shape, with a machine-readable code
beside each message, so that a till can act on the code and show the message.

- A field's errors: ``{"<field>": ["message", ...], "codes": {"<field>": ["code", ...]}}``.
- Any other error: ``{"detail": "message", "code": "code"}`` (404, 401, 409, 413, 429,
  500...), with more fields where the error has them (``current``, ``held_since``).

Messages are plain text, never HTML, and never name another customer.
"""

from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_response(status, code, detail, **more):
    """An error that is not about a field."""
    return Response({"detail": detail, "code": code, **more}, status=status)


def field_errors(errors, *, status=400):
    """``errors``: {field: [(code, message), ...]} as DRF's shape plus codes."""
    return Response(
        {
            **{field: [message for _, message in found] for field, found in errors.items()},
            "codes": {field: [code for code, _ in found] for field, found in errors.items()},
        },
        status=status,
    )


def exception_handler(exc, context):
    """DRF's handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), with the codes added. A 404
    keeps its own message ("No customer of this store has the id 12."), not DRF's."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: the handler500 of the pages answers it, in JSON for the API
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        response.data = {**response.data, "codes": exc.get_codes()}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": " ".join(map(str, exc.detail)), "code": "invalid"}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data["code"] = getattr(exc.detail, "code", None) or exc.default_code
    return response


def not_found(request, *args, **kwargs):
    """Any other address under the API: a 404 in JSON, never the pages' HTML."""
    return JsonResponse(
        {"detail": "There is no such address in the API.", "code": "not_found"}, status=404
    )
