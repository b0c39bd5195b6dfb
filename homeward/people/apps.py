from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "homeward.people"
    label = "people"
    verbose_name = "Children, identities and flags"
