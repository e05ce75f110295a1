from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import portal_list_with_domains


def console_home(request: HttpRequest) -> HttpResponse:
    """The control plane's front page: every portal with its status and domains (operators only)."""
    portals = portal_list_with_domains() if request.user.is_staff else []
    return render(request, "portal_platform/console_home.html", {"portals": portals})
