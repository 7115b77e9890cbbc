"""The first real account of a department: an office user (Văn phòng Sở) of one
organization, member of its office unit; both are created when missing."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from criteria.commands import ORGANIZATION_HELP, organization_new_or_existing
from parplan.roles import GROUP_NAMES, Role, role_groups_sync
from tasks.models import Membership, Unit

PASSWORD_VARIABLE = "PARPLAN_PASSWORD"


class Command(BaseCommand):
    help = (
        "Tạo tài khoản Văn phòng Sở đầu tiên của một cơ quan (và cơ quan, đơn vị Văn "
        f"phòng Sở nếu chưa có). Mật khẩu: hỏi khi chạy, hoặc biến {PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập")
        parser.add_argument("--organization", help=ORGANIZATION_HELP)
        parser.add_argument(
            "--short-name", default="", help="Tên viết tắt khi tạo cơ quan mới"
        )
        parser.add_argument(
            "--unit",
            default="Văn phòng Sở",
            help="Đơn vị Văn phòng (mặc định: Văn phòng Sở)",
        )
        parser.add_argument("--name", default="", help="Họ và tên")
        parser.add_argument("--email", default="", help="Thư điện tử")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"Đã có tài khoản “{username}”.")
        organization = organization_new_or_existing(options["organization"])
        password = self.password_read()
        user = User(
            username=username, first_name=options["name"], email=options["email"]
        )
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Mật khẩu: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            if not organization.pk:
                organization.short_name = options["short_name"]
                organization.save()
            unit = Unit.objects.filter(
                organization=organization, is_office=True
            ).first() or Unit.objects.create(
                organization=organization, name=options["unit"], is_office=True
            )
            user.is_staff = True
            user.set_password(password)
            user.save()
            role_groups_sync()
            user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICE]))
            Membership.objects.create(user=user, unit=unit)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tài khoản {username} (Văn phòng Sở) của {organization.name}, "
                f"đơn vị {unit.name}."
            )
        )

    def password_read(self) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if password:
            return password
        try:
            first = getpass.getpass("Mật khẩu: ")
            second = getpass.getpass("Nhập lại mật khẩu: ")
        except EOFError as exc:
            raise CommandError(
                f"Không đọc được mật khẩu: hãy chạy trong cửa sổ lệnh hoặc đặt {PASSWORD_VARIABLE}."
            ) from exc
        if first != second:
            raise CommandError("Hai lần nhập mật khẩu không khớp.")
        return first
