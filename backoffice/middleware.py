"""Middleware the whole back office shares: request ids, odd-input and size limits, and no
caching of personal data."""

import logging
import uuid

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string


class RequestIdMiddleware:
    """Give every request an id, sent back as ``X-Request-ID``, written in the log lines of
    that request and shown on error pages, so that support can find what a user saw."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:12]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class RequestLimitsMiddleware:
    """Refuse, before reading them, request bodies larger than ``MAX_REQUEST_BYTES`` (413;
    ``MAX_UPLOAD_REQUEST_BYTES`` for the pages in ``LARGE_UPLOAD_PATHS``: imports),
    and query strings or forms with a NUL character (400): no field has a use for one, and
    PostgreSQL refuses to store or compare it. Placed after the middleware that add the
    security headers (CSP, X-Frame-Options, Cache-Control), so that its pages have them;
    nothing before it reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        limit = settings.MAX_REQUEST_BYTES
        if request.path in settings.LARGE_UPLOAD_PATHS:
            limit = settings.MAX_UPLOAD_REQUEST_BYTES
        if length > limit:
            megabytes = limit // (1024 * 1024)
            if for_api(request):
                return refused(
                    f"A request body is at most {megabytes} MB.", status=413,
                    code="request_too_large",
                )  # fmt: skip
            page = render_to_string("413.html", {"megabytes": megabytes}, request=request)
            response = HttpResponse(page, status=413)
            response["Cache-Control"] = "no-store"
            return response
        if has_nul(request.GET) or (request.method == "POST" and has_nul(request.POST)):
            return bad_request(request)
        return self.get_response(request)


def for_api(request):
    """Whether the request is the registers' API's, which answers in JSON."""
    return request.path.startswith("/api/")


def refused(message, *, status, code, **more):
    """An API error answered before any view: JSON with its code (``registers.api.errors``)."""
    response = JsonResponse({"detail": message, "code": code, **more}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request):
    if for_api(request):
        return refused(
            "This request has a character no field accepts (NUL).", status=400,
            code="invalid_character",
        )  # fmt: skip
    response = HttpResponseBadRequest(render_to_string("400.html", request=request))
    response["Cache-Control"] = "no-store"
    return response


def has_nul(query_dict):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class PrivateCacheMiddleware:
    """Pages for signed-in staff and the registers' API show personal data: no shared or
    browser cache may keep them (``Cache-Control: private, no-store``) unless the view
    chose otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.user.is_authenticated or for_api(request)
        if personal and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to log records (``-`` outside a request with an id)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", "-")
        return True
