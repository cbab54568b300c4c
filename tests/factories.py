"""factory_boy factories for every model. Identity numbers and credit codes are generated valid."""

import datetime
import io
import itertools

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import Employer, EmployerAdmin, IdType, Role, User
from accounts.validators import credit_code_check_char, id_check_char
from applications.choices import (
    AttachmentKind,
    Degree,
    Education,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
    Status,
)
from applications.models import (
    AccompanyingPerson,
    Application,
    Attachment,
    LibraryDocument,
    TalentSubcategory,
)
from audit.models import AuditEntry
from hukou_card.models import HukouCard
from quota.models import Quota
from reference.models import District
from review.models import NoticeEntry, Objection, PublicNotice

_sequence = itertools.count(1)
PASSWORD = "Passw0rd123"  # noqa: S105 - the test users' password


def make_resident_id(
    birth_date: datetime.date = datetime.date(1990, 5, 17),
    *,
    male: bool = True,
    region: str = "440106",
    serial: int | None = None,
) -> str:
    """A valid 居民身份证 number: region + birth date + serial (odd male, even female) + check char.

    Without an explicit serial, numbers stay unique for 44,000 calls per birth date and gender: the
    three-digit sequence holds 499 per sex, and each further 499 moves the county code on.
    """
    if serial is None:
        serial = next(_sequence)
        if serial >= 499:
            region = f"{region[:4]}{(int(region[4:]) + serial // 499) % 89 + 1:02d}"
    sequence = (serial % 499 + 1) * 2 + (1 if male else 0)  # 002..999; 000 is never issued
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(serial: int | None = None) -> str:
    serial = next(_sequence) if serial is None else serial
    first17 = f"91440106MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - datetime.timedelta(days=days)


def jpeg_bytes(
    width: int = 800, height: int = 600, *, quality: int = 85, color=(40, 90, 160), **save
) -> bytes:
    """A real JPEG, as a phone photo of a document would be."""
    image = Image.new("RGB", (width, height), color)
    # Some texture so the size behaves like a photo, not a flat colour.
    for x in range(0, width, 16):
        for y in range(0, height, 16):
            image.putpixel((x, y), ((x * 7) % 256, (y * 5) % 256, (x + y) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **save)
    return buffer.getvalue()


def district(code: str = "440106") -> District:
    return District.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"张{'三四五六七八九'[n % 7]}{'明华强丽军'[n % 5]}")
    id_type = IdType.RESIDENT_ID
    id_number = factory.LazyFunction(lambda: make_resident_id(years_ago(30)))
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    mobile = "13800138000"
    role = Role.APPLICANT
    truthfulness_promised_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ReviewerFactory(UserFactory):
    role = Role.REVIEWER
    id_number = ""
    full_name = factory.Sequence(lambda n: f"审核员{n}")
    is_staff = False
    district = factory.LazyFunction(lambda: district("440106"))


class CityAdminFactory(UserFactory):
    role = Role.CITY_ADMIN
    id_number = ""
    full_name = factory.Sequence(lambda n: f"市局管理员{n}")
    is_staff = True
    is_superuser = True
    district = None


class PoliceFactory(UserFactory):
    role = Role.POLICE
    id_number = ""
    full_name = factory.Sequence(lambda n: f"公安窗口{n}")
    district = None


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"广州测试科技有限公司{n}")
    credit_code = factory.LazyFunction(make_credit_code)
    district = factory.LazyFunction(lambda: district("440106"))
    address = "广州市天河区天河路1号"


class EmployerAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerAdmin

    user = factory.SubFactory(UserFactory)
    employer = factory.SubFactory(EmployerFactory)
    status = EmployerAdmin.Status.APPROVED
    business_licence = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(400, 300), name="licence.jpg"))


def subcategory(code: str) -> TalentSubcategory:
    return TalentSubcategory.objects.select_related("category").get(code=code)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A fully answered draft: 二、学历类人才 (二) 硕士, 30 years old, 天河区."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    status = Status.DRAFT
    commitment_accepted_at = factory.LazyFunction(timezone.now)
    conditions_confirmed = True
    subcategory = factory.LazyFunction(lambda: subcategory("2.2"))
    category = factory.LazyAttribute(lambda o: o.subcategory.category)
    full_name = factory.LazyAttribute(lambda o: o.applicant.full_name)
    id_number = factory.LazyAttribute(lambda o: o.applicant.id_number)
    gender = "男"
    birth_date = factory.LazyFunction(lambda: years_ago(30))
    ethnicity = "汉族"
    marital_status = MaritalStatus.MARRIED
    education = Education.MASTER
    degree = Degree.MASTER
    graduate_school = "中山大学"
    major = "计算机科学与技术"
    professional_title = ProfessionalTitle.INTERMEDIATE
    professional_qualification = "无"
    skill_qualification = SkillLevel.NONE
    shortage_occupation = "无"
    position = "软件工程师"
    employer = factory.SubFactory(EmployerFactory)
    original_registry_office = "湖南省长沙市公安局岳麓分局"
    original_hukou_address = "湖南省长沙市岳麓区麓山南路1号"
    district = factory.LazyFunction(lambda: district("440106"))
    intended_address = "广州市天河区天河路2号"
    social_insurance_months = 12
    contact_mobile = "13800138000"
    completed_steps = factory.LazyFunction(
        lambda: ["commitment", "declaration", "category", "personal", "family", "attachments"]
    )

    class Params:
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            # applications.services numbers a submitted application by its primary key; factory-made
            # numbers start at 90000000 so the two can never meet in one test database.
            number=factory.Sequence(lambda n: f"GZRC{timezone.localdate().year}{90_000_000 + n:08d}"),
            submitted_at=factory.LazyFunction(timezone.now),
            last_submitted_at=factory.LazyFunction(timezone.now),
        )


class AccompanyingPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccompanyingPerson

    application = factory.SubFactory(ApplicationFactory)
    full_name = "李四"
    relation = Relation.SPOUSE
    id_number = factory.LazyFunction(lambda: make_resident_id(years_ago(29), male=False))
    gender = "女"
    birth_date = factory.LazyFunction(lambda: years_ago(29))
    ethnicity = "汉族"
    hukou_same_as_applicant = True


class LibraryDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryDocument

    owner = factory.SubFactory(UserFactory)
    kind = AttachmentKind.ID_CARD
    original_name = "scan.jpg"
    width = 800
    height = 600
    sha256 = "0" * 64
    size = factory.LazyAttribute(lambda o: o.file.size)
    file = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="scan.jpg"))


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    kind = AttachmentKind.ID_CARD
    document = factory.LazyAttribute(
        lambda o: LibraryDocumentFactory(owner=o.application.applicant, kind=o.kind)
    )


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    application = factory.SubFactory(ApplicationFactory)
    action = "submit"
    from_status = Status.DRAFT
    to_status = Status.SUBMITTED


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    district = factory.LazyFunction(lambda: district("440106"))
    total_places = 10


class PublicNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicNotice

    district = factory.LazyFunction(lambda: district("440106"))
    title = factory.LazyAttribute(lambda o: f"{o.district.name}引进人才入户公示")
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=7))


class NoticeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoticeEntry

    notice = factory.SubFactory(PublicNoticeFactory)
    application = factory.SubFactory(ApplicationFactory, submitted=True, status=Status.IN_NOTICE)


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    entry = factory.SubFactory(NoticeEntryFactory)
    contact_name = "王五"
    contact_phone = "13900139000"
    description = "申请人并未在该单位实际工作。"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=28))


class HukouCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HukouCard

    application = factory.SubFactory(ApplicationFactory, submitted=True, status=Status.PUBLISHED)
    number = factory.Sequence(lambda n: f"4401{n:012d}")
    verification_code = "AB12CD"
    move_type = HukouCard.MoveType.MAIN
    holder_name = factory.LazyAttribute(lambda o: o.application.full_name)
    holder_id_number = factory.LazyAttribute(lambda o: o.application.id_number)
    approval_number = factory.Sequence(lambda n: f"穗人社引〔2026〕{n}号")
    issuing_bureau = "广州市天河区人力资源和社会保障局"
    issued_on = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda o: o.issued_on + datetime.timedelta(days=90))


def ready_application(**kwargs) -> Application:
    """A draft that meets every submit rule: all steps done and each required attachment present
    (add 随迁人 first via AccompanyingPersonFactory and attach their documents if the test needs them)."""
    from applications.eligibility import required_attachment_kinds

    application = ApplicationFactory(**kwargs)
    for kind in required_attachment_kinds(application):
        AttachmentFactory(application=application, kind=kind)
    return application
