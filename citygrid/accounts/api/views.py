from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from citygrid.accounts.security import login_attempt
from citygrid.core.api.errors import ApiError
from citygrid.core.errors import ActionError
from citygrid.core.middleware import client_ip


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange username and password for an API token (the login page's lock-out and
    throttling apply)."""

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
        try:
            user = login_attempt(
                request,
                body.validated_data["username"],
                body.validated_data["password"],
                client_ip(request),
            )
        except ActionError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc
        if user is None:
            raise ApiError("invalid_credentials", "用户名或密码错误", 400)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
