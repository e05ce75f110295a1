"""The portal's own groups of links to other agencies' portals (``SiteSettings.link_groups``).

A tenant admin types them in the back office as plain lines, which a commune clerk can edit without
learning a data format::

    # Sở, ban, ngành | Departments
    Sở Tư pháp | https://stp.nghean.gov.vn
    Sở Y tế | https://syt.nghean.gov.vn

A line starting with ``#`` starts a group (an English title may follow a ``|``); every other
non-blank line is ``name | address``. Links before the first group go in a group without a title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class LinkGroup:
    title: str = ""
    title_en: str = ""
    links: list[Link] = field(default_factory=list)


def link_groups_parse(text: str) -> tuple[list[LinkGroup], list[str]]:
    """(the groups, one message per bad line). Groups without links are dropped."""
    groups: list[LinkGroup] = []
    errors: list[str] = []
    current: LinkGroup | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            title, _sep, title_en = line.lstrip("#").partition("|")
            current = LinkGroup(title=title.strip(), title_en=title_en.strip())
            groups.append(current)
            continue
        label, sep, url = line.partition("|")
        label, url = label.strip(), url.strip()
        if not sep or not label or not url:
            errors.append(str(_("Line %(line)s: write “name | https://address”.") % {"line": number}))
            continue
        try:
            _url(url)
        except ValidationError:
            errors.append(str(_("Line %(line)s: “%(url)s” is not a web address.") % {"line": number, "url": url}))
            continue
        if current is None:
            current = LinkGroup()
            groups.append(current)
        current.links.append(Link(label=label, url=url))
    return [group for group in groups if group.links], errors


def validate_link_groups(text: str) -> None:
    _groups, errors = link_groups_parse(text)
    if errors:
        raise ValidationError(errors, code="invalid_link_groups")
