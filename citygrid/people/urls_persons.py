from django.urls import path

from citygrid.cases.views.fieldwork import SendVerificationView
from citygrid.core.routing import model_urls
from citygrid.people.models import Person
from citygrid.people.views import persons as views

urlpatterns = [
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("persons/<int:pk>/move/", views.person_move, name="person_move"),
    path("persons/search/", views.person_search, name="person_search"),
    path(
        "persons/<int:pk>/verify/",
        SendVerificationView.as_view(model=Person),
        name="person_verification",
    ),
    *model_urls(
        "persons",
        Person,
        list=views.PersonListView.as_view(),
        add=views.PersonEditView.as_view(),
        imports=views.PersonImportView.as_view(),
        export=views.PersonExportView.as_view(),
        detail=views.PersonView.as_view(),
        edit=views.PersonEditView.as_view(),
        delete=views.PersonDeleteView.as_view(),
        changelog=views.PersonChangeLogView.as_view(),
    ),
]
