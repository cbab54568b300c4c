"""The machinery every state machine shares (DESIGN.md §3, STYLE.md): a table of allowed moves and
one guarded function that refuses any move not in it, sets the status field and hands the move to
the machine's audit writer.

core knows no feature: each workflow module (applications, hukou_card, review, quota) builds its
own `TransitionTable` with its rules, the labels of its statuses and actions, the name of its
status field and its audit writer.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from core.errors import Refused


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str
    # None: the move is not gated by who acts, because it only ever happens inside another
    # machine's move that is (the quota ledger moves with the application's decisions).
    actors: frozenset[str] | None


def rule(sources: Iterable[str], target: str, *actors: str) -> Rule:
    return Rule(frozenset(sources), target, frozenset(actors) if actors else None)


class TransitionNotAllowed(Refused):
    """Raised (with a message fit for the user) when a move is not in the table."""


# Called once per move, after the rows are saved: (rows, *, action, actor, from_status,
# to_status, **context) where context is what the caller passed (by, reason, ip_address, ...).
AuditWriter = Callable[..., Any]


@dataclass(frozen=True)
class TransitionTable:
    subject: str  # what the user calls one row in a refusal: 申报, 入户卡, 异议, 公示
    rules: Mapping[str, Rule]
    status_label: Callable[[str], str]
    action_label: Callable[[str], str]
    # None: the machine writes no row of its own; its moves are on the record through the
    # move of another machine that caused them (say why where the table is built).
    audit: AuditWriter | None
    field: str = "status"

    def allowed_actions(self, status: str, actor: str) -> list[str]:
        return [action for action in self.rules if self.allows(status, action=action, actor=actor)]

    def allows(self, status: str, *, action: str, actor: str | None = None) -> bool:
        try:
            self.check(status, action=action, actor=actor)
        except TransitionNotAllowed:
            return False
        return True

    def check(self, status: str, *, action: str, actor: str | None = None) -> Rule:
        """The rule that moves a row in `status` by `action`, or TransitionNotAllowed saying why not."""
        found = self._rule_for(action, actor)
        if status not in found.sources:
            raise TransitionNotAllowed(
                f"{self.subject}当前状态为“{self.status_label(status)}”，"
                f"不能执行“{self.action_label(action)}”操作。"
            )
        return found

    def _rule_for(self, action: str, actor: str | None) -> Rule:
        try:
            found = self.rules[action]
        except KeyError as exc:
            raise TransitionNotAllowed(f"未知操作：{action}") from exc
        if found.actors is not None and actor not in found.actors:
            raise TransitionNotAllowed(f"您无权执行“{self.action_label(action)}”操作。")
        return found

    def transition(
        self,
        rows: Sequence[models.Model],
        *,
        action: str,
        actor: str | None = None,
        extra_fields: tuple[str, ...] = (),
        **context: Any,
    ) -> Any:
        """Move every one of `rows` (locked by the caller) by `action` and write one audit row.

        All rows are checked before any changes, so a refusal leaves every one as it was.
        `extra_fields` names other fields the caller set on the instances, saved in the same
        UPDATE (with the model's auto_now fields). Returns what the audit writer returns.
        """
        if not rows:
            raise ValueError("transition() needs at least one row")
        for row in rows:
            found = self.check(getattr(row, self.field), action=action, actor=actor)
        from_status = getattr(rows[0], self.field)
        for row in rows:
            setattr(row, self.field, found.target)
            row.save(update_fields=[self.field, *_auto_now_fields(type(row)), *extra_fields])
        if self.audit is None:
            return None
        return self.audit(
            rows, action=action, actor=actor, from_status=from_status, to_status=found.target, **context
        )

    def bulk_transition(
        self, queryset: models.QuerySet, *, action: str, actor: str | None = None, **fields: Any
    ) -> int:
        """Move in one UPDATE every row of `queryset` the table lets `action` move (the others are
        left alone); for paths that settle many rows at once. Writes no audit row: the caller's
        own move records the decision. Returns the number of rows moved."""
        found = self._rule_for(action, actor)
        now = timezone.now()  # update() skips auto_now; the rows moved all the same
        stamps = {name: now for name in _auto_now_fields(queryset.model)}
        return queryset.filter(**{f"{self.field}__in": found.sources}).update(
            **{self.field: found.target}, **stamps, **fields
        )


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
