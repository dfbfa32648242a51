from django import forms

from citygrid.core.forms import ScopedModelForm
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import GridWorker, Region
from citygrid.regions.widgets import GOVERNMENT_LEVELS, use_picker


class RegionForm(ScopedModelForm):
    boundary = forms.CharField(
        label="边界",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-boundary-input": "1"}),
        help_text="在地图上绘制，或粘贴 GeoJSON / WKT（WGS-84 经纬度）",
    )

    class Meta:
        model = Region
        fields = [
            "parent",
            "level",
            "code",
            "name",
            "kind",
            "boundary",
            "photo",
            "introduction",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "introduction": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        if self.instance.pk:
            # Code, level and (through the code) parent are fixed once a region exists.
            for name in ("parent", "level", "code"):
                self.fields[name].disabled = True
            # A grid worker may edit their grid though its community lies outside their scope.
            parent.queryset = Region.objects.filter(pk=self.instance.parent_id)
            use_picker(parent)
        else:
            # Grids hold no regions but village groups, which are not edited here.
            use_picker(parent, *GOVERNMENT_LEVELS)
        if self.instance.boundary and not self.is_bound:
            import json

            self.initial["boundary"] = json.dumps(self.instance.boundary, ensure_ascii=False)

    def clean_boundary(self):
        value = self.cleaned_data.get("boundary", "").strip()
        return value or None

    def clean_photo(self):
        from citygrid.core.images import clean_image

        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            return clean_image(photo)
        return photo


class GridWorkerForm(ScopedModelForm):
    class Meta:
        model = GridWorker
        fields = ["region", "name", "role", "phone", "user", "active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_picker(self.fields["region"], RegionLevel.GRID)
        self.fields["region"].label = "所属网格"
