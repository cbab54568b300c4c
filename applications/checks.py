"""System checks that keep the sub-categories in the database and the eligibility registry in step.

Rules are keyed by TalentSubcategory.code (applications.eligibility.RULES). A row whose code has no
rule would pass every condition silently (submission refuses it), so the check is an error and `manage.py check` and `migrate` stop
on it; a rule whose code is in no row is dead policy, a warning.
"""

from django.core.checks import Error, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from applications.eligibility import RULES

ELIGIBILITY_TAG = "eligibility"


@register(ELIGIBILITY_TAG, Tags.database)
def check_subcategories_have_rules(app_configs=None, databases=None, **kwargs):
    from applications.models import TalentSubcategory

    # The codes are data, so this check reads the database; without `databases` (plain
    # `manage.py check`) it still looks at the default one rather than pass a drift unseen.
    messages = []
    for alias in databases or [DEFAULT_DB_ALIAS]:
        try:
            if TalentSubcategory._meta.db_table not in connections[alias].introspection.table_names():
                continue  # not migrated yet: migrate creates the rows together with their rules
            rows = list(TalentSubcategory.objects.using(alias).values_list("code", "max_age"))
        except DatabaseError:
            continue  # no database to read (building an image, say): nothing to compare
        messages.extend(_compare(rows, alias=alias))
    return messages


def _compare(rows: list[tuple[str, int | None]], *, alias: str) -> list:
    messages = []
    for code, max_age in rows:
        rule = RULES.get(code)
        if rule is None:
            messages.append(
                Error(
                    f"TalentSubcategory {code!r} (database {alias!r}) has no eligibility rule: "
                    "it would pass every rule, so no application under it can be submitted.",
                    hint="Register its rule with @rule(...) in applications/eligibility.py, "
                    "or restore the code it was renamed from.",
                    id="applications.E001",
                )
            )
        elif rule.max_age != max_age:
            messages.append(
                Error(
                    f"TalentSubcategory {code!r} (database {alias!r}) shows an age limit of {max_age}, "
                    f"its eligibility rule applies {rule.max_age}.",
                    hint="The rule in applications/eligibility.py is the policy; correct the row to match it.",
                    id="applications.E002",
                )
            )
    for code in sorted(set(RULES) - {code for code, _ in rows}):
        messages.append(
            Warning(
                f"Eligibility rule {code!r} has no TalentSubcategory in database {alias!r}.",
                hint="Remove the rule, or add the sub-category it belongs to by a data migration.",
                id="applications.W001",
            )
        )
    return messages
