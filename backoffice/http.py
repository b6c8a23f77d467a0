import ipaddress

from django.conf import settings


def from_trusted_proxy(request):
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address  # ::ffff:127.0.0.1
    networks = [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXY_IPS]
    return any(address in network for network in networks)


def client_ip(request):
    """The address of the person at the other end, for sign-in throttling.

    Behind ``TRUSTED_PROXY_COUNT`` proxies (``BEHIND_HTTPS_PROXY=1``), each proxy appends the
    address it received the request from to ``X-Forwarded-For``: the entry that many places
    from the end was written by our outermost proxy and is the client's; entries further
    left came from the client and may be forged. Without proxies, or for a request that
    does not come from one of ``TRUSTED_PROXY_IPS`` (the app's port reached directly),
    ``REMOTE_ADDR``.
    (django-ipware's ``proxy_count`` returns no address at all when a client adds entries
    of its own, which would lock a username out for everyone again.)
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if count and len(forwarded) >= count and from_trusted_proxy(request):
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
