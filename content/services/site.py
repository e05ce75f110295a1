"""Writes inside one portal's schema. The caller has already entered the tenant."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import handover
from accounts.models import User
from content import roles as role_keys
from content.models import (
    POSITION_ROLES,
    AuditEvent,
    BoardMember,
    BoardPosition,
    Category,
    EditorialBoard,
    Menu,
    MenuItem,
    Page,
    PageKind,
    Role,
    SiteSettings,
)
from portal_platform.audit import BOARD_CHANGE, audit_log_record
from portal_platform.errors import ApplicationError, Conflict, ValidationFailed
from provisioning.site_templates import MenuItemSpec, RoleSpec, SectionSpec, SiteTemplate, TemplateError

# Sections and menu items get orders 10, 20, 30 … so the board can slot one in between without
# renumbering its siblings.
ORDER_STEP = 10


def audit_event_record(
    *,
    action: str,
    actor: str = "",
    object_repr: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> AuditEvent:
    """Append one event to the current portal's audit trail.

    With an ``idempotency_key`` a second call (a redelivered job) returns the first event instead
    of recording it twice.
    """
    payload = dict(data or {})
    if idempotency_key:
        existing = AuditEvent.objects.filter(data__idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        payload["idempotency_key"] = idempotency_key
    return AuditEvent.objects.create(action=action, actor=actor, object_repr=object_repr, data=payload)


# --- editorial roles ----------------------------------------------------------------------------


def _permissions_resolve(*, roles: Sequence[RoleSpec]) -> dict[str, Permission]:
    """The Permission rows of this schema for every "app_label.codename" the roles list.

    Looked up by a join on the content type's app label rather than through ContentType's
    process-wide cache, whose ids belong to whichever schema filled it first.
    """
    wanted: set[tuple[str, str]] = set()
    for spec in roles:
        for name in spec.permissions:
            app_label, _dot, codename = name.partition(".")
            wanted.add((app_label, codename))
    if not wanted:
        return {}
    condition = Q()
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = Permission.objects.filter(condition).select_related("content_type")
    return {f"{permission.content_type.app_label}.{permission.codename}": permission for permission in found}


def _roles_check(*, roles: Sequence[RoleSpec]) -> None:
    seen: set[str] = set()
    for spec in roles:
        if spec.key not in role_keys.ROLE_KEYS:
            raise TemplateError(
                _("“%(role)s” is not an editorial role (known roles: %(roles)s).")
                % {"role": spec.key, "roles": ", ".join(role_keys.ROLE_KEYS)},
                extra={"role": spec.key},
            )
        if spec.key in seen:
            raise TemplateError(
                _("The role “%(role)s” is listed twice.") % {"role": spec.key}, extra={"role": spec.key}
            )
        seen.add(spec.key)


def _role_group(*, spec: RoleSpec) -> Group:
    """The group that plays ``spec``'s role, created or renamed to the template's name."""
    role = Role.objects.select_for_update().select_related("group").filter(key=spec.key).first()
    clash = Group.objects.filter(name=spec.name).select_related("portal_role").first()
    if role is None:
        if clash is not None and hasattr(clash, "portal_role"):
            raise TemplateError(
                _("The group name “%(name)s” of the role “%(role)s” is already used by the role “%(other)s”.")
                % {"name": spec.name, "role": spec.key, "other": clash.portal_role.key},
                extra={"role": spec.key},
            )
        # A group of that name made by hand before the roles existed is adopted, members and all.
        group = clash if clash is not None else Group.objects.create(name=spec.name)
        Role.objects.create(key=spec.key, group=group)
        return group
    group = role.group
    if group.name != spec.name:
        if clash is not None:
            raise TemplateError(
                _("The group name “%(name)s” of the role “%(role)s” is already used by another group.")
                % {"name": spec.name, "role": spec.key},
                extra={"role": spec.key},
            )
        group.name = spec.name
        group.save(update_fields=["name"])
    return group


def roles_apply(*, roles: Sequence[RoleSpec]) -> dict[str, Group]:
    """Make one auth group per editorial role hold exactly the role's permissions.

    Idempotent: a group is created (or adopted by name) the first time, renamed if the template
    renamed the role, and its permissions are set to the listed ones — permissions no longer
    listed are removed, so a second run with the same specs changes nothing. Every listed
    permission must exist in the current schema; otherwise nothing is written and a
    ``TemplateError`` (code ``invalid_template``) names the role and the permission. Changes are
    recorded in the audit trail. Returns the groups by role key.
    """
    _roles_check(roles=roles)
    available = _permissions_resolve(roles=roles)
    for spec in roles:
        for name in spec.permissions:
            if name not in available:
                raise TemplateError(
                    _("The role “%(role)s” lists the permission “%(permission)s”, which does not exist in this portal.")
                    % {"role": spec.key, "permission": name},
                    extra={"role": spec.key, "permission": name},
                )

    groups: dict[str, Group] = {}
    changes: dict[str, dict[str, list[str]]] = {}
    with transaction.atomic():
        for spec in roles:
            group = _role_group(spec=spec)
            current = {
                f"{app_label}.{codename}"
                for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
            }
            target = set(spec.permissions)
            if current != target:
                group.permissions.set([available[name] for name in sorted(target)])
                changes[spec.key] = {"added": sorted(target - current), "removed": sorted(current - target)}
            groups[spec.key] = group
        if changes:
            audit_event_record(
                action="roles.applied", object_repr=", ".join(sorted(changes)), data={"changes": changes}
            )
    return groups


def roles_verify(*, roles: Sequence[RoleSpec]) -> bool:
    """True if every role's group already has exactly the name and permissions ``roles`` give it
    (then ``roles_apply`` would change nothing); one query, writes nothing."""
    found: dict[str, tuple[str, set[str]]] = {}
    rows = Role.objects.values_list(
        "key", "group__name", "group__permissions__content_type__app_label", "group__permissions__codename"
    )
    for key, name, app_label, codename in rows:
        _name, permissions = found.setdefault(key, (name, set()))
        if codename is not None:
            permissions.add(f"{app_label}.{codename}")
    return all(found.get(spec.key) == (spec.name, set(spec.permissions)) for spec in roles)


# --- site content from a template ---------------------------------------------------------------


# The one placeholder the template loader accepts in page texts and the footer.
AGENCY_NAME_PLACEHOLDER = "{agency_name}"


def _fill(text: str, *, agency_name: str) -> str:
    # Only the one placeholder; braces elsewhere stay as written.
    return text.replace(AGENCY_NAME_PLACEHOLDER, agency_name)


def _sections_apply(
    *, specs: Sequence[SectionSpec], parent: Category | None, found: dict[str, Category], created: Counter[str]
) -> None:
    for index, spec in enumerate(specs):
        # Matched by slug (unique per portal); an existing section is left as the board made it.
        category, was_created = Category.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "parent": parent,
                "name": spec.name,
                "name_en": spec.name_en,
                "order": (index + 1) * ORDER_STEP,
                "is_visible": spec.visible,
                "description": spec.description,
            },
        )
        created["sections"] += was_created
        found[spec.slug] = category
        _sections_apply(specs=spec.children, parent=category, found=found, created=created)


def _pages_apply(*, template: SiteTemplate, agency_name: str, created: Counter[str]) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for spec in template.pages:
        # One page per kind: a background page is found by kind even if the board changed its slug.
        lookup: dict[str, str] = {"slug": spec.slug} if spec.kind == PageKind.OTHER else {"kind": spec.kind}
        page = Page.objects.filter(**lookup).first()
        if page is None:
            if Page.objects.filter(slug=spec.slug).exists():
                raise Conflict(
                    _("The page address “%(slug)s” is already used by another page of this portal.")
                    % {"slug": spec.slug},
                    code="page_slug_taken",
                    extra={"slug": spec.slug},
                )
            # Unpublished: the placeholder text waits for the board (Decision 80/2025 Đ3.5).
            page = Page.objects.create(
                kind=spec.kind,
                slug=spec.slug,
                title=_fill(spec.title, agency_name=agency_name),
                title_en=_fill(spec.title_en, agency_name=agency_name),
                body=_fill(spec.body, agency_name=agency_name),
                body_en=_fill(spec.body_en, agency_name=agency_name),
            )
            created["pages"] += 1
        pages[spec.slug] = page
    return pages


def _menu_item_apply(
    *,
    menu: Menu,
    spec: MenuItemSpec,
    parent: MenuItem | None,
    order: int,
    sections: dict[str, Category],
    pages: dict[str, Page],
    created: Counter[str],
) -> None:
    item, was_created = MenuItem.objects.get_or_create(
        menu=menu,
        key=spec.key,
        defaults={
            "parent": parent,
            "label": spec.label,
            "label_en": spec.label_en,
            "category": sections[spec.section] if spec.section else None,
            "page": pages[spec.page] if spec.page else None,
            "url": spec.url,
            "order": order,
        },
    )
    created["menu_items"] += was_created
    for index, child in enumerate(spec.children):
        _menu_item_apply(
            menu=menu,
            spec=child,
            parent=item,
            order=(index + 1) * ORDER_STEP,
            sections=sections,
            pages=pages,
            created=created,
        )


def site_content_apply(*, template: SiteTemplate, agency_name: str) -> None:
    """Build the current portal's site from a site template: sections, background pages, menus,
    footer wording and the record of the template applied.

    Everything is matched by stable keys (section and page slugs, page kind, menu and item keys,
    the settings singleton) and created only when missing: a second run — a redelivered
    provisioning job, or a retry after a crash, which the single transaction rolled back — creates
    nothing and changes nothing, and what the board has since edited is never overwritten.
    Background pages are created unpublished with placeholder text for the board to complete.
    ``{agency_name}`` in page texts and the footer becomes ``agency_name``. Does not switch schemas.
    """
    agency_name = agency_name.strip()
    if not agency_name:
        raise ValidationFailed(
            _("The agency's full name is required."), code="name_required", extra={"field": "agency_name"}
        )
    created: Counter[str] = Counter()
    with transaction.atomic():
        sections: dict[str, Category] = {}
        _sections_apply(specs=template.sections, parent=None, found=sections, created=created)
        pages = _pages_apply(template=template, agency_name=agency_name, created=created)

        for menu_spec in template.menus:
            menu, was_created = Menu.objects.get_or_create(key=menu_spec.key, defaults={"name": menu_spec.name})
            created["menus"] += was_created
            for index, item_spec in enumerate(menu_spec.items):
                _menu_item_apply(
                    menu=menu,
                    spec=item_spec,
                    parent=None,
                    order=(index + 1) * ORDER_STEP,
                    sections=sections,
                    pages=pages,
                    created=created,
                )

        footer = template.footer
        site, was_created = SiteSettings.objects.select_for_update().get_or_create(
            pk=SiteSettings.SINGLETON_PK,
            defaults={
                "footer_text": _fill(footer.text, agency_name=agency_name),
                "footer_text_en": _fill(footer.text_en, agency_name=agency_name),
                "copyright": _fill(footer.copyright, agency_name=agency_name),
                "copyright_en": _fill(footer.copyright_en, agency_name=agency_name),
                "template_key": template.key,
                "template_version": template.version,
                "template_applied_at": timezone.now(),
            },
        )
        created["site_settings"] += was_created
        if not was_created and (site.template_key, site.template_version) != (template.key, template.version):
            # A newer template applied to an existing site: only its additions were created above.
            site.template_key = template.key
            site.template_version = template.version
            site.template_applied_at = timezone.now()
            site.save(update_fields=["template_key", "template_version", "template_applied_at", "updated_at"])
            created["template_updates"] += 1

        changed = {name: count for name, count in created.items() if count}
        if changed:
            audit_event_record(
                action="site_template.applied",
                object_repr=f"{template.key} v{template.version}",
                data={"template": template.key, "version": template.version, "created": changed},
            )


def site_agency_fill(*, agency_name: str) -> int:
    """Put ``agency_name`` where a pre-seeded site still has the ``{agency_name}`` placeholder (the
    background pages' texts and the footer), in two updates. Returns how many rows changed: 0 on a
    second run, or on a site built with the name already in (``site_content_apply``). Does not
    switch schemas."""
    agency_name = agency_name.strip()
    if not agency_name:
        raise ValidationFailed(
            _("The agency's full name is required."), code="name_required", extra={"field": "agency_name"}
        )

    def filled(*fields: str) -> tuple[Q, dict[str, Any]]:
        where = Q()
        for name in fields:
            where |= Q(**{f"{name}__contains": AGENCY_NAME_PLACEHOLDER})
        values: dict[str, Any] = {
            name: Replace(F(name), Value(AGENCY_NAME_PLACEHOLDER), Value(agency_name)) for name in fields
        }
        return where, {**values, "updated_at": timezone.now()}

    with transaction.atomic():
        where, values = filled("title", "title_en", "body", "body_en")
        pages = Page.objects.filter(where).update(**values)
        where, values = filled("footer_text", "footer_text_en", "copyright", "copyright_en")
        site = SiteSettings.objects.filter(where).update(**values)
        if pages or site:
            audit_event_record(
                action="site_template.agency_filled",
                object_repr=agency_name,
                data={"pages": pages, "site_settings": site},
            )
    return pages + site


# --- editorial board ------------------------------------------------------------------------------


def _audit_board(*, op: str, actor: str, target: str, request: HttpRequest | None, data: dict[str, Any]) -> None:
    audit_log_record(action=BOARD_CHANGE, actor=actor, target=target, request=request, data={"op": op, **data})


def _role_groups(*, keys: set[str]) -> dict[str, Group]:
    found = {role.key: role.group for role in Role.objects.select_related("group").filter(key__in=keys)}
    missing = keys - set(found)
    if missing:
        raise ApplicationError(
            _("This portal has no editorial role “%(role)s”; apply its site template's roles first.")
            % {"role": ", ".join(sorted(missing))},
            code="role_missing",
        )
    return found


def board_roles_sync(*, account: User) -> None:
    """Give ``account`` the role groups of the seats it holds on the current board, and take away
    those of seats it no longer holds.

    Only the three board roles (head, deputy head, editor/member) are touched, and one is removed
    only when no sitting seat still implies it; contributor and tenant-admin groups are not the
    board's to change.
    """
    groups = _role_groups(keys=set(POSITION_ROLES.values()))
    held = set(
        BoardMember.objects.filter(account=account, ends_on__isnull=True, board__is_current=True).values_list(
            "position", flat=True
        )
    )
    wanted = {POSITION_ROLES[position] for position in held}
    for key, group in groups.items():
        if key in wanted:
            account.groups.add(group)
        else:
            account.groups.remove(group)


def board_create(
    *,
    decision_number: str,
    decision_date: dt.date,
    issuer: str,
    note: str = "",
    actor: str = "",
    request: HttpRequest | None = None,
) -> EditorialBoard:
    """Record the decision that sets up a new editorial board and make it the current one.

    The previous board stays for the record; its sitting members' seats end on the new decision's
    date and the role groups those seats gave are taken back (members of the new board are then
    added with ``board_member_add``).
    """
    decision_number = decision_number.strip()
    issuer = issuer.strip()
    with transaction.atomic():
        # Lock the current board first, so the date check and the switch see the same board.
        list(EditorialBoard.objects.select_for_update().filter(is_current=True))
        board_create_check(decision_number=decision_number, decision_date=decision_date, issuer=issuer)
        return _board_create(
            decision_number=decision_number,
            decision_date=decision_date,
            issuer=issuer,
            note=note,
            actor=actor,
            request=request,
        )


def board_create_check(*, decision_number: str, decision_date: dt.date, issuer: str) -> None:
    """The rules ``board_create`` enforces, for forms to show before saving."""
    if not decision_number.strip():
        raise ValidationFailed(
            _("Enter the number of the decision that set up the board."),
            code="decision_number_required",
            extra={"field": "decision_number"},
        )
    if not issuer.strip():
        raise ValidationFailed(
            _("Enter the authority that signed the decision."), code="issuer_required", extra={"field": "issuer"}
        )
    previous = EditorialBoard.objects.filter(is_current=True).first()
    if previous is not None and decision_date < previous.decision_date:
        raise ValidationFailed(
            _("The new board's decision cannot be dated before the current board's (%(date)s).")
            % {"date": previous.decision_date.strftime("%d/%m/%Y")},
            code="decision_date_too_early",
            extra={"field": "decision_date"},
        )


def _board_create(
    *,
    decision_number: str,
    decision_date: dt.date,
    issuer: str,
    note: str,
    actor: str,
    request: HttpRequest | None,
) -> EditorialBoard:
    with transaction.atomic():
        previous = EditorialBoard.objects.select_for_update().filter(is_current=True).first()
        ended: list[str] = []
        if previous is not None:
            seats = list(previous.members.select_related("account").filter(ends_on__isnull=True))
            for seat in seats:
                seat.ends_on = max(decision_date, seat.starts_on)
                seat.ended_by = actor
                seat.save(update_fields=["ends_on", "ended_by", "updated_at"])
                ended.append(seat.account.username)
            previous.is_current = False
            previous.save(update_fields=["is_current", "updated_at"])
            for seat in seats:
                board_roles_sync(account=seat.account)
        try:
            with transaction.atomic():
                board = EditorialBoard.objects.create(
                    decision_number=decision_number,
                    decision_date=decision_date,
                    issuer=issuer,
                    note=note,
                    created_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("Another editorial board was just recorded; reload the page and try again."),
                code="board_conflict",
            ) from exc
        _audit_board(
            op="board.create",
            actor=actor,
            target=str(board),
            request=request,
            data={
                "board": board.pk,
                "decision_number": decision_number,
                "decision_date": decision_date.isoformat(),
                "issuer": issuer,
                "previous_board": previous.pk if previous is not None else None,
                "seats_ended": ended,
            },
        )
    return board


def board_member_check(*, board: EditorialBoard, account: User, position: str) -> None:
    """The rules ``board_member_add`` enforces, for forms to show before saving."""
    if position not in BoardPosition.values:
        raise ValidationFailed(
            _("Choose a position: head, deputy head or member."), code="invalid_position", extra={"field": "position"}
        )
    if not board.is_current:
        raise ValidationFailed(
            _("Members can only be added to the current editorial board."),
            code="board_not_current",
            extra={"field": "board"},
        )
    if not account.is_active:
        raise ValidationFailed(
            _("The account “%(username)s” is closed or disabled.") % {"username": account.username},
            code="account_inactive",
            extra={"field": "account"},
        )
    if BoardMember.objects.filter(board=board, account=account, ends_on__isnull=True).exists():
        raise Conflict(
            _("“%(name)s” already sits on this board; end the current seat first to change position.")
            % {"name": account},
            code="already_member",
            extra={"field": "account"},
        )
    if (
        position == BoardPosition.HEAD
        and BoardMember.objects.filter(board=board, position=BoardPosition.HEAD, ends_on__isnull=True).exists()
    ):
        raise Conflict(
            _("This board already has a head; end the current head's term first."),
            code="board_has_head",
            extra={"field": "position"},
        )


def board_member_add(
    *,
    board: EditorialBoard,
    account: User,
    position: str,
    starts_on: dt.date | None = None,
    actor: str = "",
    request: HttpRequest | None = None,
) -> BoardMember:
    """Seat ``account`` on the current board as head, deputy head or member, and give it the role
    group of that position (head → board_head, deputy → board_deputy, member → editor).

    One sitting head per board and one seat per account are also unique constraints, so two
    simultaneous appointments cannot both succeed.
    """
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        EditorialBoard.objects.select_for_update().filter(pk=board.pk).first()
        board_member_check(board=board, account=account, position=position)
        try:
            with transaction.atomic():
                seat = BoardMember.objects.create(
                    board=board, account=account, position=position, starts_on=starts_on, created_by=actor
                )
        except IntegrityError as exc:
            raise Conflict(
                _("This board already has a head; end the current head's term first.")
                if position == BoardPosition.HEAD
                else _("This account already sits on this board."),
                code="board_has_head" if position == BoardPosition.HEAD else "already_member",
            ) from exc
        board_roles_sync(account=account)
        _audit_board(
            op="member.add",
            actor=actor,
            target=account.username,
            request=request,
            data={"board": board.pk, "seat": seat.pk, "position": position, "starts_on": starts_on.isoformat()},
        )
    return seat


def board_member_end(
    *,
    seat: BoardMember,
    ends_on: dt.date | None = None,
    actor: str = "",
    request: HttpRequest | None = None,
) -> BoardMember:
    """End a seat (the record stays) and take back the role group it gave, unless another sitting
    seat still gives it. Ending a seat that has already ended changes nothing."""
    with transaction.atomic():
        locked = BoardMember.objects.select_for_update().select_related("account").get(pk=seat.pk)
        if locked.ends_on is not None:
            return locked
        ends_on = ends_on or timezone.localdate()
        if ends_on < locked.starts_on:
            raise ValidationFailed(
                _("The end date cannot be before the start date."), code="invalid_period", extra={"field": "ends_on"}
            )
        locked.ends_on = ends_on
        locked.ended_by = actor
        locked.save(update_fields=["ends_on", "ended_by", "updated_at"])
        board_roles_sync(account=locked.account)
        _audit_board(
            op="member.end",
            actor=actor,
            target=locked.account.username,
            request=request,
            data={
                "board": locked.board_id,
                "seat": locked.pk,
                "position": locked.position,
                "ends_on": ends_on.isoformat(),
            },
        )
    return locked


def _board_seats_hand_over(from_user: User, to_user: User) -> int:
    """A closed account leaves the board: its sitting seats end today.

    The seat itself is not given to the successor — a seat is appointed by the board's decision —
    so this hands over nothing but makes sure no closed account stays on the board.
    """
    count = 0
    for seat in BoardMember.objects.filter(account=from_user, ends_on__isnull=True):
        board_member_end(seat=seat)
        count += 1
    return count


handover.register(_board_seats_hand_over, name="content.board_seats")
