"""The policy's numbers and sets, in one place: every package that applies them imports them from here.

The sources are the 广州市引进人才入户管理办法 (办法) and its 实施细则; DESIGN.md §3-§4 tells the
life they govern.
"""

from applications.choices import MaritalStatus, Status

# 实施细则: the district accepts or returns a submission within 5 working days, decides within 15
# (extendable once by 10); the notice lasts 5 working days; an objection is settled within 20.
ACCEPT_WORKING_DAYS = 5
DECISION_WORKING_DAYS = 15
DECISION_EXTENSION_WORKING_DAYS = 10
NOTICE_WORKING_DAYS = 5
OBJECTION_WORKING_DAYS = 20

# 办法 第十一条: 取消其申请资格5年.
BAR_YEARS = 5

# States in which the applicant has an application "in hand": only one may exist at a time.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.IN_NOTICE)
# States in which the applicant may edit answers and attachments.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# An employer administrator may answer while the application is still being handled.
EMPLOYER_ANSWERABLE_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.IN_NOTICE)

# Only a married applicant brings a spouse (随迁配偶).
SPOUSE_NEEDS_MARITAL_STATUS = MaritalStatus.MARRIED

# The 申报表 PDF is a record of what was submitted. While returned for correction the answers are
# being changed, so the record waits for the resubmission; a withdrawn application may have been
# changed after its return, so it has none either.
FORM_PDF_STATUSES = (
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.IN_NOTICE,
    Status.PUBLISHED,
    Status.REJECTED,
)
# 政务服务好差评: the applicant rates the handling once it has ended in a decision (card issued or rejected).
RATEABLE_STATUSES = (Status.PUBLISHED, Status.REJECTED)
