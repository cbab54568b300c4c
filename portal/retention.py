"""Every retention rule in one run: the applications' (scans, drafts). The beat task and
`manage.py enforce_retention` call this."""

from dataclasses import dataclass, field

from applications import retention


@dataclass
class RetentionRun:
    scans: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def retention_run(*, dry_run: bool) -> RetentionRun:
    plan = retention.retention_plan() if dry_run else retention.retention_enforce()
    return RetentionRun(scans=plan.scans, drafts=plan.drafts, lines=plan.lines())
