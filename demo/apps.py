from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: the demo set-up and the synthetic plans. It imports every layer;
    nothing imports it."""

    name = "demo"
    verbose_name = "PAR Plan demo"
