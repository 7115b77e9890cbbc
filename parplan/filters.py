"""Filters read from a list page's query string. A value no filter knows
(``?unit=abc``, ``?status=xyz``) is ignored and the page says so in Vietnamese, in
the messages shown above its content: the page still answers, never a 404, never
silently."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _


def filter_ignored_text(*, label: str, value: str) -> str:
    """The one sentence every page says of a filter value it left out."""
    return _(
        "Bộ lọc “%(label)s” không có giá trị “%(value)s”, nên đã bỏ qua bộ lọc này."
    ) % {"label": label, "value": value[:60]}


def filter_ignored_notice(request: HttpRequest, *, label: str, value: str) -> None:
    """Tell the person that the filter ``label`` was left out, naming the value."""
    messages.warning(
        request,
        filter_ignored_text(label=label, value=value),
        fail_silently=True,  # a request built without the messages middleware
    )


def filter_choice(
    request: HttpRequest, name: str, allowed: Collection[str], *, label: str
) -> str | None:
    """The query parameter ``name`` if it is one of ``allowed``; else None, with a
    notice when something else was given."""
    raw = request.GET.get(name) or ""
    if not raw:
        return None
    if raw in allowed:
        return raw
    filter_ignored_notice(request, label=label, value=raw)
    return None


def filter_id(request: HttpRequest, name: str, *, label: str) -> int | None:
    """The query parameter ``name`` as a row id; None, with a notice, if it is not
    a positive whole number."""
    raw = request.GET.get(name) or ""
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) > 0:
        return int(raw)
    filter_ignored_notice(request, label=label, value=raw)
    return None


def filter_form_values(request: HttpRequest, form: forms.Form) -> dict[str, object]:
    """A bound filter form's valid fields; each field refused is ignored with a
    notice naming it and the value given."""
    form.is_valid()
    for name in form.errors:
        field = form.fields.get(name)
        if field is None:
            continue
        filter_ignored_notice(
            request,
            label=str(field.label or name),
            value=str(form.data.get(form.add_prefix(name), "")),
        )
    return dict(form.cleaned_data)
