from citygrid.core.context import acting_as


def client_ip(request) -> str:
    # Behind nginx the proxy sets X-Real-IP; REMOTE_ADDR is the proxy itself.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


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
