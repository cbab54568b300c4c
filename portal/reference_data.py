"""Reference data every installation has: districts, talent categories, the subsystem catalogue.

Loaded by data migrations and, idempotently, by the test fixtures after a transactional test
has flushed the tables. Sources: DESIGN.md §4–5 and the seed's 系统说明.
"""

from django.apps import apps as global_apps

# GB/T 2260 codes (DESIGN.md §5). Contact details only where the seed gives them (白云区).
DISTRICTS = [
    ("440103", "荔湾区", {}),
    ("440104", "越秀区", {}),
    ("440105", "海珠区", {}),
    ("440106", "天河区", {}),
    (
        "440111",
        "白云区",
        {
            "contact_address": "广州市白云区景泰街道白云大道南118号广州市白云区人力资源和社会保障局综合服务大厅7楼1-2号窗口",
            "contact_phone": "020-86555114",
            "contact_email": "rlzx@by.gov.cn",
        },
    ),
    ("440112", "黄埔区", {}),
    ("440113", "番禺区", {}),
    ("440114", "花都区", {}),
    ("440115", "南沙区", {}),
    ("440117", "从化区", {}),
    ("440118", "增城区", {}),
]

# (code, numeral, name, card label, quota-controlled, [(code, numeral, name, max_age)])
TALENT_CATEGORIES = [
    ("1", "一", "高层次、高技能人才", "高层次、高技能人才", False, [
        ("1.1", "（一）", "两院院士，或获得国务院政府特殊津贴、长江学者、中华技能大奖、全国技术能手、世界技能大赛奖牌等国家级荣誉或入选国家级人才项目的人员", None),
        ("1.2", "（二）", "入选省级人才项目的人员", None),
        ("1.3", "（三）", "获得广州市杰出专家等市级人才称号的人员（50周岁以下）", 50),
        ("1.4", "（四）", "获得劳动模范、广东省技术能手称号或市级职业技能竞赛获奖的人员（45周岁以下）", 45),
    ]),
    ("2", "二", "学历类人才", "学历类人才", False, [
        ("2.1", "（一）", "具有博士研究生学历或博士学位的人员（50周岁以下）", 50),
        ("2.2", "（二）", "具有硕士研究生学历或硕士学位的人员（45周岁以下）", 45),
        ("2.3", "（三）", "具有全日制本科学历并取得学士学位，或取得国（境）外学士学位的人员（40周岁以下）", 40),
    ]),
    ("3", "三", "职称类人才", "职称类人才", False, [
        ("3.1", "（一）", "具有高级职称的人员（50周岁以下）", 50),
        ("3.2", "（二）", "具有中级职称的人员（40周岁以下）", 40),
    ]),
    ("4", "四", "技能类人才", "技能类人才", False, [
        ("4.1", "（一）", "取得列入职业目录的专业技术人员职业资格的人员（40周岁以下）", 40),
        ("4.2", "（二）", "取得列入职业目录的高级技师职业资格的人员（45周岁以下）", 45),
        ("4.3", "（三）", "取得列入职业目录的技师职业资格的人员（40周岁以下）", 40),
        ("4.4", "（四）", "取得列入职业目录的高级工职业资格的人员（35周岁以下）", 35),
        ("4.5", "（五）", "取得产业发展急需的行业紧缺工种职业资格的人员（40周岁以下）", 40),
    ]),
    ("5", "五", "其他", "其他", True, [
        ("5.1", "（一）", "以薪酬、投资等市场化方式评价并经相关部门认定的，具有突出能力和贡献的创新创业人才", None),
        ("5.2", "（二）", "由于用人单位整体迁入、项目建设等原因，经省市政府同意，予以引进的人员", None),
        ("5.3", "（三）", "省直及中央驻穗用人单位引进特殊需要的人员", None),
        ("5.4", "（四）", "我市重点扶持的企业、项目单位、社会组织等用人单位的中高级管理人员、技术骨干、紧缺急需人员", None),
        ("5.5", "（五）", "本市国家机关和事业单位引进特殊需要的人员", None),
    ]),
]  # fmt: skip

TALENT_SUBSYSTEM_SLUG = "talent-introduction"

# The seed's 系统说明, in its order. Only the 人才引进申办系统 is provided by this installation.
SUBSYSTEMS = [
    ("civil-servant", "公务员管理系统"),
    ("public-institution", "事业单位人员管理系统"),
    ("ce-info", "专业技术人员继续教育信息系统"),
    ("ce-teaching", "专业技术人员继续教育网上教学系统"),
    ("ce-exam", "专业技术人员继续教育网上考试系统"),
    ("title-review", "专业技术资格评审系统"),
    ("title-exam", "专业技术资格考试系统"),
    ("high-level-talent", "高层次人才系统"),
    ("overseas-students", "留学人员信息系统"),
    ("foreign-experts", "外国专家信息系统"),
    ("talent-market", "人才市场与人才中介行业协会管理系统"),
    ("graduate-reception", "高校毕业生接收申办系统"),
    (TALENT_SUBSYSTEM_SLUG, "人才引进申办系统"),
    ("gz-graduates", "广州生源毕业生管理系统"),
    ("graduate-archives", "高校毕业生档案管理系统"),
    ("internship", "就业见习管理系统"),
    ("living-allowance", "临时生活补贴管理系统"),
    ("graduate-job-search", "高校毕业生个人求职系统"),
    ("graduate-recruitment", "高校毕业生单位招聘系统"),
    ("military-family", "随军家属安置管理系统"),
    ("education-verification", "学历鉴定管理系统"),
    ("hukou-card-admin", "入户卡管理系统"),
    ("job-fair", "招聘会管理系统"),
    ("statistics-enterprise", "人事人才综合统计分析系统（事业及企业部分）"),
    ("statistics-wages", "人事人才综合统计分析系统（工资部分）"),
    ("data-exchange", "数据交换中心"),
    ("talent-pool", "人才资源库"),
    ("app-security", "应用安全基础平台"),
]

TALENT_SUBSYSTEM_DESCRIPTION = "引进人才入户（含总量控制类）网上申报、审核进度查询、入户信息卡下载"


def load_reference_data(apps=None) -> None:
    """Create or update the reference rows. Safe to run any number of times."""
    apps = apps or global_apps
    District = apps.get_model("portal", "District")
    Subsystem = apps.get_model("portal", "Subsystem")
    TalentCategory = apps.get_model("applications", "TalentCategory")
    TalentSubcategory = apps.get_model("applications", "TalentSubcategory")

    for order, (code, name, contact) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order, **contact})

    for code, numeral, name, card_label, quota, subcategories in TALENT_CATEGORIES:
        category, _ = TalentCategory.objects.update_or_create(
            code=code,
            defaults={
                "numeral": numeral,
                "name": name,
                "card_label": card_label,
                "is_quota_controlled": quota,
            },
        )
        for order, (sub_code, sub_numeral, sub_name, max_age) in enumerate(subcategories, start=1):
            TalentSubcategory.objects.update_or_create(
                code=sub_code,
                defaults={
                    "category": category,
                    "numeral": sub_numeral,
                    "name": sub_name,
                    "max_age": max_age,
                    "sort_order": order,
                },
            )

    for order, (slug, name) in enumerate(SUBSYSTEMS, start=1):
        provided = slug == TALENT_SUBSYSTEM_SLUG
        Subsystem.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "sort_order": order,
                "is_provided": provided,
                "entry_url_name": "applications:home" if provided else "",
                "description": TALENT_SUBSYSTEM_DESCRIPTION
                if provided
                else "本安装未提供该系统，请通过广州市人力资源和社会保障局相关渠道办理。",
            },
        )


def reference_data_present() -> bool:
    District = global_apps.get_model("portal", "District")
    TalentSubcategory = global_apps.get_model("applications", "TalentSubcategory")
    return District.objects.count() == len(DISTRICTS) and TalentSubcategory.objects.exists()
