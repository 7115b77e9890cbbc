"""Django's password rules with their messages in Vietnamese.

Django's own Vietnamese catalogue translates none of the four rules' messages, so a
refused password was explained in English among Vietnamese text (the password change
page, ``create_office_user``). The rules themselves are Django's, unchanged.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu này quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu này quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Mật khẩu cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(
    password_validation.UserAttributeSimilarityValidator
):
    def get_error_message(self) -> str:
        # formatted by the ValidationError with the field's name
        return _("Mật khẩu này quá giống %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được quá giống tên đăng nhập, họ tên hay e-mail.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu này quá phổ biến, dễ bị đoán.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được là một mật khẩu phổ biến.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu này chỉ gồm chữ số.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")
