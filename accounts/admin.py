from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class AccountAdmin(UserAdmin[User]):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Password policy"), {"fields": ("full_name", "must_change_password", "password_changed_at")}),
    )
    list_display = ("username", "full_name", "email", "is_staff", "is_active", "must_change_password")
