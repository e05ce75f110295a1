"""Writes to accounts, in whichever schema the caller is in (console: public; a portal: its own)."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.validators import validate_username
from portal_platform import audit
from portal_platform.errors import ValidationFailed
from tenants.models import Portal

# Session keys written at login and checked by accounts.middleware.SessionPolicyMiddleware.
SESSION_EPOCH_KEY = "_account_epoch"
SESSION_LOGIN_AT_KEY = "_account_login_at"
SESSION_EXPIRY_WARNED_KEY = "_account_expiry_warned_on"

# Why a password must be changed before anything else.
CHANGE_ISSUED = "issued"
CHANGE_EXPIRED = "expired"


def _actor(user: object) -> str:
    # A string names an issuer that is not an account (a management command, a job).
    if isinstance(user, str):
        return user
    return str(getattr(user, "username", "") or "")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", extra={"field": "password"}) from exc


def _check_username(username: str) -> None:
    try:
        validate_username(username)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_username", extra={"field": "username"}) from exc


def password_change_reason(*, user: User, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` must change their password before doing anything else, or None."""
    if user.must_change_password:
        return CHANGE_ISSUED
    if user.password_expires_at <= (now or timezone.now()):
        return CHANGE_EXPIRED
    return None


def password_days_left(*, user: User, now: dt.datetime | None = None) -> int:
    """Whole days until the password expires (0 on its last day)."""
    return max(0, (user.password_expires_at - (now or timezone.now())).days)


def account_create(
    *,
    username: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    is_staff: bool = True,
    created_by: User | None = None,
    request: HttpRequest | None = None,
) -> tuple[User, str | None]:
    """Create a back-office account following the naming rule (Đ10.2.d).

    The password is always one the owner did not choose (given by whoever creates the account, or
    issued here when ``password`` is None), so it must be changed at the first login. Returns the
    account and the issued one-time password (None when ``password`` was given).
    """
    _check_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            _("The account name “%(username)s” is already in use on this portal.") % {"username": username},
            code="username_taken",
            extra={"field": "username"},
        )
    user = User(username=username, full_name=full_name, email=email, is_staff=is_staff)
    issued = None
    if password is None:
        password = issued = _one_time_password(user)
    else:
        _check_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save()
    audit.audit_log_record(
        action=audit.ACCOUNT_CREATE,
        actor=_actor(created_by),
        target=user.username,
        request=request,
        data={"full_name": full_name, "is_staff": is_staff},
    )
    return user, issued


def account_update(
    *, user: User, changed_fields: Iterable[str], changed_by: User | None = None, request: HttpRequest | None = None
) -> User:
    """Save changes made to an account's details (back office), checking the naming rule again."""
    fields = sorted(set(changed_fields))
    if "username" in fields:
        _check_username(user.username)
    user.save()
    if fields:
        audit.audit_log_record(
            action=audit.ACCOUNT_CHANGE,
            actor=_actor(changed_by),
            target=user.username,
            request=request,
            data={"fields": fields},
        )
    return user


def account_roles_set(
    *, user: User, groups: Iterable[Group], changed_by: User | None = None, request: HttpRequest | None = None
) -> User:
    """Set the account's roles (auth groups); the change is recorded with the before and after."""
    wanted = list(groups)
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(wanted)
    after = sorted(group.name for group in wanted)
    if before != after:
        audit.audit_log_record(
            action=audit.ROLE_CHANGE,
            actor=_actor(changed_by),
            target=user.username,
            request=request,
            data={"before": before, "after": after},
        )
    return user


def account_password_set(
    *,
    user: User,
    password: str,
    issued_by: User | str | None = None,
    keep_request: HttpRequest | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Set a password, checked against the rules of Đ10.2.đ.

    Chosen by the account's owner (``issued_by`` None or the account itself), it lifts the
    must-change flag; set by someone else (another account, or a string naming a non-account
    issuer such as ``"manage.py"``), it is an issued password to be changed at the next
    login. Either way the account's other sessions end; ``keep_request``'s session survives.
    """
    _check_password(password, user)
    issued = isinstance(issued_by, str) or (issued_by is not None and issued_by.pk != user.pk)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = issued
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        account_sessions_end(user=user, keep_request=keep_request)
    audit.audit_log_record(
        action=audit.PASSWORD_RESET if issued else audit.PASSWORD_CHANGE,
        actor=_actor(issued_by or user),
        target=user.username,
        request=request or keep_request,
    )
    return user


def _one_time_password(user: User) -> str:
    length = max(16, settings.PASSWORD_MIN_LENGTH + 4)
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%&*?"]
    alphabet = "".join(classes)
    while True:
        chars = [secrets.choice(cls) for cls in classes] + [secrets.choice(alphabet) for _ in range(length - 4)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # astronomically rare: resembles the name or is a common password
        return password


def account_password_issue(*, user: User, issued_by: User | str | None, request: HttpRequest | None = None) -> str:
    """Issue a random one-time password (a reset): it meets the rules, must be changed at the
    next login, and ends the account's sessions. Returns it, to be shown once."""
    password = _one_time_password(user)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        account_sessions_end(user=user)
    audit.audit_log_record(action=audit.PASSWORD_RESET, actor=_actor(issued_by), target=user.username, request=request)
    return password


def account_sessions_end(*, user: User, keep_request: HttpRequest | None = None) -> int:
    """End every session of ``user`` (other than ``keep_request``'s): raise the account's session
    epoch, which the session middleware compares with the one each session was opened in."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    if keep_request is not None and hasattr(keep_request, "session"):
        keep_request.session[SESSION_EPOCH_KEY] = user.session_epoch
    return user.session_epoch


def account_session_start(*, user: User, request: HttpRequest) -> None:
    """Stamp a new login's session (epoch, login time for the absolute lifetime) and record it."""
    if hasattr(request, "session"):
        request.session[SESSION_EPOCH_KEY] = user.session_epoch
        request.session[SESSION_LOGIN_AT_KEY] = int(timezone.now().timestamp())
    audit.audit_log_record(action=audit.LOGIN_SUCCESS, actor=user.username, target=user.username, request=request)


def account_login_failed_record(*, username: str, request: HttpRequest | None) -> None:
    audit.audit_log_record(action=audit.LOGIN_FAILURE, actor=username, target=username, request=request)


def account_logout(*, user: User | None, request: HttpRequest | None) -> None:
    """A logout ends the account's other sessions too (Đ10.2: one action to leave everywhere)."""
    if user is None or not isinstance(user, User):
        return
    account_sessions_end(user=user)
    audit.audit_log_record(action=audit.LOGOUT, actor=user.username, target=user.username, request=request)


def account_lockout_record(*, username: str, request: HttpRequest | None, ip_address: str | None) -> None:
    audit.audit_log_record(
        action=audit.LOCKOUT,
        actor=username,
        target=username,
        request=request,
        ip_address=ip_address,
        data={"failure_limit": settings.AXES_FAILURE_LIMIT},
    )


def account_unlock(*, username: str, portal: Portal | None, actor: str = "", request: HttpRequest | None = None) -> int:
    """Lift a lockout of ``username`` on ``portal`` (None: the console), from any schema.

    Returns the number of failure records removed (0: the account was not locked).
    """
    from axes.handlers.proxy import AxesProxyHandler

    schema = portal.schema_name if portal is not None else settings.PUBLIC_SCHEMA_NAME
    with schema_context(schema):
        removed = int(AxesProxyHandler.reset_attempts(username=username) or 0)
    audit.audit_log_record(
        action=audit.UNLOCK, actor=actor, target=username, request=request, portal=portal, data={"removed": removed}
    )
    return removed


def account_is_locked(*, username: str, portal: Portal | None) -> bool:
    """Whether ``username`` has reached the failure limit on ``portal`` within the cool-off time."""
    from axes.models import AccessAttempt

    schema = portal.schema_name if portal is not None else settings.PUBLIC_SCHEMA_NAME
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    with schema_context(schema):
        return AccessAttempt.objects.filter(
            username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).exists()
