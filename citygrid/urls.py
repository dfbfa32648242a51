from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from citygrid.accounts.api.views import ObtainTokenView
from citygrid.cases.views.workbench import workbench
from citygrid.core.views import files
from citygrid.regions.views import tile

api_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("citygrid.regions.api.urls")),
    path("", include("citygrid.cases.api.urls")),
    path("", include("citygrid.housing.api.urls")),
    path("", include("citygrid.people.api.urls")),
    path("", include("citygrid.orgs.api.urls")),
    path("", include("citygrid.units.api.urls")),
    path("", include("citygrid.neworgs.api.urls")),
    path("", include("citygrid.exchange.api.urls")),
]

urlpatterns = [
    path("", workbench, name="home"),
    path("accounts/", include("citygrid.accounts.urls")),
    path("core/", include("citygrid.core.urls")),
    path("territory/", include("citygrid.regions.urls")),
    path("notify/", include("citygrid.notify.urls")),
    path("cases/", include("citygrid.cases.urls")),
    path("disputes/", include("citygrid.disputes.urls")),
    path("teams/", include("citygrid.orgs.urls")),
    path("units/", include("citygrid.units.urls")),
    path("neworgs/", include("citygrid.neworgs.urls")),
    path("exchange/", include("citygrid.exchange.urls")),
    path("people/", include("citygrid.people.urls")),
    path("portal/", include("citygrid.portal.urls")),
    path("m/", include("citygrid.mobile.urls")),
    path("open311/v2/", include("citygrid.integrations.open311.urls")),
    path("wechat/", include("citygrid.integrations.wechat.urls")),
    path("housing/", include("citygrid.housing.urls")),
    path("statistics/population/", include("citygrid.people.stats.urls")),
    path("statistics/", include("citygrid.cases.stats.urls")),
    path("api/", include((api_patterns, "api"))),
    # Uploads are private: only this view serves them, after a scope check (core/files.py).
    path("files/<slug:kind>/<path:name>", files.serve, name="file"),
    # Base-map tiles from the configured MBTiles files (docs/maps.md).
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.png", tile, name="tile"),
]

handler404 = "citygrid.core.api.errors.not_found"
