from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

from parplan.middleware import PASSWORD_CHANGE_SESSION_KEY


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Nhiệm vụ, giải pháp")

    def ready(self) -> None:
        # Imported here because models may not be imported before apps are ready.
        from tasks.evidence import stored_file_delete_on_commit
        from tasks.models import Evidence

        user_logged_in.connect(
            temporary_password_mark, dispatch_uid="tasks-temporary-password"
        )
        post_delete.connect(
            stored_file_delete_on_commit,
            sender=Evidence,
            dispatch_uid="tasks-evidence-file",
        )


def temporary_password_mark(
    sender: Any, request: Any, user: Any, **kwargs: Any
) -> None:
    """Someone signing in with a temporary password is sent to change it first
    (``parplan.middleware.password_change_required``)."""
    from tasks.people import password_change_pending  # models load after apps

    if request is not None and password_change_pending(user):
        request.session[PASSWORD_CHANGE_SESSION_KEY] = user.get_session_auth_hash()
