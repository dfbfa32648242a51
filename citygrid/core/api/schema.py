"""OpenAPI generation: every operation documents the errors it can answer, in the one error body
(`core.api.errors`), so clients and Schemathesis can rely on the schema for failures too."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(label="错误代码", help_text="供程序判断，如 not_found")
    message = serializers.CharField(label="说明", help_text="给人看的中文说明")
    errors = serializers.DictField(
        label="各字段的错误",
        help_text="字段名 → 错误列表；非字段错误在 non_field_errors",
        child=serializers.JSONField(),
    )

    class Meta:
        ref_name = "Error"


ERRORS = {
    "400": "请求有误：参数、筛选条件或提交的数据不合法",
    "401": "未登录或令牌无效",
    "403": "没有此操作的权限",
    "404": "记录不存在或不在管辖范围内（或页码超出范围）",
}
# Writes may also be refused by the record's state (e.g. a protected delete, a closed case).
WRITE_ERRORS = {"409": "当前状态不允许此操作"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(WRITE_ERRORS)
        for status_code, description in errors.items():
            if status_code not in responses:  # an operation's own description wins
                response = OpenApiResponse(ErrorSerializer, description=description)
                responses[status_code] = self._get_response_for_code(
                    response, status_code, direction=direction
                )
        return responses
