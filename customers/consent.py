"""Marketing consent: each change of a customer's email or SMS consent stamps its level,
time and source on the customer, and is written once as a ``ConsentEvent``, whichever way it
came (the customer form, an import, a register, an unsubscribe link, Django admin).

Staff and tills record what the customer said: a single opt-in. A confirmed opt-in is the
customer answering a confirmation message (Campaigns), which keeps the level it had.
"""

from django.utils import timezone

from .models import Channel, Consent, ConsentEvent, ConsentLevel

# What files and tills may send for a consent state, besides its own values.
CONSENT_SYNONYMS = {
    "yes": Consent.SUBSCRIBED,
    "true": Consent.SUBSCRIBED,
    "1": Consent.SUBSCRIBED,
    "subscribed": Consent.SUBSCRIBED,
    "no": Consent.UNSUBSCRIBED,
    "false": Consent.UNSUBSCRIBED,
    "0": Consent.UNSUBSCRIBED,
    "unsubscribed": Consent.UNSUBSCRIBED,
    "not asked": Consent.NOT_ASKED,
    "not_asked": Consent.NOT_ASKED,
}


def consent_field_names(channel):
    return [f"{channel}_consent", f"{channel}_consent_level", f"{channel}_consent_at",
            f"{channel}_consent_source"]  # fmt: skip


def consent_changes(customer, before, *, source, user, now=None):
    """The ``ConsentEvent`` of each channel whose state on ``customer`` differs from
    ``before`` (the stored values by field name; {} for a new customer), its level, time and
    source stamped on ``customer`` (not saved). ``user`` may be an ``audit.Actor``."""
    now = now or timezone.now()
    signed_in = user is not None and user.is_authenticated
    events = []
    for channel in Channel:
        state = getattr(customer, f"{channel}_consent")
        if state == before.get(f"{channel}_consent", Consent.NOT_ASKED):
            continue
        level = ConsentLevel.SINGLE if state == Consent.SUBSCRIBED else ""
        customer.__dict__.update(
            {
                f"{channel}_consent_level": level,
                f"{channel}_consent_at": now,
                f"{channel}_consent_source": source,
            }
        )
        events.append(
            ConsentEvent(
                customer=customer, channel=channel, state=state, level=level, source=source,
                created_at=now, created_by=user if signed_in else None,
                actor_name=(user.get_username() if signed_in else str(user or ""))[:150],
            )
        )  # fmt: skip
    return events
