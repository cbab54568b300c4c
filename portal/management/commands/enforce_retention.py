"""manage.py enforce_retention [--dry-run]: what the daily beat task deletes, or would."""

from django.core.management.base import BaseCommand

from portal.retention import retention_run


class Command(BaseCommand):
    help = "按保存期限删除到期的个人信息文件（扫描件、废弃草稿、过期的个人信息下载包），并保留删除记录。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被删除的对象，不删除。")

    def handle(self, *args, dry_run: bool = False, **options):
        result = retention_run(dry_run=dry_run)
        for line in result.lines:
            self.stdout.write(line)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{verb}：证件库图片{len(result.scans)}个，申报草稿{len(result.drafts)}份，个人信息下载包{len(result.exports)}个。"
        )
