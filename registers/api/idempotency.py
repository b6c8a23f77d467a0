"""Requests sent again: a till retries when it is not sure its request landed, and must get
the first answer, never the work done twice (the IETF httpapi Idempotency-Key draft;
Stripe's keys)."""

import datetime
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from ..models import IdempotentAnswer
from .errors import error_response


def fingerprint(values):
    """The SHA-256 of a request's values: the same request sent again, however its JSON
    was spaced or ordered, has the same one."""
    if isinstance(values, dict):
        # The customer's id stays a number, as it was when it was read as a Customer.
        values = {
            name: value if name == "customer" else str(value) for name, value in values.items()
        }
    canonical = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode(errors="surrogatepass")).hexdigest()


# Stripe keeps keys of up to 255 characters whole: a longer one is refused, never cut.
IDEMPOTENCY_KEY_MAX = 255
# A claim with no answer after this is a request whose worker died: a retry takes it over.
# Longer than gunicorn's --timeout (300 s, README "Production"), so that a request still
# running is never run a second time. (A worker killed after the customer was saved but
# before its answer was kept leaves a retry to find the email taken: a 400.)
ABANDONED_AFTER = datetime.timedelta(minutes=6)


def once_per_key(request, answer):
    """``answer()`` once per ``Idempotency-Key`` of the register. The key is claimed
    before the work: a retry that comes while the first request runs gets a 409 saying so
    (the IETF httpapi Idempotency-Key draft), a later one the first answer with
    ``Idempotent-Replayed: true``, and nothing is made twice (the same key with another
    body: 409). An answer of 500 or more is not kept, so the request may be tried again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return answer()
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        return error_response(
            400, "idempotency_key_invalid",
            f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} characters.",
        )  # fmt: skip
    register, body = request.auth, fingerprint(request.data)
    claim = claimed(register, key, body)
    if not isinstance(claim, IdempotentAnswer):
        return claim  # the answer for a key claimed before
    try:
        response = answer()
    except BaseException:
        claim.delete()
        raise
    if response.status_code >= 500:
        claim.delete()
        return response
    IdempotentAnswer.objects.filter(pk=claim.pk).update(
        status_code=response.status_code, body=response.data
    )
    return response


def claimed(register, key, body):
    """The claim of ``key`` for this request, or the answer to give instead: the first
    answer, or a 409 while the first request runs or when the key was used for another."""
    try:
        with transaction.atomic():
            return IdempotentAnswer.objects.create(register=register, key=key, fingerprint=body)
    except IntegrityError:
        pass
    first = IdempotentAnswer.objects.filter(register=register, key=key).first()
    if first is None:  # removed meanwhile: a 500 or an expiry
        return claimed(register, key, body)
    if first.fingerprint != body:
        return error_response(
            409, "idempotency_key_reused", "This Idempotency-Key was used for another request."
        )
    if first.status_code is None:
        abandoned = timezone.now() - ABANDONED_AFTER
        taken_over = IdempotentAnswer.objects.filter(
            pk=first.pk, status_code=None, created_at__lt=abandoned
        ).update(created_at=timezone.now())
        if taken_over:
            return first
        return error_response(
            409, "request_in_progress",
            "A request with this Idempotency-Key is still being answered: send it again "
            "in a moment to get its answer.",
        )  # fmt: skip
    replay = Response(first.body, status=first.status_code)
    replay["Idempotent-Replayed"] = "true"
    return replay
