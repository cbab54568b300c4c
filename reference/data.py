"""Reference data every installation has: districts, talent categories, the subsystem catalogue
and the content pages (政策依据, 业务办理指南, 政策问答) of the 人才引进申办系统.

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


def _reference_model(apps, name: str):
    # applications' data migration 0002 runs this with the historical models of its time, when the
    # portal app held District, Subsystem and ContentPage; later ones and the tests find them in reference.
    try:
        return apps.get_model("reference", name)
    except LookupError:
        return apps.get_model("portal", name)


def load_reference_data(apps=None) -> None:
    """Create or update the reference rows. Safe to run any number of times."""
    apps = apps or global_apps
    District = _reference_model(apps, "District")
    Subsystem = _reference_model(apps, "Subsystem")
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

    load_content_pages(apps)


def reference_data_present() -> bool:
    District = global_apps.get_model("reference", "District")
    TalentSubcategory = global_apps.get_model("applications", "TalentSubcategory")
    ContentPage = global_apps.get_model("reference", "ContentPage")
    return (
        District.objects.count() == len(DISTRICTS)
        and TalentSubcategory.objects.exists()
        and ContentPage.objects.count() >= len(CONTENT_PAGES)
    )


# --- Content pages of the 人才引进申办系统 home (政策依据, 业务办理指南, 政策问答) -------------------------
# Summaries in our own words from DESIGN.md §3–5 and the seed; each names its official document and
# says it is a summary. No article numbers are given except 第十一条, which the seed itself quotes.

_MEASURES = "《广州市引进人才入户管理办法》（穗府办规〔2020〕10号）"
_RULES = "《广州市引进人才入户管理办法实施细则》（穗人社规字〔2022〕2号）"


def _summary_note(source: str) -> str:
    return (
        '<p class="summary-note">本页是根据' + source + "整理的摘要，仅供办事参考，"
        "不是文件原文；办理时以正式发布的文件原文和受理部门的解释为准。</p>"
    )


_CATEGORY_TABLE = """
<table class="table table-sm table-bordered table-gov align-middle">
<thead><tr><th scope="col">引进人才类别</th><th scope="col">主要条件（年龄按提交申报当日计算）</th></tr></thead>
<tbody>
<tr><th scope="row">一、高层次、高技能人才</th><td>两院院士，获国务院政府特殊津贴、长江学者、中华技能大奖、全国技术能手、世界技能大赛奖牌等国家级荣誉或入选国家级人才项目的人员，以及入选省级人才项目的人员，不限年龄；获广州市杰出专家等市级人才称号的，50周岁以下；获劳动模范、广东省技术能手称号或市级职业技能竞赛获奖的，45周岁以下。</td></tr>
<tr><th scope="row">二、学历类人才</th><td>博士研究生学历或博士学位，50周岁以下；硕士研究生学历或硕士学位，45周岁以下；全日制本科学历并取得学士学位，或取得国（境）外学士学位，40周岁以下。</td></tr>
<tr><th scope="row">三、职称类人才</th><td>高级职称，50周岁以下；中级职称，40周岁以下。</td></tr>
<tr><th scope="row">四、技能类人才</th><td>所持职业资格对应的职业列入《广州市引进技术技能人才职业目录》，且取得证书后在广州缴纳社会保险满6个月：专业技术人员职业资格，40周岁以下；高级技师，45周岁以下；技师，40周岁以下；高级工，35周岁以下；产业发展急需的行业紧缺工种，40周岁以下。</td></tr>
<tr><th scope="row">五、其他（总量控制类）</th><td>（一）以薪酬、投资等市场化方式评价并经相关部门认定的创新创业人才；（二）因用人单位整体迁入、项目建设等原因经省市政府同意引进的人员；（三）省直及中央驻穗用人单位引进特殊需要的人员；（四）我市重点扶持的企业、项目单位、社会组织等用人单位的中高级管理人员、技术骨干、紧缺急需人员；（五）本市国家机关和事业单位引进特殊需要的人员。该类别纳入年度总量控制，占用当年指标。</td></tr>
</tbody>
</table>
"""

_PROCESS = (
    '<ol class="process-steps">'
    "<li>个人网上申报：登录广州市人事电子政务系统，在人才引进申办系统填写“人才引进申办个人登记”并上传材料；</li>"
    "<li>区人力资源社会保障局审核：入户所属区的人社局受理并审核，材料不全的退回补正；</li>"
    "<li>网上公示：审核通过的，在网上公示5个工作日；</li>"
    "<li>公布、核发电子入户信息卡：公示无异议的，核发广州市入户人员信息卡；</li>"
    "<li>申请人登录个人帐号下载电子版入户信息卡；</li>"
    "<li>申请人在有效期内到入户地公安部门办理入户手续。</li>"
    "</ol>"
)

_ATTACHMENTS = """
<ul>
<li>所有申请人：本人身份证、户口簿；</li>
<li>学历类人才：学历证书、学位证书及其网上查询（认证）报告；</li>
<li>职称类人才：专业技术资格（职称）证书及发证机关的网上查询、确认或核验材料；</li>
<li>技能类人才：职业资格证书及其网上查询证明；</li>
<li>高层次、高技能人才：相应荣誉、称号或人才项目的证明材料；</li>
<li>五、其他（总量控制类）：单位引进报告；</li>
<li>配偶、子女随迁的：配偶身份证、户口簿，子女户口簿或出生医学证明等。</li>
</ul>
<p>材料须为原件的彩色清晰扫描件或照片，格式为JPG，每个文件500KB以下。</p>
"""

CONTENT_PAGES = [
    # ---- 政策依据 ----
    {
        "slug": "policy-population-2018",
        "section": "policy",
        "sort_order": 1,
        "title": "《广州市人民政府印发关于加强我市人口调控和服务管理工作的意见》",
        "document_number": "穗府〔2018〕14号",
        "is_new": False,
        "body": _summary_note(
            "《广州市人民政府印发关于加强我市人口调控和服务管理工作的意见》（穗府〔2018〕14号）"
        )
        + """
<h3>文件定位</h3>
<p>这是广州市人民政府关于人口调控和服务管理的综合性文件，明确了全市人口规模、结构调控和公共服务管理的总体方向。户籍迁入政策是其中的重要内容：通过人才引进、积分制等渠道，有序引导人才和符合条件的人员落户广州。</p>
<h3>与人才引进入户的关系</h3>
<p>该意见提出方向，不直接规定具体的申报条件。人才引进入户的具体条件和程序，由后续发布的规范性文件规定：</p>
<ul>
<li>《广州市户籍迁入管理规定》（穗府规〔2020〕6号）：全市户籍迁入的总体规定；</li>
<li>《广州市引进人才入户管理办法》（穗府办规〔2020〕10号）：引进人才入户的类别和条件；</li>
<li>《广州市引进人才入户管理办法实施细则》（穗人社规字〔2022〕2号）：申报、审核、公示和发卡的具体操作。</li>
</ul>
<p>申请人判断自己是否符合条件，应以上述办法和实施细则为准。</p>
""",
    },
    {
        "slug": "policy-hukou-2020",
        "section": "policy",
        "sort_order": 2,
        "title": "广州市人民政府关于印发广州市户籍迁入管理规定的通知",
        "document_number": "穗府规〔2020〕6号",
        "is_new": False,
        "body": _summary_note("《广州市户籍迁入管理规定》（穗府规〔2020〕6号）")
        + """
<h3>文件定位</h3>
<p>《广州市户籍迁入管理规定》是本市户籍迁入的总体规定，明确了人员迁入广州户籍的各类途径及其管理原则，包括引进人才入户、积分制入户以及投靠、政策性迁入等。</p>
<h3>引进人才入户</h3>
<p>规定将“引进人才入户”作为户籍迁入的一个类别，具体的人才类别、条件和办理程序由市政府另行制定的《广州市引进人才入户管理办法》（穗府办规〔2020〕10号）及其实施细则规定。人才引进申办系统办理的就是这一类别的入户申请。</p>
<h3>办理要点</h3>
<ul>
<li>人才引进入户由市人力资源社会保障部门统筹，入户所属区的人力资源社会保障局受理审核；</li>
<li>审核通过、公示无异议后核发入户信息卡，申请人凭卡到公安部门办理户口迁入手续；</li>
<li>其他户籍迁入途径（如积分制入户、投靠等）不通过本系统办理。</li>
</ul>
""",
    },
    {
        "slug": "policy-talent-measures-2020",
        "section": "policy",
        "sort_order": 3,
        "title": "广州市人民政府办公厅关于印发广州市引进人才入户管理办法的通知",
        "document_number": "穗府办规〔2020〕10号",
        "is_new": False,
        "body": _summary_note(_MEASURES)
        + """
<h3>适用对象</h3>
<p>在广州就业的人才：与本市用人单位签订劳动合同并在本市缴纳社会保险，或在本市创办企业的出资人。申请人的配偶和未满18周岁的子女可以随迁。</p>
<h3>引进人才类别</h3>
"""
        + _CATEGORY_TABLE
        + """
<h3>总量控制</h3>
<p>“五、其他”类人才实行年度总量控制：市每年确定总量控制类入户指标并分配到各区（五（四）类可分配到重点扶持的用人单位）。审核通过进入公示时预占一个指标，审核不通过时释放，核发入户信息卡后使用。</p>
<h3>诚信要求（第十一条）</h3>
<p>申请人应书面承诺所提供的申请材料真实有效。经查实有虚假承诺，或存在隐瞒、欺骗、提供虚假证明材料等情形的，申请不予办理，取消其申请资格5年，并录入个人信用记录；已通过审核的，注销审核结果和入户卡；已经入户的，由公安机关注销户口，退回原籍。</p>
""",
    },
    {
        "slug": "policy-implementation-rules-2022",
        "section": "policy",
        "sort_order": 4,
        "title": "《广州市人力资源和社会保障局 广州市公安局关于印发广州市引进人才入户管理办法实施细则的通知》",
        "document_number": "穗人社规字〔2022〕2号",
        "is_new": True,
        "body": _summary_note(_RULES)
        + """
<h3>文件定位</h3>
<p>实施细则由广州市人力资源和社会保障局、广州市公安局联合印发，是对《广州市引进人才入户管理办法》（穗府办规〔2020〕10号）的操作性规定，明确了申报、受理、审核、公示、发卡和办理入户手续的具体程序与材料要求。</p>
<h3>申报与审核程序</h3>
"""
        + _PROCESS
        + """
<h3>办理时限（工作日，节假日和调休按国家规定计算）</h3>
<ul>
<li>区人社局在收到申报后5个工作日内受理或一次性告知需补正的全部材料；</li>
<li>受理后15个工作日内作出审核决定，情况复杂的可延长10个工作日；</li>
<li>公示期为5个工作日，公示申请人姓名、迁入单位、审批单位和公示起止日期；</li>
<li>公示期间收到异议的，在20个工作日内核查处理。</li>
</ul>
<h3>入户信息卡</h3>
<p>广州市入户人员信息卡自签发之日起90天内有效，须加盖电子专用章才有效。逾期未办理入户手续的，入户卡及随迁人入户卡一并作废；总量控制类申请人视同放弃本年度指标。主迁人注销入户卡时，随迁人的入户卡一并注销。</p>
<h3>申报材料</h3>
"""
        + _ATTACHMENTS,
    },
    {
        "slug": "policy-occupation-catalogue-2019",
        "section": "policy",
        "sort_order": 5,
        "title": "《广州市人力资源和社会保障局关于印发广州市引进技术技能人才职业目录（2019年）的通知》",
        "document_number": "",
        "is_new": False,
        "body": _summary_note(
            "《广州市引进技术技能人才职业目录（2019年）》（广州市人力资源和社会保障局印发）"
        )
        + """
<h3>目录的作用</h3>
<p>职业目录列明了本市引进技术技能人才所认可的职业（工种）。按“四、技能类人才”申报的，所持职业资格证书对应的职业须列入该目录，否则不能按技能类人才申报。</p>
<h3>与申报条件的关系</h3>
<ul>
<li>专业技术人员职业资格：40周岁以下；</li>
<li>高级技师：45周岁以下；技师：40周岁以下；高级工：35周岁以下；</li>
<li>产业发展急需的行业紧缺工种：40周岁以下；</li>
<li>取得证书后须在广州缴纳社会保险满6个月。</li>
</ul>
<h3>如何核对</h3>
<p>请对照职业目录原文核对证书上的职业（工种）名称和等级；证书须能在发证机关网站查询，申报时同时上传证书和网上查询证明。目录的具体职业名称请查阅广州市人力资源和社会保障局发布的文件原文。</p>
""",
    },
    # ---- 业务办理指南 ----
    {
        "slug": "guide-in-service",
        "section": "guide",
        "sort_order": 1,
        "title": "《引进在职人才入户申办指南》",
        "document_number": "",
        "is_new": False,
        "body": _summary_note(_MEASURES + "及" + _RULES)
        + """
<h3>一、谁可以申请</h3>
<p>在广州工作的在职人才：与本市用人单位签订劳动合同并由该单位在本市缴纳社会保险，或在本市创办企业的出资人，且符合下列引进人才类别之一。年龄计算到提交申报当日。</p>
"""
        + _CATEGORY_TABLE
        + """
<h3>二、办理流程</h3>
"""
        + _PROCESS
        + """
<h3>三、需要准备的材料</h3>
"""
        + _ATTACHMENTS
        + """
<h3>四、办理时限</h3>
<p>区人社局5个工作日内受理或告知补正，受理后15个工作日内审核（可延长10个工作日）；审核通过后公示5个工作日。入户信息卡自签发之日起90天内有效，请在有效期内到公安部门办理入户手续。</p>
<h3>五、随迁人员</h3>
<p>配偶和未满18周岁的子女可随迁，申报时在“随迁人”中填写并上传其身份证明材料。</p>
""",
    },
    {
        "slug": "guide-faq",
        "section": "guide",
        "sort_order": 2,
        "title": "人才引进申办系统常见问题",
        "document_number": "",
        "is_new": True,
        "body": _summary_note("本系统的办理规则及" + _MEASURES + "、" + _RULES)
        + """
<dl class="faq">
<dt>1. 一个人可以注册几个帐号？</dt>
<dd>本系统实行实名制，每个证件号码只能注册一个帐号。如提示证件号码已注册，说明您以前注册过，请使用“忘记密码”通过注册邮箱重置密码。</dd>
<dt>2. 登录时提示“用户名或密码错误”，多次输错后被锁定怎么办？</dt>
<dd>连续输错5次后，帐号将暂时锁定，页面会显示需要等待的时间；锁定期满即可再次登录。也可以用注册邮箱重置密码，重置成功后锁定随即解除。</dd>
<dt>3. 注册后在门户里看不到人才引进申办系统？</dt>
<dd>请在门户点击“添加应用”，在列表中找到“人才引进申办系统”并点击“添加”，之后即可从“我的应用”进入。</dd>
<dt>4. 上传附件有什么要求？</dt>
<dd>只接受JPG格式的图片，每个文件不超过500KB，须为原件的彩色清晰扫描件或照片。PNG、PDF等文件改扩展名后也无法通过检查，请用扫描软件或手机另存为JPG。</dd>
<dt>5. 填到一半可以先退出吗？</dt>
<dd>可以。申报按步骤保存草稿，下次登录后从“人才引进申办个人登记”继续填写。较长时间未操作系统会自动退出，退出前会弹出提醒。</dd>
<dt>6. 申报被“退回补正”了怎么办？</dt>
<dd>区人社局会一次性列明需要补正的全部事项。请按要求修改或补充材料后重新提交，已上传且无需修改的附件会保留。</dd>
<dt>7. 在哪里查看办理进度？</dt>
<dd>进入人才引进申办系统，点击“人才引进入户手续办理情况”，可查看当前状态和每一步的处理时间；状态变化时系统也会以邮件通知您。</dd>
<dt>8. 审核通过后如何拿到入户信息卡？</dt>
<dd>公示期满无异议的，系统核发电子入户信息卡。登录后在“人才引进入户手续办理情况”下载加盖电子专用章的PDF，打印后在有效期（90天）内到入户地的公安部门办理入户手续。</dd>
<dt>9. 不想入户了怎么办？</dt>
<dd>可申请放弃入户，注销入户信息卡。注意：注销主迁人的入户卡时，随迁人的入户卡将一并注销。</dd>
<dt>10. 单位名称搜索不到怎么办？</dt>
<dd>请参阅<a href="/pages/guide-employer-not-found/">搜索不到单位名称操作指引</a>。</dd>
<dt>11. 技术问题找谁？</dt>
<dd>系统技术支持邮箱已由hrssgz@gzpi.gov.cn改为：hrssgz@gz.gov.cn。政策问题请咨询入户所属区的人力资源和社会保障局。</dd>
</dl>
""",
    },
    {
        "slug": "guide-operation",
        "section": "guide",
        "sort_order": 3,
        "title": "广州市人才引进操作指引",
        "document_number": "",
        "is_new": True,
        "body": _summary_note("本系统的操作流程及" + _RULES)
        + """
<h3>第一步：注册个人帐号</h3>
<p>在登录页点击“个人用户注册”，依次完成：1. 确认服务协议 → 2. 填写帐号信息 → 3. 申请应用系统 → 4. 注册成功。帐号信息须使用本人真实姓名和证件号码。</p>
<h3>第二步：登录并添加应用</h3>
<p>用户类型选择“个人”，输入用户名、密码和验证码登录。在门户点击“添加应用”，添加“人才引进申办系统”。</p>
<h3>第三步：人才引进申办个人登记</h3>
<ol>
<li>个人承诺：认真阅读承诺内容，选择“同意”；</li>
<li>申报类型：引进人才入户类；确认符合申报条件；</li>
<li>引进人才类别和具体类别：按本人条件选择（见<a href="/pages/guide-declaration/">广州市人才引进申报办理指引</a>）；</li>
<li>个人信息：性别和出生日期根据身份证号码自动生成；搜索选择迁入单位，选择入户所属区并填写拟入户地址；</li>
<li>随迁人：配偶和未满18周岁的子女随迁的，逐一填写；</li>
<li>附件上传：按提示上传JPG格式、500KB以下的材料，可从证件库选用以前上传过的图片；</li>
<li>检查无误后提交。</li>
</ol>
<h3>第四步：跟踪办理进度</h3>
<p>在“人才引进入户手续办理情况”查看受理、审核、公示和发卡进度；被退回补正的，按要求修改后重新提交。</p>
<h3>第五步：下载入户卡、办理入户</h3>
<p>核发后下载电子入户信息卡并打印，在有效期内到公安部门办理入户手续。</p>
""",
    },
    {
        "slug": "guide-employer-admin",
        "section": "guide",
        "sort_order": 4,
        "title": "申请和取消法人单位管理员权限操作指引",
        "document_number": "",
        "is_new": False,
        "body": _summary_note("本系统“单位系统管理员权限申请”的操作规则")
        + """
<h3>什么是单位系统管理员</h3>
<p>单位系统管理员由法人单位指定的经办人担任，可以查看本单位作为迁入单位的人才引进申报，确认申请人是否确在本单位工作。单位的确认供区人社局审核参考。</p>
<h3>申请权限</h3>
<ol>
<li>经办人先注册为个人用户（登录页“个人用户注册”）；</li>
<li>以“个人”用户类型登录，点击登录页或门户中的“单位系统管理员权限申请”；</li>
<li>按单位名称或统一社会信用代码搜索并选择单位；搜索不到的，在“登记新单位”中填写单位名称、18位统一社会信用代码和所在区；</li>
<li>上传单位营业执照（或法人登记证书）的彩色扫描件，JPG格式、500KB以下，勾选承诺后提交；</li>
<li>市人社局审核后，结果以邮件通知，也可在“我的单位管理员权限”中查看。</li>
</ol>
<h3>使用权限</h3>
<p>获批后，在登录页选择用户类型“单位”登录，即进入本单位的管理页面。</p>
<h3>取消权限</h3>
<p>经办人变动或不再负责时，请登录后进入“我的单位管理员权限”，对该单位点击“取消权限”。待审核的申请也可以同样撤回。市人社局发现权限不再适当的，也可以取消并说明理由。取消后需要时可重新申请。</p>
""",
    },
    {
        "slug": "guide-employer-not-found",
        "section": "guide",
        "sort_order": 5,
        "title": "搜索不到单位名称操作指引",
        "document_number": "",
        "is_new": False,
        "body": _summary_note("本系统迁入单位搜索的使用规则")
        + """
<h3>先检查搜索方式</h3>
<ul>
<li>单位名称须与营业执照上的名称一致，可以只输入其中的关键字，如“天河软件”；</li>
<li>也可以输入统一社会信用代码的开头部分（18位，见营业执照）；</li>
<li>注意全角、半角括号和错别字，可减少关键字再试。</li>
</ul>
<h3>仍然搜索不到</h3>
<p>说明该单位尚未在系统中登记。请单位的经办人按<a href="/pages/guide-employer-admin/">申请和取消法人单位管理员权限操作指引</a>申请单位系统管理员权限：申请时在“登记新单位”中填写单位名称、统一社会信用代码和所在区，单位即登记到系统，其他申请人随即可以搜索到。</p>
<p>统一社会信用代码由系统按国家标准（GB 32100）校验，校验不通过的请核对营业执照后重新填写。</p>
<h3>登记后</h3>
<p>回到申报的“迁入单位”处重新搜索并选择该单位，继续填写申报。</p>
""",
    },
    {
        "slug": "guide-reapplication",
        "section": "guide",
        "sort_order": 6,
        "title": "如何开通再次申报权限指引",
        "document_number": "",
        "is_new": False,
        "body": _summary_note("本系统的再次申报规则及" + _RULES)
        + """
<h3>什么情况下需要开通</h3>
<p>同一年度内申报被审核不通过（不予通过）的，不能直接再提交新的申报。需由入户所属区的人力资源和社会保障局审核员为您开通“再次申报权限”后，才能在同一年度再次提交。</p>
<h3>如何申请开通</h3>
<ol>
<li>在“人才引进入户手续办理情况”查看不予通过的理由，确认问题已经解决（如补齐了条件或材料）；</li>
<li>联系入户所属区的人力资源和社会保障局，说明情况并申请开通再次申报权限；</li>
<li>区人社局审核员在系统中为您开通后，您即可重新填写并提交申报。</li>
</ol>
<h3>不能开通的情形</h3>
<p>因提供虚假材料被取消申请资格的（《广州市引进人才入户管理办法》第十一条：取消申请资格5年），在限制期内不能再次申报。</p>
<h3>联系方式示例</h3>
<p>白云区人力资源和社会保障局：广州市白云区景泰街道白云大道南118号白云区人力资源和社会保障局综合服务大厅7楼1-2号窗口，电话020-86555114，邮箱rlzx@by.gov.cn。其他区请咨询各区人力资源和社会保障局。</p>
""",
    },
    # ---- 政策问答 ----
    {
        "slug": "qa-implementation-rules",
        "section": "qa",
        "sort_order": 1,
        "title": "关于《广州市引进人才入户管理办法实施细则》的政策解读",
        "document_number": "",
        "is_new": True,
        "body": _summary_note(_RULES + "及" + _MEASURES)
        + """
<dl class="faq">
<dt>问：实施细则是什么文件？</dt>
<dd>答：由广州市人力资源和社会保障局、广州市公安局联合印发（穗人社规字〔2022〕2号），对《广州市引进人才入户管理办法》（穗府办规〔2020〕10号）的申报、审核、公示、发卡和入户手续作出具体规定。</dd>
<dt>问：年龄条件按哪一天计算？</dt>
<dd>答：按提交申报当日计算。例如硕士研究生须在提交申报当日未满46周岁（即45周岁以下）。</dd>
<dt>问：必须在广州工作吗？</dt>
<dd>答：是。申请人须与本市用人单位签订劳动合同并在本市缴纳社会保险，或是在本市创办企业的出资人。</dd>
<dt>问：技能类人才有什么特别要求？</dt>
<dd>答：所持职业资格对应的职业须列入《广州市引进技术技能人才职业目录》，且取得证书后须在广州缴纳社会保险满6个月。</dd>
<dt>问：“五、其他”类为什么叫总量控制类？</dt>
<dd>答：该类人才占用市每年确定并分配到各区的总量控制指标。审核通过进入公示时预占指标，不通过时释放，核发入户卡后使用；当年指标用完时，该类申请暂不能审核通过。</dd>
<dt>问：哪些家属可以随迁？</dt>
<dd>答：配偶和未满18周岁的子女。</dd>
<dt>问：审核要多长时间？</dt>
<dd>答：区人社局5个工作日内受理或一次性告知补正，受理后15个工作日内审核（可延长10个工作日），审核通过后公示5个工作日；公示期间有异议的，20个工作日内核查处理。</dd>
<dt>问：入户信息卡有效期多久？</dt>
<dd>答：自签发之日起90天。逾期未办理入户手续的，本卡及随迁人入户卡作废，总量控制类申请人视同放弃本年度指标，不予重新申请。</dd>
<dt>问：提供虚假材料有什么后果？</dt>
<dd>答：依照办法第十一条，申请不予办理，取消申请资格5年并录入个人信用记录；已入户的由公安机关注销户口，退回原籍。</dd>
</dl>
""",
    },
    # ---- 帮助 (linked from the 申报 wizard, not listed on the home page) ----
    {
        "slug": "guide-declaration",
        "section": "help",
        "sort_order": 1,
        "title": "广州市人才引进申报办理指引",
        "document_number": "",
        "is_new": False,
        "body": _summary_note(_MEASURES + "及" + _RULES)
        + """
<h3>申报条件</h3>
<p>申报类型为“引进人才入户类”，须符合《广州市人民政府办公厅关于印发广州市引进人才入户管理办法的通知》（穗府办规〔2020〕10号）及相关实施细则。申请人须在广州就业（签订劳动合同并在本市缴纳社会保险）或是在本市创办企业的出资人。</p>
<h3>如何选择引进人才类别</h3>
<p>按本人最符合的条件选择一个类别和具体类别；年龄按提交申报当日计算。</p>
"""
        + _CATEGORY_TABLE
        + """
<h3>示例</h3>
<p>在本市重点扶持企业担任技术骨干的申请人：引进人才类别选择“五、其他”，具体类别选择“（四）”，并上传单位引进报告。</p>
<h3>各类别需上传的材料</h3>
"""
        + _ATTACHMENTS,
    },
]


def load_content_pages(apps=None) -> None:
    """Create the content pages that are missing. Existing pages are left alone: the city
    administrator may have edited them in the admin, and a data migration and `load_demo` (development,
    demonstrations) both run this."""
    apps = apps or global_apps
    ContentPage = _reference_model(apps, "ContentPage")
    for page in CONTENT_PAGES:
        ContentPage.objects.get_or_create(
            slug=page["slug"], defaults={k: v for k, v in page.items() if k != "slug"}
        )
