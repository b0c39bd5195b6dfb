"""URLs of the protocol's pages: worklists and tasks, the protocol, messages,
children's homes and meetings. Included without a namespace; every name is
prefixed `tasks_`, `protocol_` or `meeting_`."""

from django.urls import path

from . import views_protocol as views

urlpatterns = [
    path("tasks/", views.tasks_mine, name="tasks_mine"),
    path("tasks/team/", views.tasks_team, name="tasks_team"),
    path("tasks/overdue/", views.tasks_overdue, name="tasks_overdue"),
    path("tasks/<int:pk>/", views.tasks_detail, name="tasks_detail"),
    path("tasks/<int:pk>/done/", views.tasks_done, name="tasks_done"),
    path("tasks/<int:pk>/cancel/", views.tasks_cancel, name="tasks_cancel"),
    path("tasks/<int:pk>/take/", views.tasks_take, name="tasks_take"),
    path("protocol/", views.protocol_current, name="protocol_current"),
    path("protocol/change/", views.protocol_edit, name="protocol_edit"),
    path("protocol/upload/", views.protocol_upload, name="protocol_upload"),
    path("protocol/versions/<int:pk>/", views.protocol_version, name="protocol_version"),
    path("protocol/versions/<int:pk>/download/", views.protocol_download, name="protocol_download"),
    path("protocol/messages/", views.protocol_messages, name="protocol_messages"),
    path("protocol/messages/<int:pk>/retry/", views.protocol_message_retry, name="protocol_message_retry"),
    path("protocol/homes/", views.protocol_homes, name="protocol_homes"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/monthly-review/", views.meeting_monthly, name="meeting_monthly"),
    path("meetings/family-group-conferences/", views.meeting_fgc, name="meeting_fgc"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
]
