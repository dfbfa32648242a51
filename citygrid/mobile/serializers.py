"""The grid app's uploads and answers: inputs checked before anything is written, and the
shape of each answer (the phone's outbox stores it and shows it on the queue page)."""

from rest_framework import serializers

from citygrid.cases.choices import Urgency, VerificationOutcome
from citygrid.cases.models import CaseCategory
from citygrid.core.validators import mask_name

MAX_PHOTOS = 9
REQUIRED_POSITION = {"required": "缺少定位", "null": "缺少定位"}


def required(message: str) -> dict[str, str]:
    """The same message whether the field is missing or sent empty, as the app's forms say it."""
    return {"required": message, "blank": message, "null": message}


class KeyedSerializer(serializers.Serializer):
    # A UUID the phone made when the item was queued; retries send the same one.
    idempotency_key = serializers.CharField(
        label="提交编号", min_length=8, max_length=64, error_messages=required("缺少提交编号")
    )


class PhotosSerializer(KeyedSerializer):
    photos = serializers.ListField(
        label="照片",
        # The intake checks each image itself and names what is wrong with it.
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text=f"最多 {MAX_PHOTOS} 张",
    )


class GridReportSerializer(PhotosSerializer):
    category = serializers.PrimaryKeyRelatedField(
        label="问题类别",
        queryset=CaseCategory.objects.reportable(),
        error_messages={
            **required("请选择问题类别"),
            "does_not_exist": "请选择有效的问题类别",
            "incorrect_type": "请选择有效的问题类别",
        },
    )
    description = serializers.CharField(
        label="问题描述", max_length=2000, error_messages=required("请填写问题描述")
    )
    lng = serializers.FloatField(
        label="经度", min_value=-180, max_value=180, error_messages=REQUIRED_POSITION
    )
    lat = serializers.FloatField(
        label="纬度", min_value=-90, max_value=90, error_messages=REQUIRED_POSITION
    )
    accuracy = serializers.FloatField(
        label="定位精度（米）", min_value=0, required=False, allow_null=True
    )
    address = serializers.CharField(
        label="地址", max_length=200, required=False, allow_blank=True, default=""
    )
    urgency = serializers.ChoiceField(
        label="紧急程度", choices=Urgency.choices, required=False, default=Urgency.NORMAL
    )


class GridVerifySerializer(PhotosSerializer):
    passed = serializers.ChoiceField(
        label="核查结果",
        choices=[("1", "通过"), ("0", "不通过")],
        error_messages=required("请选择核查结果"),
    )
    note = serializers.CharField(
        label="核查意见", max_length=2000, required=False, allow_blank=True, default=""
    )

    def validate_passed(self, value: str) -> bool:
        return value == "1"


class GridPatrolSerializer(KeyedSerializer):
    result = serializers.CharField(
        label="巡查情况", max_length=4000, error_messages=required("请填写巡查情况")
    )


class GridAnswerSerializer(KeyedSerializer):
    outcome = serializers.ChoiceField(
        label="核查结论",
        choices=VerificationOutcome.choices,
        error_messages={**required("请选择核查结论"), "invalid_choice": "请选择核查结论"},
    )
    note = serializers.CharField(label="核查情况", max_length=4000, required=False, default="")
    corrections = serializers.CharField(
        label="更正内容", max_length=4000, required=False, default=""
    )


class GridOwnPatrolSerializer(KeyedSerializer):
    grid = serializers.IntegerField(label="巡查网格", error_messages=required("请选择巡查网格"))
    title = serializers.CharField(
        label="任务标题", max_length=100, error_messages=required("请填写任务标题")
    )
    end_date = serializers.DateField(
        label="结束日期",
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "结束日期格式不正确"},
    )
    frequency = serializers.CharField(label="频次", max_length=50, required=False, default="")
    instructions = serializers.CharField(
        label="巡查要点", max_length=4000, required=False, default=""
    )


class GridVisitSerializer(KeyedSerializer):
    target = serializers.CharField(
        label="走访对象", max_length=100, error_messages=required("请填写走访对象")
    )
    findings = serializers.CharField(
        label="走访情况", max_length=4000, error_messages=required("请填写走访情况")
    )
    visited_at = serializers.DateTimeField(
        label="走访时间", required=False, allow_null=True, default=None
    )
    place = serializers.CharField(
        label="地点", max_length=200, required=False, allow_blank=True, default=""
    )
    lng = serializers.FloatField(
        label="经度", min_value=-180, max_value=180, required=False, allow_null=True, default=None
    )
    lat = serializers.FloatField(
        label="纬度", min_value=-90, max_value=90, required=False, allow_null=True, default=None
    )
    next_visit = serializers.DateField(
        label="下次走访", required=False, allow_null=True, default=None
    )
    person = serializers.IntegerField(
        label="走访人员", required=False, allow_null=True, default=None
    )


class GridLookupSerializer(serializers.Serializer):
    q = serializers.CharField(label="关键词", min_length=1, max_length=50)


# --- answers ---------------------------------------------------------------------------------


class GridErrorSerializer(serializers.Serializer):
    code = serializers.CharField(label="错误代码", help_text="供程序判断，如 out_of_scope")
    message = serializers.CharField(label="说明", help_text="给人看的中文说明")
    errors = serializers.DictField(
        label="各字段的错误", child=serializers.ListField(child=serializers.CharField())
    )


class ReportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="事件ID")
    number = serializers.CharField(label="事件编号")
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")
    region = serializers.CharField(label="所属网格")
    outside_own_grid = serializers.BooleanField(label="不在本人网格内")


class VerifyResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="事件ID")
    number = serializers.CharField(label="事件编号")
    state = serializers.CharField(label="状态")
    state_label = serializers.CharField(label="状态名称")
    next_step = serializers.CharField(
        label="下一步", help_text="谁接着办理、时限，如“下一步由 指挥中心 结案，时限 …”"
    )
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")


class PatrolResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="任务ID")
    status_label = serializers.CharField(label="任务状态")
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")


class AnswerResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="任务ID")
    outcome_label = serializers.CharField(label="核查结论")
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")


class OwnPatrolResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="任务ID")
    title = serializers.CharField(label="任务标题")
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")


class VisitResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="走访日志ID")
    region = serializers.CharField(label="所属网格")
    created = serializers.BooleanField(label="新建", help_text="false：重复提交，返回首次结果")


class PersonRowSerializer(serializers.Serializer):
    """A person as the look-up shows them; names in clear only where the role reveals them."""

    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField(label="姓名")
    sex = serializers.CharField(source="get_sex_label", label="性别")
    age = serializers.IntegerField(label="年龄", allow_null=True)
    residence_type = serializers.CharField(source="get_residence_type_display", label="居住类型")
    id_number = serializers.SerializerMethodField(label="证件号码（脱敏）")
    phone = serializers.SerializerMethodField(label="联系电话（脱敏）")
    address = serializers.CharField(source="current_address", label="现住址")
    grid = serializers.CharField(source="region.name", label="所属网格")

    def get_name(self, person) -> str:
        return person.name if self.context["reveal"] else mask_name(person.name)

    def get_id_number(self, person) -> str:
        return person.masked("id_number")

    def get_phone(self, person) -> str:
        return person.masked("phone")


class HouseRowSerializer(serializers.Serializer):
    """A house as the look-up shows it; the owner in clear only where the role reveals them."""

    id = serializers.IntegerField(source="pk")
    code = serializers.CharField(label="房屋编号")
    address = serializers.SerializerMethodField(label="地址")
    occupancy = serializers.CharField(source="get_occupancy_display", label="使用情况")
    owner_name = serializers.SerializerMethodField(label="产权人")
    owner_phone = serializers.SerializerMethodField(label="产权人电话（脱敏）")
    grid = serializers.CharField(source="region.name", label="所属网格")

    def get_address(self, house) -> str:
        return house.address or str(house)

    def get_owner_name(self, house) -> str:
        return house.owner_name if self.context["reveal"] else mask_name(house.owner_name)

    def get_owner_phone(self, house) -> str:
        return house.masked("owner_phone")


class PersonResultsSerializer(serializers.Serializer):
    results = PersonRowSerializer(many=True)


class HouseResultsSerializer(serializers.Serializer):
    results = HouseRowSerializer(many=True)
