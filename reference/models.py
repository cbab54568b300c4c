"""Reference data the whole portal shares: districts, the subsystem catalogue, the calendar and the
policy, guide and Q&A pages (the 门户 and the talent home show them)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext


class _ByNaturalKey(models.Manager):
    """Rows of fixtures/ are found by their natural key (reference.fixtures), so `loaddata` updates
    a row rather than adding a second one."""

    key = ""

    def get_by_natural_key(self, value):
        return self.get(**{self.key: value})


class DistrictManager(_ByNaturalKey):
    key = "code"


class SubsystemManager(_ByNaturalKey):
    key = "slug"


class ContentPageManager(_ByNaturalKey):
    key = "slug"


class District(models.Model):
    """A district of Guangzhou (GB/T 2260 code); its HR bureau is the issuing and reviewing unit."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("区名", max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    contact_address = models.CharField("联系地址", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)

    objects = DistrictManager()

    class Meta:
        db_table = "portal_district"  # created by the portal app before reference/ owned it
        ordering = ["sort_order", "code"]
        verbose_name = verbose_name_plural = "行政区"

    def __str__(self) -> str:
        # In the page's language (a form's choice list shows it): the English of the fixtures' names
        # is in the catalogue (reference.fixtures); the console and the documents are Chinese.
        return gettext(self.name)

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def bureau_name(self) -> str:
        return f"广州市{self.name}人力资源和社会保障局"

    @property
    def full_name(self) -> str:
        return f"广东省广州市{self.name}"


class Subsystem(models.Model):
    """One entry of the "添加应用" catalogue (the subsystems named in the seed's 系统说明)."""

    slug = models.SlugField("标识", max_length=60, unique=True)
    name = models.CharField("系统名称", max_length=60)
    description = models.CharField("简介", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    # Only the 人才引进申办系统 is provided by this installation; the rest are listed honestly.
    is_provided = models.BooleanField("本系统提供", default=False)
    entry_url_name = models.CharField("入口路由", max_length=80, blank=True)

    objects = SubsystemManager()

    class Meta:
        db_table = "portal_subsystem"  # created by the portal app before reference/ owned it
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = "应用系统"

    def __str__(self) -> str:
        # In the page's language (a form's choice list shows it): the English of the fixtures' names
        # is in the catalogue (reference.fixtures); the console and the documents are Chinese.
        return gettext(self.name)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        # The 门户 links to this route as it stands: a name that does not resolve is refused here,
        # when the administrator types it, rather than hidden on the page.
        if self.entry_url_name:
            try:
                reverse(self.entry_url_name)
            except NoReverseMatch as exc:
                raise ValidationError({"entry_url_name": f"没有名为“{self.entry_url_name}”的入口路由。"}) from exc


class CalendarOverride(models.Model):
    """An administrator's correction to the holiday calendar (a year the `holidays` package does not know yet)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        db_table = "portal_calendaroverride"  # created by the portal app before reference/ owned it
        ordering = ["date"]
        verbose_name = verbose_name_plural = "工作日历调整"

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '休息'}"


class ContentPage(models.Model):
    """Policy, guide and Q&A pages of the 人才引进申办系统 home page, editable by the city administrator."""

    class Section(models.TextChoices):
        POLICY = "policy", "政策依据"
        GUIDE = "guide", "业务办理指南"
        QA = "qa", "政策问答"
        HELP = "help", "帮助"

    slug = models.SlugField("标识", max_length=80, unique=True)
    section = models.CharField("栏目", max_length=10, choices=Section.choices)
    title = models.CharField("标题", max_length=200)
    document_number = models.CharField("文号", max_length=80, blank=True)
    is_new = models.BooleanField("标注[新]", default=False)
    body = models.TextField("正文（HTML，仅管理员编辑）")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ContentPageManager()

    class Meta:
        db_table = "portal_contentpage"  # created by the portal app before reference/ owned it
        ordering = ["section", "sort_order", "id"]
        verbose_name = verbose_name_plural = "内容页面"

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)
