from django.urls import path, re_path

from citygrid.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    # A board is addressed by its region's code: it may not exist until its first topic.
    re_path(r"^(?P<code>[0-9]{4,15})/$", views.board, name="board"),
    re_path(r"^(?P<code>[0-9]{4,15})/new/$", views.topic_add, name="topic_add"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/reply/", views.reply_add, name="reply_add"),
    path("topics/<int:pk>/pin/", views.topic_pin, name="topic_pin"),
    path("topics/<int:pk>/close/", views.topic_close, name="topic_close"),
    path("topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply_delete"),
]
