"""Sign-in state the office sets on a person's account (imported by tasks.models,
so that Django registers the model with the app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordChangeRequired(models.Model):
    """The person signs in with a temporary password set by the office and must
    change it first. ``password`` is the hash of that temporary password: once the
    person's password is anything else (changed on the page, reset by e-mail, set in
    the admin), the mark no longer applies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_change_required",
        verbose_name=_("người dùng"),
    )
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(_("đặt lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mật khẩu tạm thời")
        verbose_name_plural = _("mật khẩu tạm thời")

    def __str__(self) -> str:
        return str(self.user)
