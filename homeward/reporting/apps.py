from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Installed for its `report` management command and its templates; it has no models."""

    name = "homeward.reporting"
    label = "reporting"
    verbose_name = "Reporting"
