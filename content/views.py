from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """A portal's home page. The full public site (sections, news, documents) comes with issue 6."""
    return render(request, "content/home.html", {"portal": request.tenant})  # type: ignore[attr-defined]
