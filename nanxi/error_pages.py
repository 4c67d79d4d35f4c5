"""Pages for responses Django leaves empty."""

from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def _way_back(request) -> str:
    """The page a person most likely came from: the address one level up, if it is
    a page of the portal (/projects/33/vote/ → /projects/33/), else the home page."""
    parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
    try:
        resolve(parent)
    except (Resolver404, Http404):
        return "/"
    if url_has_allowed_host_and_scheme(parent, allowed_hosts={request.get_host()}):
        return parent
    return "/"


class MethodNotAllowedPageMiddleware:
    """Turn Django's empty 405 (a form's address opened as a page) into one that explains.

    A resident who bookmarks or reloads ``/projects/33/vote/`` gets a page that says
    the address only takes a form and links back to the project. The status and the
    ``Allow`` header stay as they were.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = render(request, "405.html", {"way_back": _way_back(request)}, status=405)
        page["Allow"] = response.get("Allow", "")
        return page
