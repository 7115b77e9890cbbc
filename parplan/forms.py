"""Form fields and helpers every app's forms use: numbers typed the Vietnamese way,
the version a form was loaded with, and a service's errors put on the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _

from parplan.scores import (
    SCORE_DECIMALS,
    ScoreParseError,
    format_decimal,
    parse_decimal,
)


class DecimalTextField(forms.CharField):
    """A number typed as Vietnamese write it (1,5) or with a point (1.5)."""

    def __init__(self, *args: Any, places: int = 3, **kwargs: Any) -> None:
        self.places = places
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a CharField whose value is a Decimal
        text = super().to_python(value)
        try:
            return parse_decimal(text, places=self.places)
        except ScoreParseError as exc:
            raise forms.ValidationError(f"{exc}.") from exc

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value


class ScoreField(DecimalTextField):
    """A score (up to three decimals), optional, its label named in the error;
    ``places`` for a figure of another precision (a percentage, a count)."""

    def __init__(self, *, places: int = SCORE_DECIMALS, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(places=places, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 6, "maxlength": 12})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a CharField whose value is a Decimal
        text = forms.CharField.to_python(self, value)
        try:
            return parse_decimal(text, places=self.places)
        except ScoreParseError as exc:
            raise forms.ValidationError(
                _("%(label)s: %(reason)s.") % {"label": self.label, "reason": exc}
            ) from exc


class VersionField(forms.IntegerField):
    """The version of the row the form was loaded with (see ``parplan.history``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def rebound(data: QueryDict, key: str, version: int) -> QueryDict:
    """The posted data with the row's current version, for a form re-shown after a
    conflict: saving it again is then a deliberate choice."""
    data = data.copy()
    data[key] = str(version)
    return data


def errors_onto(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message on its field when
    the form has that field, otherwise above the form."""
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            name = field_name if field_name in form.fields else None
            for error in errors:
                form.add_error(name, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)
