"""The audit log is append-only for everyone in the application (NĐ 85/2016: records of logins and
administration must not be altered).

A trigger refuses UPDATE, DELETE and TRUNCATE on the table unless the transaction has switched on
``platform.audit_purge`` with ``SET LOCAL`` — which only the retention purge
(``portal_platform.audit.audit_log_purge``) does. The rule sits in the database, not in Django, so
no queryset, admin action or shell session can get around it by accident.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION portal_platform_auditlog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('platform.audit_purge', true), '') = 'on' AND TG_OP <> 'UPDATE' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
    END IF;
    RAISE EXCEPTION 'portal_platform_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS auditlog_append_only_rows ON portal_platform_auditlog;
CREATE TRIGGER auditlog_append_only_rows
    BEFORE UPDATE OR DELETE ON portal_platform_auditlog
    FOR EACH ROW EXECUTE FUNCTION portal_platform_auditlog_append_only();

DROP TRIGGER IF EXISTS auditlog_append_only_truncate ON portal_platform_auditlog;
CREATE TRIGGER auditlog_append_only_truncate
    BEFORE TRUNCATE ON portal_platform_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION portal_platform_auditlog_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS auditlog_append_only_truncate ON portal_platform_auditlog;
DROP TRIGGER IF EXISTS auditlog_append_only_rows ON portal_platform_auditlog;
DROP FUNCTION IF EXISTS portal_platform_auditlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal_platform", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
