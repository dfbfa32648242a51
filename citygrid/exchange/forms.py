"""Forms of the boards: a topic (with its attachments) and a reply."""

from django import forms

from citygrid.core.forms import MultipleFileInput, StyledFormMixin
from citygrid.exchange import uploads


class AttachmentsField(forms.FileField):
    """Up to `uploads.MAX_FILES` files, each cleaned (`uploads.clean_upload`)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "附件")
        kwargs.setdefault(
            "help_text",
            f"可选，最多 {uploads.MAX_FILES} 个：图片（JPG、PNG、WEBP）或文档（PDF、Word、Excel、"
            "PowerPoint、TXT），文档不超过 10 MB",
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = uploads.ACCEPT

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        for upload in files:
            super().clean(upload, initial)
        return uploads.clean_uploads(files)


class TopicForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="内容", max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))
    pinned = forms.BooleanField(label="设为置顶公告", required=False)
    attachments = AttachmentsField()

    def __init__(self, *args, may_pin: bool = False, with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_pin:
            del self.fields["pinned"]
        if not with_files:
            del self.fields["attachments"]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("请填写标题")
        return title


class ReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label="回复内容", max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()
