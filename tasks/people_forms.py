"""Forms of the office's pages of people and units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Organization
from parplan.roles import Role
from tasks.access import unit_choosable, units_visible
from tasks.models import Unit

if TYPE_CHECKING:
    from parplan.roles import AnyUser


class PersonForm(forms.Form):
    """A person's name, e-mail, role and units (the username only when created)."""

    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập"),
        max_length=150,
        validators=[get_user_model().username_validator],
        help_text=gettext_lazy("Chữ, số và các ký tự @ . + - _; không có dấu cách."),
    )
    full_name = forms.CharField(label=gettext_lazy("Họ tên"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        help_text=gettext_lazy("Dùng để lấy lại mật khẩu khi quên."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=Role.choices)
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thuộc phòng, đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Lãnh đạo phòng, đơn vị cập nhật tiến độ phần việc của các đơn vị này; "
            "người dùng chỉ thấy kế hoạch của cơ quan có đơn vị mình."
        ),
    )

    def __init__(
        self,
        *args: Any,
        user: AnyUser,
        creating: bool,
        keep_units: Sequence[int] = (),
        units_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units_required = units_required
        if not creating:
            del self.fields["username"]
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = (
            units_visible(user)
            .filter(unit_choosable(keep_units))
            .select_related("organization")
        )

    def clean_units(self) -> Any:
        units = self.cleaned_data["units"]
        if self.units_required and not units:
            raise forms.ValidationError(
                _(
                    "Chọn ít nhất một phòng, đơn vị: người dùng thuộc cơ quan của đơn vị."
                )
            )
        if len({u.organization_id for u in units}) > 1:
            raise forms.ValidationError(_("Chọn các đơn vị của cùng một cơ quan."))
        return units


class UnitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên phòng, đơn vị"), max_length=255)
    is_active = forms.BooleanField(
        label=gettext_lazy("Đang hoạt động"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Đơn vị ngừng hoạt động giữ nguyên nhiệm vụ, báo cáo và thành viên, "
            "nhưng không còn được chọn trong các biểu mẫu."
        ),
    )


class UnitCreateForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Tên phòng, đơn vị"), max_length=255)

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if len(organizations) == 1:
            field.initial = organizations[0].pk
            field.widget = forms.HiddenInput()
