from __future__ import annotations

from django.apps import AppConfig


class ParplanConfig(AppConfig):
    name = "parplan"
    verbose_name = "PAR Plan"
