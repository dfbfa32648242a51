from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from citygrid.accounts import twofactor
from citygrid.accounts.security import login_attempt, login_succeeded
from citygrid.core.api.errors import ApiError
from citygrid.core.errors import ActionError
from citygrid.core.middleware import client_ip


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})
    otp = serializers.CharField(
        label="动态验证码", required=False, help_text="已启用双因素认证的用户必填"
    )


class ObtainTokenView(APIView):
    """Exchange username and password (and the TOTP code of a user with a device) for an API
    token; the login page's lock-out and throttling apply, wrong codes included."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=TokenSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        summary="获取 API 令牌",
    )
    def post(self, request):
        body = TokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ip = client_ip(request)
        try:
            user = login_attempt(request, data["username"], data["password"], ip)
            if user is not None:
                self.second_factor(user, data.get("otp", ""), ip)
        except ActionError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc
        if user is None:
            raise ApiError("invalid_credentials", "用户名或密码错误", 400)
        login_succeeded(user, ip)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def second_factor(self, user, code: str, ip: str) -> None:
        if twofactor.confirmed_device(user):
            if not code:
                raise ActionError("otp_required", "请输入动态验证码", 400)
            twofactor.verify_login_code(user, code, ip)
        elif twofactor.enrolment_required(user):
            raise ActionError("otp_enrolment_required", "管理员须先在网页上启用双因素认证", 403)
