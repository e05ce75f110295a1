"""The layout's own settings in the back office: the tenant admin edits them (issue 6, item 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from content import roles
from content.models import SiteSettings
from tenants.models import Portal
from tests.board import account, client_for, roles_ready

pytestmark = pytest.mark.django_db

URL = "/admin/content/sitesettings/1/change/"


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "header_mark": "emblem",
        "logo_url": "",
        "agency_name_en": "",
        "footer_text": "",
        "footer_text_en": "",
        "copyright": "",
        "copyright_en": "",
        "link_groups": "",
        "show_portal_directory": "on",
        "emc_script_url": "",
        "review_steps": "1",
        "page_review_days": "180",
    }
    data.update(changes)
    return data


def test_the_tenant_admin_sets_the_logo_emc_script_and_link_groups(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        roles_ready()
        SiteSettings.objects.get_or_create(pk=1)
        admin = account("admin.xa-a", roles=[roles.TENANT_ADMIN])
        client = client_for(portal_a, admin)  # the session is stored in the portal's schema
    page = client.get(URL)
    assert page.status_code == 200
    for name in ("header_mark", "logo_url", "agency_name_en", "emc_script_url", "link_groups", "show_portal_directory"):
        assert f'name="{name}"' in page.content.decode(), name

    bad = client.post(
        URL,
        _form(
            emc_script_url="http://emc.example.vn/x.js",
            link_groups="# Sở, ban, ngành\nSở Tư pháp https://stp.nghean.gov.vn\nSở Y tế | không-phải-địa-chỉ",
        ),
    )
    assert bad.status_code == 200  # the form again, with the errors next to the fields
    body = bad.content.decode()
    assert _("Enter a full https:// address.") in body
    assert (_("Line %(line)s: write “name | https://address”.") % {"line": 2}) in body
    assert "Sở Tư pháp https://stp.nghean.gov.vn" in body  # what was typed is kept
    with schema_context(portal_a.schema_name):
        assert SiteSettings.objects.get().emc_script_url == ""  # nothing saved

    good = client.post(
        URL,
        _form(
            header_mark="logo",
            logo_url="https://xa-a.thunghiem.test/logo.png",
            emc_script_url="https://emc.example.vn/x.js",
            link_groups="# Sở, ban, ngành | Departments\nSở Tư pháp | https://stp.nghean.gov.vn",
        ),
    )
    assert good.status_code == 302
    with schema_context(portal_a.schema_name):
        saved = SiteSettings.objects.get()
    assert (saved.header_mark, saved.emc_script_url) == ("logo", "https://emc.example.vn/x.js")
