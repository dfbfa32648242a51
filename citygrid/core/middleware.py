from ipaddress import ip_address

from django.conf import settings

from citygrid.core.context import acting_as


def _trusted(address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The client's address. Forwarded headers are believed only when they come from a
    configured proxy (`settings.TRUSTED_PROXIES`): from anyone else they are the client's own
    claim, and a rate limit or an access log keyed on them could be dodged or forged."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    # Each proxy appends the address it saw: walk back from ours past the trusted ones; what a
    # client wrote further left is not believed.
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([h.strip() for h in hops if h.strip()]):
        if not _trusted(hop):
            return hop if _is_ip(hop) else remote
    real = request.META.get("HTTP_X_REAL_IP", "").strip()
    return real if _is_ip(real) else remote


def _is_ip(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


class RequestContextMiddleware:
    """Binds the acting user and a request id for change logging during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The user is resolved lazily by AuthenticationMiddleware; DRF token users are
        # attached later by the API view, which refreshes the context itself.
        with acting_as(request.user, ip=client_ip(request)) as ctx:
            request.id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = str(ctx.request_id)
        return response
