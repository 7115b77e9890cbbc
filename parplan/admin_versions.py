"""The admin's forms of versioned rows keep the pages' guarantee (``parplan.history``):
the version a form was loaded with travels in a hidden field, and saving claims the
row, so an admin save bumps the version (a page's form opened before is refused) and a
stale admin form is refused with what changed instead of overwriting it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parplan.forms import VersionField
from parplan.history import StaleEditError, claim


def _changes(exc: StaleEditError) -> str:
    parts = [
        f"{change.field}: {change.old} → {change.new}"
        for entry in exc.entries
        for change in entry.changes
    ]
    return "; ".join(parts)


class VersionedAdminForm(forms.ModelForm):
    """For a ModelAdmin (or inline) of a model with ``version``. The admin runs the
    whole save in one transaction, so the claim is undone if anything after it
    fails."""

    loaded_version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None or self.errors or not self.has_changed():
            return cleaned
        expected = cleaned.get("loaded_version") or self.instance.version
        try:
            current = claim(type(self.instance), self.instance.pk, expected)
        except StaleEditError as exc:
            raise ValidationError(
                _(
                    "Dữ liệu đã được người khác thay đổi sau khi bạn mở trang (%(changes)s). "
                    "Chưa lưu gì; hãy tải lại trang và sửa lại."
                )
                % {"changes": _changes(exc) or _("phiên bản mới hơn")}
            ) from exc
        self.instance.version = current.version
        return cleaned
