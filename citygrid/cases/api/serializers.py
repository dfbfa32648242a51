from rest_framework import serializers

from citygrid.cases.actions import available_actions
from citygrid.cases.choices import Channel, Step, Urgency
from citygrid.cases.engine import Input, Transition
from citygrid.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    Department,
    SupervisionOrder,
    Task,
)
from citygrid.cases.routing import dispatch_departments
from citygrid.cases.workflow import CASES


class CaseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseCategory
        fields = [
            "id",
            "kind",
            "parent",
            "code",
            "name",
            "register_criteria",
            "closing_criteria",
            "active",
        ]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "region", "phone", "active"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        fields = ["id", "stage", "image", "thumbnail", "event", "created"]


class CaseEventSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "from_state",
            "to_state",
            "time",
            "actor",
            "actor_name",
            "department",
            "note",
            "step",
            "step_deadline",
            "on_time",
            "elapsed_seconds",
            "data",
            "attachments",
        ]


class CaseSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    # A closed case has no current step: "" must be in the schema's enum, or clients that
    # validate responses against it reject every closed case.
    step = serializers.ChoiceField(
        choices=Step.choices, allow_blank=True, read_only=True, label="当前环节"
    )
    lateness = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "urgency",
            "description",
            "address",
            "lng",
            "lat",
            "channel",
            "reporter_name",
            "reporter_phone",
            "state",
            "state_label",
            "lateness",
            "department",
            "level",
            "step",
            "step_started",
            "step_deadline",
            "region",
            "region_code",
            "possible_duplicate_of",
            "merged_into",
            "reported_at",
            "closed_at",
            "satisfaction",
        ]
        read_only_fields = fields

    def get_lateness(self, obj) -> str:
        return obj.lateness()

    def _reporter_hidden(self, obj) -> bool:
        # An anonymous citizen's identity is for staff holding the permission only.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return obj.anonymous and not (user and user.has_perm("cases.view_reporter_case"))

    def get_reporter_name(self, obj) -> str:
        return "匿名" if self._reporter_hidden(obj) else obj.masked("reporter_name")

    def get_reporter_phone(self, obj) -> str:
        return "" if self._reporter_hidden(obj) else obj.masked("reporter_phone")


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events", "available_actions"]
        read_only_fields = fields

    def get_available_actions(self, obj) -> list[str]:
        return [t.action for t in available_actions(obj, self.context["request"].user)]


class ReportSerializer(serializers.Serializer):
    """A new case: the same fields every channel sends to the intake service."""

    category = serializers.PrimaryKeyRelatedField(
        queryset=CaseCategory.objects.reportable(), label="小类"
    )
    description = serializers.CharField(max_length=2000, label="问题描述")
    lng = serializers.FloatField(min_value=-180, max_value=180, label="经度")
    lat = serializers.FloatField(min_value=-90, max_value=90, label="纬度")
    crs = serializers.ChoiceField(
        choices=["wgs84", "cgcs2000", "gcj02", "bd09"], default="wgs84", label="坐标系"
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, label="地址")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WEB)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, max_length=9)
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


# DRF's error codes for a value left out: refused with the input's own code, like the engine.
MISSING = {"required", "blank", "null", "empty"}


def input_field(spec: Input, transition: Transition | None, case: Case | None, user):
    """The API field of one declared input; without a transition (the schema) all optional."""
    common = {"label": spec.label, "required": spec.required}
    if spec.required:
        message = spec.missing(transition).message
        common["error_messages"] = dict.fromkeys(MISSING, message)
    match spec.kind:
        case "text":
            return serializers.CharField(allow_blank=not spec.required, max_length=2000, **common)
        case "photos":
            return serializers.ListField(
                child=serializers.ImageField(),
                max_length=9,
                allow_empty=not spec.required,
                **common,
            )
        case "department":
            eligible = dispatch_departments(case, user) if case else Department.objects.none()
            return serializers.PrimaryKeyRelatedField(queryset=eligible, **common)
        case "decimal":
            return serializers.DecimalField(
                max_digits=6,
                decimal_places=2,
                min_value=spec.min_value,
                max_value=spec.max_value,
                **common,
            )
        case "choice":
            return serializers.ChoiceField(choices=spec.choices, **common)
        case "case":
            visible = Case.objects.restrict(user, "view") if user else Case.objects.none()
            return serializers.PrimaryKeyRelatedField(queryset=visible, **common)
        case "datetime":
            return serializers.DateTimeField(**common)
    raise ValueError(f"unknown input kind {spec.kind!r}")


class ActionSerializer(serializers.Serializer):
    """The inputs the transition in the context declares (context: transition, case, request);
    without one, every input of the table, for the schema."""

    def get_fields(self):
        transition = self.context.get("transition")
        if transition is None:
            return {n: input_field(i, None, None, None) for n, i in CASES.inputs().items()}
        case, user = self.context["case"], self.context["request"].user
        return {i.name: input_field(i, transition, case, user) for i in transition.inputs}

    def inputs(self) -> dict:
        """The validated inputs. A missing required one raises the engine's refusal (its
        declared code, e.g. `note_required`); any other error the usual validation error."""
        if self.is_valid():
            return dict(self.validated_data)
        transition = self.context["transition"]
        for spec in transition.inputs:
            errors = self.errors.get(spec.name, [])
            if any(getattr(e, "code", None) in MISSING for e in errors):
                raise spec.missing(transition)
        raise serializers.ValidationError(self.errors)


class SupervisionOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "case",
            "department",
            "level",
            "required_by",
            "instructions",
            "status",
            "issued_by",
            "answer",
            "answered_at",
            "created",
        ]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "title",
            "region",
            "assignee",
            "case",
            "start_date",
            "end_date",
            "frequency",
            "checkpoints",
            "due_at",
            "status",
            "result",
            "done_at",
            "person",
            "house",
            "sender",
            "instructions",
            "outcome",
            "corrections",
        ]
        read_only_fields = ["status", "result", "done_at"]


ACTIONS = tuple(CASES.by_action)
