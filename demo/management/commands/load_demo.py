"""Demo accounts, employers and quota so a fresh `make run` can be tried at once (README.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Employer, IdType, Role, User
from accounts.selectors import DEMO_EMAIL_DOMAIN
from reference.fixtures import TALENT_SUBSYSTEM_SLUG, load_fixtures
from reference.models import District

DEMO_PASSWORD = "Demo2026gz"  # noqa: S105 - documented demo password, demo data only

# (credit code, name, district code, key employer) - codes carry valid GB 32100 check characters.
DEMO_EMPLOYERS = [
    ("91440106MA59C0001H", "广州天河软件科技有限公司", "440106", False),
    ("91440111MA59C0002P", "广州白云智能制造有限公司", "440111", True),
    ("91440112MA59C0003D", "广州黄埔生物医药研究院有限公司", "440112", True),
    ("91440104MA59C0004K", "广州越秀金融服务有限公司", "440104", False),
]


class Command(BaseCommand):
    help = "Load demo accounts (password Demo2026gz), employers and this year's quota. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when users already exist")
        parser.add_argument(
            "--skip-applications", action="store_true", help="accounts, employers and quota only (benchmarks)"
        )

    def handle(self, *args, **options):
        # Every demo account shares one published password, the city administrator's included: never
        # in production, unless the stack is a demonstration that says so (PORTAL_DEMO=1, the compose
        # profile `demo`; /healthz then reports the demo data as long as it exists).
        if settings.PRODUCTION and not settings.PORTAL_DEMO:
            raise CommandError(
                "load_demo refuses to run in production (DJANGO_DEBUG=0): the demo accounts, a superuser "
                "among them, share one password printed in the README. Nothing was created. "
                "For a demonstration stack set PORTAL_DEMO=1 (docker compose --profile demo up)."
            )
        self._load(**options)

    @transaction.atomic
    def _load(self, *, if_empty=False, skip_applications=False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Users exist; demo data not loaded.")
            return
        load_fixtures()  # the migrations loaded them; again in case a flush or an edit removed rows
        districts = {d.code: d for d in District.objects.all()}
        from accounts.validators import credit_code_check_char

        for code, name, district_code, key in DEMO_EMPLOYERS:
            code = code[:17] + credit_code_check_char(code[:17])
            Employer.objects.update_or_create(
                credit_code=code,
                defaults={
                    "name": name,
                    "district": districts[district_code],
                    "is_key_employer": key,
                    "address": f"广州市{districts[district_code].name}示例路1号",
                },
            )

        users = {
            "zhangsan": self._user("zhangsan", "张三", Role.APPLICANT, id_number="440106199001011236"),
            "lisi": self._user("lisi", "李四", Role.APPLICANT, id_number="44010619880808122X"),
            "wangwu": self._user("wangwu", "王五", Role.APPLICANT, id_number="430104198203150031"),
            "zhaoliu": self._user("zhaoliu", "赵六", Role.APPLICANT, id_number="360102199412060042"),
            "sunqi": self._user("sunqi", "孙七", Role.APPLICANT, id_number="450103199807250053"),
            "cityadmin": self._user("cityadmin", "市人社局管理员", Role.CITY_ADMIN, staff=True),
            "police": self._user("police", "天河公安窗口", Role.POLICE),
        }
        for code, district in districts.items():
            name = f"reviewer{code[-2:]}"
            users[name] = self._user(name, f"{district.name}审核员", Role.REVIEWER, district=district)

        from quota.models import Quota

        year = timezone.localdate().year
        for district in districts.values():
            Quota.objects.get_or_create(
                year=year, district=district, employer=None, defaults={"total_places": 50}
            )
        for employer in Employer.objects.filter(is_key_employer=True):
            Quota.objects.get_or_create(
                year=year, district=employer.district, employer=employer, defaults={"total_places": 5}
            )
        if not skip_applications:
            from demo.scenarios import load_demo_applications

            for line in load_demo_applications(users=users):
                self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Password for every demo account: {DEMO_PASSWORD}")
        )

    def _user(self, username, full_name, role, *, id_number="", staff=False, district=None):
        from accounts.models import UserSubsystem
        from accounts.validators import id_check_char
        from reference.models import Subsystem

        if id_number:
            id_number = id_number[:17] + id_check_char(id_number[:17])
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "id_type": IdType.RESIDENT_ID,
                "id_number": id_number,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",  # /healthz knows them by it
                "mobile": "",  # demo accounts get no SMS
                "is_staff": staff,
                "is_superuser": staff,
                "district": district,
                "truthfulness_promised_at": timezone.now(),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role == Role.APPLICANT:
            UserSubsystem.objects.get_or_create(
                user=user, subsystem=Subsystem.objects.get(slug=TALENT_SUBSYSTEM_SLUG)
            )
        return user
