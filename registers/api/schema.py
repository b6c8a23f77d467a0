"""What the schema says of the API's errors, for every operation: the answers a register
may get besides the one it asked for."""

ERROR = {
    "type": "object",
    "description": "DRF's shape with machine-readable codes (registers.api.errors): a field's "
    "errors as a list of plain-text messages by the field's name, with their codes in "
    '`codes` (`{"email": ["This email address already belongs to another customer."], '
    '"codes": {"email": ["duplicate_email"]}}`); any other error as a `detail` '
    "message with its `code` (`not_found`, `not_authenticated`, `throttled`, "
    "`request_in_progress`, `register_in_use`, `request_too_large`, `server_error`, ...).",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "codes": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "additionalProperties": True,
}
EVERY_OPERATION = {
    "400": "Bad input: a message per field; or no Register-Device header (a `detail`).",
    "401": "No register's key, or one that is not active.",
    "404": "No such customer, or a page cursor that is not one.",
    "409": "Another device holds the register: `code` is `register_in_use`, with "
    "`held_since` and `last_seen_at`.",
    "429": "Too many requests from this register, or too many wrong keys from this address: "
    "see Retry-After, and RateLimit on every answer.",
}
CONFLICTS = {
    ("post", "/api/v1/sales/"): "The receipt id was used for another sale.",
    ("post", "/api/v1/customers/"): "The Idempotency-Key was used for another request "
    "(`idempotency_key_reused`), or its first request is still being answered "
    "(`request_in_progress`): send it again in a moment.",
    ("patch", "/api/v1/customers/{id}/"): "The customer was saved since the version read.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular's postprocessing hook: the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(EVERY_OPERATION)
            if conflict := CONFLICTS.get((method, path)):
                errors["409"] = f"{conflict} Or: {EVERY_OPERATION['409']}"
            for code, description in errors.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": reference}
                )
    # A change (PATCH) names the version of the customer it was made from.
    patched = result["components"]["schemas"].get("PatchedCustomerWrite")
    if patched is not None:
        patched["required"] = sorted({*patched.get("required", []), "version"})
    return result
