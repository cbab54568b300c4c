"""Forms of the 人才引进信息登记 wizard: parse and check input; the rules live in services/eligibility."""

import functools

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Employer, IdType
from accounts.validators import (
    MOBILE_HELP,
    validate_birth_date,
    validate_full_name,
    validate_mobile,
)
from applications.choices import (
    ETHNICITY_CHOICES,
    AttachmentKind,
    DeclarationType,
    Degree,
    Education,
    Gender,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
)
from applications.models import Application, TalentCategory, TalentSubcategory
from applications.reference import reference_lists, reference_objects
from applications.wizard import PERSONAL_FIELDS
from core.sms import sms_enabled
from core.widgets import PlainSelect
from reference.models import District

COMMITMENT_TEXT = _(
    "根据《广州市引进人才入户管理办法》第十一条规定，申请人应书面承诺提供的申请材料真实有效。"
    "经查实有虚假承诺或经有关部门查实，存在隐瞒、欺骗或提供虚假证明材料等情形的，其申请不予办理，"
    "并通报入户审核部门，取消其申请资格5年，并录入个人信用记录；已通过入户审核的，由入户审核部门注销审核结果和入户卡"
    "并告知申请单位或申请人；已经入户的，公安机关根据入户审核部门提供的认定材料予以注销，退回原籍。"
    "存在以上情形时，申请人信息同时录入本市引进人才征信管理系统。"
    "本人已知悉上述内容并承诺以下填报内容和提供的证件完全真实，如有不实，本人愿意承担由此产生的一切后果及相关责任。"
)
CONDITIONS_TEXT = _(
    "符合《广州市人民政府办公厅关于印发广州市引进人才入户管理办法的通知》（穗府办规〔2020〕10号）及相关实施细则"
)


def _choices(choices):
    return [("", _("—— 请选择 ——")), *choices]


class CommitmentForm(forms.Form):
    AGREE, DISAGREE = "agree", "disagree"
    choice = forms.ChoiceField(
        label=_("个人承诺"),
        choices=[(AGREE, _("同意")), (DISAGREE, _("不同意"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请阅读个人承诺并选择“同意”或“不同意”。")},
    )


class DeclarationForm(forms.Form):
    declaration_type = forms.ChoiceField(
        label=_("申报类型"),
        choices=DeclarationType.choices,
        initial=DeclarationType.TALENT_HUKOU,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申报类型。")},
    )
    # 申报条件 is a statement of the conditions (seed), shown under its heading, not a second tick box:
    # the applicant's confirmation that the answers are true is the 个人承诺 of step 1.


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("引进人才类别"),
        queryset=TalentCategory.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择引进人才类别。"),
            "invalid_choice": _("所选引进人才类别不存在。"),
        },
    )
    subcategory = forms.ModelChoiceField(
        label=_("引进人才具体类别"),
        queryset=TalentSubcategory.objects.select_related("category"),
        to_field_name="code",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择引进人才具体类别。"),
            "invalid_choice": _("所选具体类别不存在。"),
        },
    )

    def clean(self):
        data = super().clean()
        category, subcategory = data.get("category"), data.get("subcategory")
        if category and subcategory and subcategory.category_id != category.pk:
            self.add_error(
                "subcategory",
                gettext("请在“%(category)s”之下选择具体类别。") % {"category": category.label},
            )
        return data


# 学历 that need no 毕业学校 and 专业; any other 学历 needs both.
EDUCATION_WITHOUT_SCHOOL = (Education.NONE, Education.HIGH_SCHOOL)
SCHOOL_FIELDS = ("graduate_school", "major")

# Required whatever the category; labels come from the model.
_PERSONAL_REQUIRED = (
    "ethnicity",
    "marital_status",
    "education",
    "degree",
    "professional_title",
    "skill_qualification",
    "original_registry_office",
    "original_hukou_address",
    "district",
    "intended_address",
    "social_insurance_months",
    "contact_mobile",
)
_SELECTS = {
    "ethnicity": ETHNICITY_CHOICES,
    "marital_status": MaritalStatus.choices,
    "education": Education.choices,
    "degree": Degree.choices,
    "professional_title": ProfessionalTitle.choices,
    "skill_qualification": SkillLevel.choices,
    "gender": Gender.choices,
}


@functools.cache
def _select_choices(name: str, language: str | None) -> tuple[tuple[str, str], ...]:
    # Translated once per language and process (`language` is the active one, passed in to key
    # the cache): casting the lazy labels, 56 民族 among them, on every 个人信息 page cost about
    # 1 ms of its CPU (docs/performance.md, issue 15).
    return tuple((value, str(label)) for value, label in _choices(_SELECTS[name]))


_HELP = {
    "ethnicity": _("按户口簿填写。"),
    "education": _("填写最高学历；申报学历类（三）须为全日制本科。"),
    "degree": _("国（境）外学位须经教育部留学服务中心认证。"),
    "graduate_school": _("按毕业证书填写学校全称。"),
    "professional_title": _("没有职称的请选择“无”。"),
    "professional_title_name": _("如：工程师、高级会计师。"),
    "professional_qualification": _("如：注册会计师、一级建造师；没有的请填写“无”。"),
    "skill_qualification": _("国家职业资格等级；没有的请选择“无”。"),
    "skill_occupation": _("技能类人才填写，须列入《广州市引进技术技能人才职业目录》。"),
    "shortage_occupation": _("申报技能类（五）时填写；没有的请填写“无”。"),
    "position": _("在迁入单位担任的职务。"),
    "high_level_title": _("申报高层次、高技能人才时填写所获称号或荣誉的全称。"),
    "original_registry_office": _("户口簿首页“登记机关”，如：湖南省长沙市公安局岳麓分局。"),
    "original_hukou_address": _("户口簿首页“住址”。"),
    "district": _("迁入户口所属的区，由该区人力资源和社会保障局审核。"),
    "intended_address": _("入户所属区内的详细地址（单位集体户或本人房产地址）。"),
    "social_insurance_months": _("截至申报之日在广州市缴纳社会保险的月数；技能类人才须满6个月。"),
    "contact_mobile": MOBILE_HELP,  # + the SMS promise in PersonalForm, only when SMS is enabled
}


class _CachedDistricts(BaseChoiceIterator):
    # Lazy, as ModelChoiceIterator is: nothing is read when the form class is defined.
    def __init__(self, empty_label):
        self.empty_label = empty_label

    def __iter__(self):
        yield ("", self.empty_label)
        # The cached names are the fixtures' Chinese; shown in the page's language, as District's str.
        for pk, name in reference_lists()["districts"]:
            yield (pk, gettext(name))


class ReferenceDistrictField(forms.ModelChoiceField):
    """The 11 districts from the per-process reference cache (applications.reference), as the
    rows' districts are: drawing or checking the choice costs no query on the wizard's hot step."""

    def _get_choices(self):
        return _CachedDistricts(self.empty_label)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return reference_objects()["district"][int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class EmployerChoiceField(forms.ModelChoiceField):
    """迁入单位 by its public_id. The application's own employer, read with it (`current`), is
    taken as it is: a 下一步 that keeps the employer costs no look-up (an employer with
    applications cannot be deleted: on_delete=PROTECT). Any other value is looked up."""

    current: Employer | None = None

    def to_python(self, value):
        current = self.current
        if current is not None and value not in self.empty_values and str(value) == str(current.public_id):
            return current
        return super().to_python(value)


def _declared_select(name: str) -> forms.ChoiceField:
    # Declared without choices, which PersonalForm.__init__ gives in the page's language: every
    # form deep-copies its class's fields, and copying the model's choices (56 民族 among them) only
    # to replace them was a fifth of building the form on each 个人信息 page.
    return forms.ChoiceField(
        label=capfirst(Application._meta.get_field(name).verbose_name), required=False, widget=PlainSelect
    )


class PersonalForm(forms.ModelForm):
    """个人信息. 姓名 and 证件号码 are the account's; gender and birth date come from a 居民身份证."""

    gender = _declared_select("gender")
    ethnicity = _declared_select("ethnicity")
    marital_status = _declared_select("marital_status")
    education = _declared_select("education")
    degree = _declared_select("degree")
    professional_title = _declared_select("professional_title")
    skill_qualification = _declared_select("skill_qualification")

    employer = EmployerChoiceField(
        label=_("迁入单位"),
        queryset=Employer.objects.select_related("district"),
        to_field_name="public_id",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("请搜索并选择迁入单位。"),
            "invalid_choice": _("所选单位不存在，请重新搜索。"),
        },
    )
    employer_query = forms.CharField(
        label=_("搜索迁入单位"),
        required=False,
        max_length=60,
        help_text=_("输入单位名称中的关键字或统一社会信用代码，点击“搜索单位”。"),
    )
    district = ReferenceDistrictField(
        label=_("入户所属区"),
        queryset=District.objects.order_by("sort_order"),
        empty_label=_("—— 请选择 ——"),
        help_text=_HELP["district"],
        widget=PlainSelect,
    )
    social_insurance_months = forms.IntegerField(
        label=_("在穗社保缴费月数"),
        min_value=0,
        max_value=600,
        help_text=_HELP["social_insurance_months"],
        error_messages={
            "invalid": _("请填写整数月数，如：12。"),
            "min_value": _("月数不能为负数。"),
            "max_value": _("月数不能超过600。"),
        },
    )

    class Meta:
        model = Application
        # The step's answers as the service saves them; the 迁入单位 is chosen by search (below).
        fields = [name for name in PERSONAL_FIELDS if name != "employer"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, identity_from_number: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if identity_from_number:
            del self.fields["gender"]
            del self.fields["birth_date"]
        else:
            self.fields["gender"].required = True
            self.fields["birth_date"].required = True
            self.fields["birth_date"].help_text = _("该证件号码不含出生日期，请按证件填写。")
        language = get_language()
        for name in _SELECTS:
            if name in self.fields:
                self.fields[name].choices = _select_choices(name, language)
        for name in _PERSONAL_REQUIRED:
            self.fields[name].required = True
        for name, field in self.fields.items():
            if name in _HELP and not field.help_text:
                field.help_text = _HELP[name]
            if isinstance(field, forms.ChoiceField):
                required = gettext("请选择%(field)s。")
            else:
                required = gettext("请填写%(field)s。")
            field.error_messages["required"] = required % {"field": field.label}
        self.fields["employer"].error_messages["required"] = _("请搜索并选择迁入单位。")
        self.fields["contact_mobile"].validators.append(validate_mobile)
        if sms_enabled():  # SMS_BACKEND=none: no screen promises an SMS
            self.fields["contact_mobile"].help_text = MOBILE_HELP + _("审核结果将以短信通知。")
        if "birth_date" in self.fields:
            self.fields["birth_date"].validators.append(validate_birth_date)
        if self.instance.employer_id and not self.is_bound:
            self.initial["employer"] = self.instance.employer.public_id
        if self.instance.employer_id and Application.employer.is_cached(self.instance):
            self.fields["employer"].current = self.instance.employer
        # 毕业学校 and 专业 are required once a 学历 is chosen (clean() says so): their * follows the
        # 学历 shown, and applications.js moves it when the choice changes (data-school-required-unless).
        education = self._education_chosen()
        for name in SCHOOL_FIELDS:
            field = self.fields[name]
            field.required = education not in ("", *EDUCATION_WITHOUT_SCHOOL)
            field.error_messages["required"] = gettext("有学历的请填写%(field)s。") % {"field": field.label}
            field.widget.attrs["data-school-field"] = ""
        self.fields["education"].widget.attrs["data-school-required-unless"] = "|".join(
            ["", *EDUCATION_WITHOUT_SCHOOL]
        )

    def _get_validation_exclusions(self):
        # The 入户所属区 was found in the reference lists (ReferenceDistrictField); the model's own
        # foreign-key check would ask the database again whether that district exists.
        exclude = super()._get_validation_exclusions()
        exclude.add("district")
        return exclude

    def _education_chosen(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("education"), "")
        return self.initial.get("education") or self.instance.education or ""

    def clean(self):
        data = super().clean()
        higher = data.get("education") not in (None, "", *EDUCATION_WITHOUT_SCHOOL)
        for name in SCHOOL_FIELDS:
            if higher and not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(
                    name, gettext("有学历的请填写%(field)s。") % {"field": self.fields[name].label}
                )
        return data

    def saved_values(self) -> dict:
        """The answers that passed their checks (all of them when the form is valid), for the service."""
        data = getattr(self, "cleaned_data", {})
        return {
            name: value
            for name, value in data.items()
            if name != "employer_query" and name not in self.errors
        }


class AccompanyingPersonForm(forms.Form):
    """A 随迁人 is held to the applicant's own rules (accounts.validators), the very same functions;
    the service applies them again (applications.services.accompanying_person_add)."""

    full_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        validators=[validate_full_name],
        help_text=_("填写随迁人证件上的姓名。"),
        error_messages={"required": _("请填写随迁人姓名。"), "max_length": _("姓名不能超过50个字符。")},
    )
    relation = forms.ChoiceField(
        label=_("与申请人关系"),
        choices=_choices(Relation.choices),
        error_messages={
            "required": _("请选择与申请人的关系。"),
            "invalid_choice": _("请选择与申请人的关系。"),
        },
        help_text=_("配偶，或未满18周岁的子女。"),
    )
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
        error_messages={"required": _("请选择证件类型。"), "invalid_choice": _("请正确选择证件类型。")},
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=20,
        error_messages={"required": _("请填写证件号码。"), "max_length": _("证件号码不能超过20位。")},
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        validators=[validate_birth_date],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("证件号码不含出生日期时填写（如护照）。"),
        error_messages={"invalid": _("出生日期格式不正确，请按年-月-日填写，如2018-06-01。")},
    )

    # The 个人信息 step's choice list, lengths and hints for the same lines of the applicant.
    ethnicity = forms.ChoiceField(
        label=_("民族"),
        choices=_choices(ETHNICITY_CHOICES),
        help_text=_("按随迁人的户口簿或出生医学证明填写。"),
        error_messages={"required": _("请选择民族。"), "invalid_choice": _("请从列表中选择民族。")},
    )
    hukou_same_as_applicant = forms.BooleanField(
        label=_("与主迁人相同"),
        required=False,
        help_text=_(
            "随迁人与申请人同在一本户口簿上的，勾选后原户口登记机关、原户口所在地按申请人个人信息中的填写。"
        ),
    )
    original_registry_office = forms.CharField(
        label=_("原户口登记机关"),
        required=False,
        max_length=100,
        help_text=_HELP["original_registry_office"],
        error_messages={"max_length": _("原户口登记机关不能超过100个字符。")},
    )
    original_hukou_address = forms.CharField(
        label=_("原户口所在地"),
        required=False,
        max_length=200,
        help_text=_HELP["original_hukou_address"],
        error_messages={"max_length": _("原户口所在地不能超过200个字符。")},
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        data = super().clean()
        if not data.get("hukou_same_as_applicant"):
            for name in ("original_registry_office", "original_hukou_address"):
                if name not in self.errors and not (data.get(name) or "").strip():
                    self.add_error(
                        name,
                        gettext("请填写%(field)s，或选择“与主迁人相同”。")
                        % {"field": self.fields[name].label},
                    )
        return data


class AttachmentUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=AttachmentKind.choices)
    # Emptiness, type and size are judged by core.uploads.check_jpeg, with its own messages.
    file = forms.FileField(
        allow_empty_file=True,
        error_messages={"required": _("请先点击“浏览...”选择要上传的JPG图片，再点击“上传”。")},
    )


class LibraryChoiceForm(forms.Form):
    document = forms.UUIDField(error_messages={"required": _("请选择证件库中的图片。")})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("我已知悉：撤回后本次申报终止，如需申报须重新登记。"),
        error_messages={"required": _("请勾选确认后再撤回。")},
    )


class EmployerConfirmationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("在职情况"),
        choices=[("confirmed", _("确认该申请人在本单位在职")), ("disputed", _("对在职情况有异议"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择确认或有异议。")},
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("说明请控制在300字以内。")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "disputed" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("请说明对申请人在职情况的异议。"))
        return cleaned
