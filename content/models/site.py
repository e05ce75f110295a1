"""Site structure and the editorial board — tenant schema (one copy of every table per portal).

Here: the audit trail, the section tree (chuyên mục), the background pages (thông tin nền), the
menus, the site-level settings, the link between the editorial roles and their auth groups, and
the editorial board (the decision that set it up, its members and their positions).
Provisioning fills them from a site template (``provisioning/templates/``) through
``content.services``; articles, legal documents and the publishing workflow build on them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from content import roles
from content.linkgroups import validate_link_groups
from content.models.workflow import Publishable

# Public URLs of sections and pages are built from their slugs; keep them to ASCII so that a link
# survives copy and paste into any mail client or document.
SLUG_PATTERN = r"^[a-z0-9-]+$"
validate_slug = RegexValidator(
    SLUG_PATTERN,
    _("A slug may contain only lower-case unaccented letters, digits and hyphens (for example: tin-tuc-su-kien)."),
    code="invalid_slug",
)
# A menu link that is not a section or a page: a path on this portal or an absolute web address.
MENU_URL_PATTERN = r"^(/|https?://)\S*$"
validate_menu_url = RegexValidator(
    MENU_URL_PATTERN,
    _("Enter a path on this portal (starting with /) or a full web address (starting with https://)."),
    code="invalid_menu_url",
)


class AuditEvent(models.Model):
    """One recorded action in this portal (NĐ 85/2016: audit log of logins, admin and content actions)."""

    action = models.CharField(_("action"), max_length=100)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}".strip()


class Category(models.Model):
    """A section (chuyên mục) of the portal, in a tree ordered by ``order`` among siblings.

    Slugs are unique in the whole portal, not per parent: a section's public address stays
    ``/chuyen-muc/<slug>/`` when the board moves it elsewhere in the tree, and the template, menus
    and later articles can name a section by its slug alone.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.PROTECT,  # a subtree (and later its articles) is never deleted by accident
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[validate_slug])
    order = models.PositiveIntegerField(_("order"), default=0)
    is_visible = models.BooleanField(
        _("visible"), default=True, help_text=_("Hidden sections do not appear on the public site or its menus.")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["parent", "order"], name="category_parent_order")]
        constraints = [
            models.CheckConstraint(
                name="category_not_own_parent",
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                violation_error_message=_("A section cannot be its own parent."),
            ),
            models.CheckConstraint(name="category_slug_format", condition=Q(slug__regex=SLUG_PATTERN)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Deeper cycles than "own parent" need the chain, which a CHECK constraint cannot see.
        ancestor = self.parent
        seen: set[int] = set()
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A section cannot be placed under itself or its own subsections.")})
            if ancestor.pk in seen:
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class PageKind(models.TextChoices):
    INTRO = "intro", _("Introduction")
    FUNCTIONS = "functions", _("Functions and duties")
    ORGANISATION = "organisation", _("Organisation")
    LEADERS = "leaders", _("Leaders")
    CONTACTS = "contacts", _("Contacts")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    OTHER = "other", _("Other page")


class Page(Publishable):
    """A background page (thông tin nền, NĐ 42/2022 Đ4): one per kind, any number of "other" pages.

    A page is not public until someone allowed to publish has published it (Decision 80/2025
    Đ3.5); provisioning creates placeholders that stay unpublished until the board completes them.
    ``last_reviewed_at`` records when the board last confirmed the page is still accurate
    (Đ6.3: background information is updated promptly); never reviewed means due for review.
    """

    revision_fields = ("kind", "slug", "title", "title_en", "body", "body_en")
    html_fields = ("body", "body_en")

    kind = models.CharField(_("page type"), max_length=20, choices=PageKind.choices, default=PageKind.OTHER)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[validate_slug])
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    body = models.TextField(_("content"), blank=True)
    body_en = models.TextField(_("content in English"), blank=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("background page")
        verbose_name_plural = _("background pages")
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind=PageKind.OTHER),
                name="page_one_per_kind",
                violation_error_message=_("This portal already has a page of this type."),
            ),
            models.CheckConstraint(name="page_kind_valid", condition=Q(kind__in=PageKind.values)),
            models.CheckConstraint(name="page_slug_format", condition=Q(slug__regex=SLUG_PATTERN)),
            *Publishable.status_constraints("page"),
        ]
        permissions = [("review_page", _("Can confirm that a background page is up to date"))]

    def __str__(self) -> str:
        return self.title


class Menu(models.Model):
    """A navigation menu the public site renders by key ("main", "footer").

    Menus are fixed slots of the site's layout, so only their items are added or removed; a menu
    itself is created by the site template (hence no add/delete permissions).
    """

    key = models.SlugField(_("key"), max_length=50, unique=True, validators=[validate_slug])
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        ordering = ["key"]
        default_permissions = ("change", "view")

    def __str__(self) -> str:
        return self.name


class MenuItem(models.Model):
    """One entry of a menu, linking to exactly one of a section, a page or a URL.

    Items nest one level deep (a top entry and its drop-down). ``key`` is the stable identifier the
    site template uses, so that applying the template again finds its items instead of adding
    copies; items the board adds by hand have none. An empty label on a section or page link means
    "use the section's name or the page's title", so renaming the target renames the entry too.
    """

    menu = models.ForeignKey(Menu, verbose_name=_("menu"), on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    key = models.SlugField(_("key"), max_length=100, blank=True, validators=[validate_slug])
    label = models.CharField(_("label"), max_length=200, blank=True)
    label_en = models.CharField(_("label in English"), max_length=200, blank=True)
    # PROTECT: a section or page in a menu must be taken out of the menu before it can be deleted,
    # rather than silently disappearing from the navigation.
    category = models.ForeignKey(
        Category, verbose_name=_("section"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    page = models.ForeignKey(
        Page, verbose_name=_("page"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    url = models.CharField(_("link address"), max_length=500, blank=True, validators=[validate_menu_url])
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["menu", "order", "pk"]
        indexes = [models.Index(fields=["menu", "parent", "order"], name="menuitem_menu_parent_order")]
        constraints = [
            models.CheckConstraint(
                name="menuitem_exactly_one_target",
                condition=(
                    (Q(category__isnull=False) & Q(page__isnull=True) & Q(url=""))
                    | (Q(category__isnull=True) & Q(page__isnull=False) & Q(url=""))
                    | (Q(category__isnull=True) & Q(page__isnull=True) & ~Q(url=""))
                ),
                violation_error_message=_("A menu item links to exactly one of: a section, a page or an address."),
            ),
            models.CheckConstraint(
                name="menuitem_url_needs_label",
                condition=Q(url="") | ~Q(label=""),
                violation_error_message=_("A menu item that links to an address needs a label."),
            ),
            models.CheckConstraint(
                name="menuitem_url_format",
                condition=Q(url="") | Q(url__regex=MENU_URL_PATTERN),
                violation_error_message=_(
                    "Enter a path on this portal (starting with /) or a full web address (starting with https://)."
                ),
            ),
            models.CheckConstraint(
                name="menuitem_not_own_parent",
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
            ),
            models.UniqueConstraint(
                fields=["menu", "key"],
                condition=~Q(key=""),
                name="menuitem_unique_key_per_menu",
                violation_error_message=_("This menu already has an item with this key."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label()

    def display_label(self, language: str = "vi") -> str:
        """The label shown in ``language``: the item's own, else its target's name; English falls back to Vietnamese."""
        if language == "en":
            if self.label_en:
                return self.label_en
            if self.category is not None and self.category.name_en:
                return self.category.name_en
            if self.page is not None and self.page.title_en:
                return self.page.title_en
        if self.label:
            return self.label
        if self.category is not None:
            return self.category.name
        if self.page is not None:
            return self.page.title
        return self.url

    def clean(self) -> None:
        # Cross-row rules a CHECK constraint cannot express.
        if self.parent is not None:
            if self.parent.menu_id != self.menu_id:
                raise ValidationError({"parent": _("The parent item must belong to the same menu.")})
            if self.parent.parent_id is not None:
                raise ValidationError({"parent": _("Menus have only one level of sub-items.")})
            if self.pk is not None and self.children.exists():
                raise ValidationError({"parent": _("An item with sub-items cannot itself become a sub-item.")})


HEADER_EMBLEM = "emblem"
HEADER_LOGO = "logo"
validate_https = URLValidator(schemes=["https"], message=_("Enter a full https:// address."), code="invalid_https_url")


class SiteSettings(models.Model):
    """The portal's site-level settings — one row per schema (primary key 1).

    The agency's own details for the footer (name, person responsible, address, phone, email) live
    on ``tenants.Portal`` in the control plane; only what the portal's board words itself is here.
    The template key and version say which site template this site was last built from. The
    layout fields (header image, English name, EMC script, link groups) are read by the public site
    (``content.public``), whose page cache is refreshed when this row changes.
    """

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    footer_text = models.TextField(_("footer text"), blank=True)
    footer_text_en = models.TextField(_("footer text in English"), blank=True)
    copyright = models.CharField(_("copyright line"), max_length=255, blank=True)
    copyright_en = models.CharField(_("copyright line in English"), max_length=255, blank=True)
    review_steps = models.PositiveSmallIntegerField(
        _("review steps"),
        choices=[
            (1, _("One step: the head or a deputy approves")),
            (2, _("Two steps: an editor reviews, then the head or a deputy approves")),
        ],
        default=1,
    )
    page_review_days = models.PositiveSmallIntegerField(
        _("background pages are reviewed every (days)"),
        default=180,
        help_text=_("A background page not confirmed as up to date within this period is flagged as stale."),
    )
    # --- the public site's layout (TT 22/2023: header with the emblem or logo; EMC script) ---
    agency_name_en = models.CharField(
        _("agency name in English"),
        max_length=255,
        blank=True,
        help_text=_("Shown in the header of the English version; the Vietnamese name is used when empty."),
    )
    header_mark = models.CharField(
        _("header image"),
        max_length=10,
        choices=[(HEADER_EMBLEM, _("National emblem")), (HEADER_LOGO, _("Agency logo"))],
        default=HEADER_EMBLEM,
    )
    logo_url = models.URLField(
        _("logo address"),
        max_length=500,
        blank=True,
        validators=[validate_https],
        help_text=_("The https address of the agency's logo image (used when the header image is the logo)."),
    )
    emc_script_url = models.URLField(
        _("EMC monitoring script address"),
        max_length=500,
        blank=True,
        validators=[validate_https],
        help_text=_(
            "The https address of the script given by the national monitoring system (EMC) for this portal;"
            " it is included on every page when set."
        ),
    )
    link_groups = models.TextField(
        _("links to other portals"),
        blank=True,
        validators=[validate_link_groups],
        help_text=_(
            "One link per line as “name | https://address”. A line starting with # starts a group,"
            " for example “# Sở, ban, ngành | Departments”."
        ),
    )
    show_portal_directory = models.BooleanField(
        _("list the province's other e-portals"),
        default=True,
        help_text=_("The links page also lists every e-portal of the province, grouped by kind."),
    )
    template_key = models.CharField(_("site template"), max_length=50, blank=True, editable=False)
    template_version = models.CharField(_("site template version"), max_length=50, blank=True, editable=False)
    template_applied_at = models.DateTimeField(_("site template applied at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        # A singleton is neither added nor deleted by hand.
        default_permissions = ("change", "view")
        constraints = [
            models.CheckConstraint(name="sitesettings_singleton", condition=Q(id=1)),
            models.CheckConstraint(name="sitesettings_review_steps", condition=Q(review_steps__in=[1, 2])),
            models.CheckConstraint(name="sitesettings_page_review_days", condition=Q(page_review_days__gte=1)),
            models.CheckConstraint(
                name="sitesettings_header_mark", condition=Q(header_mark__in=[HEADER_EMBLEM, HEADER_LOGO])
            ),
        ]

    def __str__(self) -> str:
        return str(_("site settings"))


class Role(models.Model):
    """Which auth group plays which editorial role (``content.roles``).

    Group names are the Vietnamese role names from the site template and may be renamed, so the
    stable role key lives here; ``roles_apply`` and account assignment find groups through it.
    Rows are written only by ``content.services.roles_apply``.
    """

    key = models.CharField(_("role"), max_length=50, unique=True, choices=list(roles.ROLE_LABELS.items()))
    group = models.OneToOneField(Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="portal_role")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("editorial role")
        verbose_name_plural = _("editorial roles")
        default_permissions = ("view",)
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.group.name})"


# --- editorial board (Ban Biên tập, Decision 80/2025 Đ11) ------------------------------------------


class BoardPosition(models.TextChoices):
    HEAD = "head", _("Head of the board")
    DEPUTY = "deputy", _("Deputy head of the board")
    MEMBER = "member", _("Member of the board")


# The editorial role (``content.roles``) each position carries; content.services keeps the groups
# of those roles in step with the memberships.
POSITION_ROLES: dict[str, str] = {
    BoardPosition.HEAD: roles.BOARD_HEAD,
    BoardPosition.DEPUTY: roles.BOARD_DEPUTY,
    BoardPosition.MEMBER: roles.EDITOR,
}


class EditorialBoard(models.Model):
    """A board as set up by a decision (quyết định thành lập Ban Biên tập): its number, date and signer.

    One board is current per portal (partial unique constraint); a new decision makes a new board and
    the earlier ones stay, with their members, for the record. Rows are written only by
    ``content.services`` (``board_create``).
    """

    decision_number = models.CharField(_("decision number"), max_length=100)
    decision_date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issued by"), max_length=255, help_text=_("The authority that signed the decision."))
    note = models.TextField(_("note"), blank=True)
    is_current = models.BooleanField(_("current board"), default=True, editable=False)
    created_by = models.CharField(_("created by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("editorial board")
        verbose_name_plural = _("editorial boards")
        ordering = ["-is_current", "-decision_date", "-pk"]
        # Boards are history: never deleted.
        default_permissions = ("add", "change", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="editorialboard_one_current",
                violation_error_message=_("This portal already has a current editorial board."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Editorial board (decision %(number)s)") % {"number": self.decision_number})


class BoardMember(models.Model):
    """An account's seat on a board, with its position and the dates it held it.

    A seat that ends gets ``ends_on`` and stays; at most one sitting head per board, and an account
    sits at most once per board at a time (partial unique constraints, so a race is decided by the
    database). A board has no head only between its creation and the first head's appointment.
    """

    board = models.ForeignKey(
        EditorialBoard, verbose_name=_("editorial board"), on_delete=models.PROTECT, related_name="members"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="board_seats"
    )
    position = models.CharField(_("position"), max_length=16, choices=BoardPosition.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True, editable=False)
    ended_by = models.CharField(_("ended by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        ordering = ["board", "ends_on", "position", "starts_on"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["board"],
                condition=Q(position="head", ends_on__isnull=True),
                name="boardmember_one_head",
                violation_error_message=_("This board already has a head; end the current head's term first."),
            ),
            models.UniqueConstraint(
                fields=["board", "account"],
                condition=Q(ends_on__isnull=True),
                name="boardmember_one_seat_per_account",
                violation_error_message=_("This account already sits on this board."),
            ),
            models.CheckConstraint(name="boardmember_position_valid", condition=Q(position__in=BoardPosition.values)),
            models.CheckConstraint(
                name="boardmember_period_valid",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} — {self.get_position_display()}"

    @property
    def is_sitting(self) -> bool:
        return self.ends_on is None
