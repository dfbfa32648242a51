"""The one door to uploaded files: a signed-in user (session or API token), then the scope of the
record holding the file. Outside it the file does not exist (404), as for any record."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from citygrid.core import files


def serve(request, kind: str, name: str) -> HttpResponse:
    user = _user(request)
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    file = files.find(kind, name, user)
    if file is None:
        raise Http404
    return files.respond(file)


def _user(request):
    # API clients follow the photo URLs in API responses with their token, not a session.
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    return found[0] if found else request.user
