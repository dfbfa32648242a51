from citygrid.people.urls_groups import urlpatterns as group_urlpatterns
from citygrid.people.urls_persons import urlpatterns as person_urlpatterns

app_name = "people"

# Person pages (register, search, residences, plaintext views) and category pages (special and
# vulnerable groups, key persons, care records, custodians) are routed from two modules.
urlpatterns = [*person_urlpatterns, *group_urlpatterns]
