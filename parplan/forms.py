from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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
