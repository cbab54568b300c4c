"""The 人才引进信息登记 wizard's steps and which of them an application has done. Pure, no queries
beyond what the caller passes in."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    label: str  # lazy: shown in the page's language
    title: str


STEPS: tuple[Step, ...] = (
    Step(1, "commitment", _("个人承诺"), _("个人承诺")),
    Step(2, "declaration", _("申报类型"), _("申报类型与申报条件")),
    Step(3, "category", _("引进人才类别"), _("引进人才类别")),  # the seed's own words, in the step bar too
    Step(4, "personal", _("个人信息"), _("个人信息")),
    Step(5, "family", _("随迁人"), _("随迁人员")),
    Step(6, "attachments", _("附件上传"), _("附件上传")),
    Step(7, "confirm", _("确认提交"), _("确认信息并提交")),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
# Steps whose completion is recorded in Application.completed_steps (7 is the submission itself).
RECORDED_STEPS = tuple(step.slug for step in STEPS[:-1])


@dataclass(frozen=True)
class StepState:
    step: Step
    done: bool
    reachable: bool
    current: bool


def done_steps(application, *, attachments_missing: bool) -> set[str]:
    """The recorded steps, except that 附件上传 counts as done only while nothing required is missing
    (a later change of category or 随迁人 can make more attachments necessary)."""
    done = set(application.completed_steps or ()) & set(RECORDED_STEPS)
    if application.commitment_accepted_at is None:
        done.discard("commitment")
    if attachments_missing:
        done.discard("attachments")
    return done


def step_states(application, *, current: str, attachments_missing: bool) -> list[StepState]:
    """A step can be opened when every step before it is done (个人承诺 first: 不同意 stops here)."""
    done = done_steps(application, attachments_missing=attachments_missing)
    states, all_before_done = [], True
    for step in STEPS:
        is_done = step.slug in done
        states.append(
            StepState(step=step, done=is_done, reachable=all_before_done, current=step.slug == current)
        )
        all_before_done = all_before_done and is_done
    return states


def first_open_step(application, *, attachments_missing: bool) -> str:
    done = done_steps(application, attachments_missing=attachments_missing)
    for step in STEPS:
        if step.slug not in done:
            return step.slug
    return STEPS[-1].slug


def is_reachable(application, slug: str, *, attachments_missing: bool) -> bool:
    done = done_steps(application, attachments_missing=attachments_missing)
    before = [step.slug for step in STEPS if step.number < STEP_BY_SLUG[slug].number]
    return all(name in done for name in before)


def reaching_needs_attachments(slug: str) -> bool:
    """Whether is_reachable(slug) depends on attachments_missing: only for the steps after 附件上传,
    the only step whose done-ness the attachments decide."""
    return STEP_BY_SLUG[slug].number > STEP_BY_SLUG["attachments"].number


def next_step(slug: str) -> str:
    number = STEP_BY_SLUG[slug].number
    return STEPS[min(number, len(STEPS) - 1)].slug


def previous_step(slug: str) -> str:
    number = STEP_BY_SLUG[slug].number
    return STEPS[max(number - 2, 0)].slug


# The 个人信息 answers (step 4), as application_personal_save stores them.
PERSONAL_FIELDS = (
    "gender",
    "birth_date",
    "ethnicity",
    "marital_status",
    "education",
    "degree",
    "graduate_school",
    "major",
    "professional_title",
    "professional_title_name",
    "professional_qualification",
    "skill_qualification",
    "skill_occupation",
    "shortage_occupation",
    "position",
    "high_level_title",
    "employer",
    "original_registry_office",
    "original_hukou_address",
    "district",
    "intended_address",
    "social_insurance_months",
    "contact_mobile",
)
