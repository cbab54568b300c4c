"""Every retention rule in one run: the applications' (scans, drafts) and the expired ZIPs of
下载我的个人信息 (portal.exports). The beat task and `manage.py enforce_retention` call this."""

from dataclasses import dataclass, field

from applications import retention


@dataclass
class RetentionRun:
    scans: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def retention_run(*, dry_run: bool) -> RetentionRun:
    from portal.exports import expired_exports, exports_purge

    plan = retention.retention_plan() if dry_run else retention.retention_enforce()
    exports = list(expired_exports())
    if not dry_run:
        exports_purge(exports)
    lines = plan.lines() + [f"[personal_data_export] 个人信息下载包 {export.pk}（用户{export.user_id}）" for export in exports]
    return RetentionRun(scans=plan.scans, drafts=plan.drafts, exports=exports, lines=lines)
