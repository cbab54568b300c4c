"""`manage.py check_card card.pdf …`: validate card PDFs against the configured signing CA."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hukou_card.signing import card_trust_roots, check_card_signature


class Command(BaseCommand):
    help = "检验入户信息卡PDF的电子签章（以配置的签章根证书为信任锚）。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths, **options):
        roots = ", ".join(root.subject.human_friendly for root in card_trust_roots())
        self.stdout.write(f"信任锚：{roots}")
        failed = 0
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc}") from exc
            check = check_card_signature(data)
            line = f"{path}: {'有效' if check.ok else '无效'} — {check.message}"
            if check.signer:
                line += f"（签章证书：{check.signer}）"
            self.stdout.write(self.style.SUCCESS(line) if check.ok else self.style.ERROR(line))
            failed += not check.ok
        if failed:
            raise CommandError(f"{failed} 个文件的电子签章无效。")
