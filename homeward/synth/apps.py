from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "homeward.synth"
    label = "synth"
    verbose_name = "Synthetic data"
