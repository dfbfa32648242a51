"""Every API error is `{"code": ..., "message": "<中文>", "errors": {...}}`.

Clients branch on `code`; people read `message`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MESSAGES = {
    "not_authenticated": "请先登录",
    "authentication_failed": "身份认证失败",
    "permission_denied": "您没有此操作的权限",
    "not_found": "记录不存在或不在您的管辖范围内",
    "method_not_allowed": "不支持该请求方法",
    "invalid": "提交的数据有误",
    "parse_error": "请求数据格式错误",
    "throttled": "请求过于频繁，请稍后再试",
    "unsupported_media_type": "不支持的数据格式",
}


class ApiError(exceptions.APIException):
    """An error with our own code and Chinese message, e.g. `out_of_scope`."""

    def __init__(self, code: str, message: str, status_code: int = 400):
        self.status_code = status_code
        super().__init__(detail=message, code=code)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        body = {"code": exc.get_codes(), "message": str(exc.detail), "errors": {}}
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = MESSAGES["invalid"]
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        message = MESSAGES.get(code, str(exc.detail))
        errors = {}
    response.data = {"code": code, "message": message, "errors": errors}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"
    return response


def not_found(request, exception=None):
    """404 for a URL no route matches: the API's JSON error body under the API's paths (a
    client must never have to parse an HTML page), Django's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith(("/api/", "/m/api/")):
        body = {"code": "not_found", "message": MESSAGES["not_found"], "errors": {}}
        return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    return page_not_found(request, exception)
