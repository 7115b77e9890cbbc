from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from parplan.forms import DecimalTextField
from parplan.scores import format_decimal
from parplan.text import normalize_name
from parplan.uploads import upload_size_check
from reports.models import PeerRank


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Kế hoạch năm"), coerce=int, required=False, empty_value=None
    )
    peer_change = DecimalTextField(
        label=_("Giả định các đơn vị khác thay đổi (điểm chỉ số)"),
        required=False,
        help_text=_("Ví dụ 1,5 nếu các đơn vị khác cùng tăng 1,5 điểm; để trống là 0."),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]

    def clean_peer_change(self) -> Decimal:
        value = self.cleaned_data["peer_change"] or Decimal(0)
        if abs(value) > 100:
            raise forms.ValidationError(
                _("Mức thay đổi phải trong khoảng −100 đến 100.")
            )
        return value


def _number_input() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "figure", "inputmode": "decimal"})


class PeerRankForm(forms.ModelForm):
    score = DecimalTextField(label=_("Điểm"), required=False, widget=_number_input())
    max_score = DecimalTextField(
        label=_("Điểm tối đa"), required=False, widget=_number_input()
    )
    index = DecimalTextField(
        label=_("Chỉ số (%)"), required=False, widget=_number_input()
    )
    is_self = forms.BooleanField(label=_("Là cơ quan"), required=False)

    class Meta:
        model = PeerRank
        fields = [
            "position",
            "name",
            "block",
            "max_score",
            "score",
            "index",
            "rank",
            "band",
        ]
        widgets = {
            # Text, not number, inputs: Chromium draws a number input in a table
            # row three times its height, and the server checks the value anyway.
            "position": forms.TextInput(
                attrs={"class": "short", "inputmode": "numeric"}
            ),
            "name": forms.TextInput(attrs={"class": "wide"}),
            "block": forms.TextInput(attrs={"class": "block"}),
            "rank": forms.TextInput(attrs={"class": "short", "inputmode": "numeric"}),
            "band": forms.TextInput(attrs={"class": "figure"}),
        }

    def __init__(
        self, *args: Any, full_scale: Decimal = Decimal(100), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.full_scale = full_scale
        # A new row is placed by its index (reports.ranking.ranking_rows_place);
        # a blank row shows blank, not the model's default 0.
        self.fields["position"].required = False
        if not self.instance.pk:
            self.initial["position"] = None
        self.fields["is_self"].initial = bool(
            self.instance.pk and self.instance.organization_id
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        index = data.get("index")
        if index is not None and not 0 <= index <= 100:
            self.add_error("index", _("Chỉ số phải từ 0 đến 100."))
        maximum = data.get("max_score")
        if maximum is not None and not 0 < maximum <= 100:
            self.add_error(
                "max_score", _("Điểm tối đa phải lớn hơn 0 và không quá 100.")
            )
            maximum = None
        scale = maximum or self.full_scale
        score = data.get("score")
        if score is not None and score < 0:
            self.add_error("score", _("Điểm không được âm."))
        elif score is not None and score > scale:
            self.add_error(
                "score",
                _("Điểm %(score)s vượt thang điểm %(scale)s.")
                % {"score": format_decimal(score), "scale": format_decimal(scale)},
            )
        if data.get("name") and index is None and score is None:
            self.add_error("index", _("Cần có điểm hoặc chỉ số."))
        return data


class BasePeerRankFormSet(BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        names: set[str] = set()
        selves = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("name")
            if not name:
                continue
            key = normalize_name(name)
            if key in names:
                raise forms.ValidationError(
                    _("Đơn vị “%(name)s” có hai dòng.") % {"name": name}
                )
            names.add(key)
            selves += int(bool(form.cleaned_data.get("is_self")))
        if selves > 1:
            raise forms.ValidationError(_("Chỉ một dòng được đánh dấu là cơ quan."))


PeerRankFormSet = modelformset_factory(
    PeerRank,
    form=PeerRankForm,
    formset=BasePeerRankFormSet,
    extra=3,
    can_delete=True,
)


class RankingUploadForm(forms.Form):
    year = forms.IntegerField(
        label=_("Năm của bảng xếp hạng"), min_value=2000, max_value=2100
    )
    file = forms.FileField(label=_("Tệp bảng xếp hạng (.xlsx, .csv, .tsv)"))
    self_name = forms.CharField(
        label=_("Tên đơn vị của cơ quan trong bảng"),
        required=False,
        help_text=_("Để trống: dòng trùng tên cơ quan."),
    )
    source = forms.CharField(
        label=_("Quyết định công bố"),
        required=False,
        help_text=_("Ví dụ 251/QĐ-UBND ngày 01/3/2023."),
    )

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])
