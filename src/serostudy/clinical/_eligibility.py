"""Inclusion and exclusion rules, applied in order, and the participant flow.

Rules are declared in ``study.yaml`` (see :mod:`serostudy.clinical._config` and
``docs/clinical.md``).  Each participant is checked against the rules in the declared
order and is excluded by the *first* rule it fails (STROBE flow); the other rules it
would also fail are reported too.  Nobody is dropped: every participant ends in exactly
one box of the flow, so ``assessed = sum(excluded by each rule) + analysed`` in every
group, and :meth:`Flow.check` proves it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from serostudy._stage import Exclusion
from serostudy.exceptions import ConfigError, DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Condition", "Rule", "FlowStep", "Flow", "EligibilityResult", "apply_eligibility", "evaluate"]

_OPS = ("equals", "not_equals", "in", "not_in", "lt", "lte", "gt", "gte", "is", "missing")


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A test on one column, or a combination of conditions.

    Exactly one of: ``column`` with one operator (``equals``, ``not_equals``, ``in``,
    ``not_in``, ``lt``, ``lte``, ``gt``, ``gte``, ``is`` (true/false), ``missing``
    (true/false)); ``all`` (every sub-condition holds); ``any`` (at least one holds).
    """

    column: str | None = None
    op: str | None = None
    value: Any = None
    all: tuple["Condition", ...] = ()
    any: tuple["Condition", ...] = ()

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any], *, key: str = "when") -> "Condition":
        """Build from the YAML form, e.g. ``{column: age, gte: 18}`` or ``{any: [...]}``."""
        if not isinstance(m, Mapping):
            raise ConfigError(f"a condition must be a mapping, got {m!r}", key=key)
        if "all" in m or "any" in m:
            if set(m) - {"all", "any"} or len(m) != 1:
                raise ConfigError("use either `all:` or `any:` alone in one condition", key=key)
            kind = "all" if "all" in m else "any"
            subs = m[kind]
            if not isinstance(subs, list) or not subs:
                raise ConfigError(f"`{kind}` needs a non-empty list of conditions", key=key)
            parts = tuple(cls.from_mapping(s, key=f"{key}.{kind}[{i}]") for i, s in enumerate(subs))
            return cls(all=parts) if kind == "all" else cls(any=parts)
        if "column" not in m:
            raise ConfigError("a condition needs `column:` (or `all:` / `any:`)", key=key)
        ops = [k for k in m if k != "column"]
        if len(ops) != 1 or ops[0] not in _OPS:
            allowed = ", ".join(_OPS)
            raise ConfigError(f"a condition needs exactly one operator out of {{{allowed}}}, got {ops}", key=key)
        op = ops[0]
        v = m[op]
        if op in ("in", "not_in") and not isinstance(v, list):
            raise ConfigError(f"`{op}` needs a list, got {v!r}", key=key)
        if op in ("lt", "lte", "gt", "gte") and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ConfigError(f"`{op}` needs a number, got {v!r}", key=key)
        if op in ("is", "missing") and not isinstance(v, bool):
            raise ConfigError(f"`{op}` needs true or false, got {v!r}", key=key)
        return cls(column=str(m["column"]), op=op, value=tuple(v) if isinstance(v, list) else v)

    def columns(self) -> set[str]:
        """Every column the condition reads."""
        out = {self.column} if self.column else set()
        for c in self.all + self.any:
            out |= c.columns()
        return out

    def describe(self) -> str:
        """The condition in words, e.g. ``b12_supplement_months <= 3``."""
        if self.all:
            return " and ".join(f"({c.describe()})" for c in self.all)
        if self.any:
            return " or ".join(f"({c.describe()})" for c in self.any)
        sym = {"equals": "=", "not_equals": "!=", "in": "in", "not_in": "not in", "lt": "<", "lte": "<=",
               "gt": ">", "gte": ">=", "is": "is", "missing": "missing:"}[self.op or ""]
        v = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.column} {sym} {v}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One eligibility rule.

    Attributes
    ----------
    id
        Short identifier.
    kind
        ``"inclusion"`` (a participant must meet ``when``) or ``"exclusion"`` (a
        participant who meets ``when`` is excluded).
    label
        Text in the flow diagram, e.g. ``"B12 supplements in the last 3 months"``.
    when
        The :class:`Condition`.
    groups
        Groups the rule applies to (``None``: all groups).
    missing
        What an undecidable rule (a value needed is missing) does: ``"exclude"``
        (default; the reason says "not recorded") or ``"keep"``.
    """

    id: str
    kind: Literal["inclusion", "exclusion"]
    label: str
    when: Condition
    groups: tuple[str, ...] | None = None
    missing: Literal["exclude", "keep"] = "exclude"


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and v.strip() == "":
        return True
    try:
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, str)) else False
    except (TypeError, ValueError):
        return False


def _eq(a: Any, b: Any) -> bool:
    if isinstance(b, bool):
        t = _as_bool(a)
        return t is not None and t == b
    if isinstance(b, (int, float)) and not isinstance(a, str):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return str(a).strip() == str(b).strip()


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("true", "yes", "y", "1"):
            return True
        if t in ("false", "no", "n", "0"):
            return False
    try:
        import numpy as np

        if isinstance(v, np.bool_):
            return bool(v)
    except ImportError:  # pragma: no cover
        pass
    return None


def evaluate(cond: Condition, row: Mapping[str, Any], *, pid: object = None) -> bool | None:
    """Evaluate a condition on one participant: True, False or None (undecidable).

    Raises
    ------
    DataError
        A value that cannot be compared as the operator needs (text where a number is
        needed, a non yes/no value for ``is``), naming the participant and column.

    Examples
    --------
    >>> from serostudy.clinical import Condition, evaluate
    >>> c = Condition.from_mapping({"column": "months_since_b12", "lte": 3})
    >>> evaluate(c, {"months_since_b12": 2}), evaluate(c, {"months_since_b12": None})
    (True, None)
    """
    if cond.all:
        vals = [evaluate(c, row, pid=pid) for c in cond.all]
        if any(v is False for v in vals):
            return False
        return None if any(v is None for v in vals) else True
    if cond.any:
        vals = [evaluate(c, row, pid=pid) for c in cond.any]
        if any(v is True for v in vals):
            return True
        return None if any(v is None for v in vals) else False
    if cond.column is None or cond.op is None:
        raise InputError("a condition needs `column` and one operator (or `all` / `any`), got an empty Condition")
    v = row[cond.column]
    op, target = cond.op, cond.value
    if op == "missing":
        return _is_missing(v) == target
    if _is_missing(v):
        return None
    if op == "equals":
        return _eq(v, target)
    if op == "not_equals":
        return not _eq(v, target)
    if op == "in":
        return any(_eq(v, t) for t in target)
    if op == "not_in":
        return not any(_eq(v, t) for t in target)
    if op == "is":
        b = _as_bool(v)
        if b is None:
            raise DataError(f"participant {pid!r}: expected yes/no (true/false, 1/0), got {v!r}", column=cond.column)
        return b == target
    from serostudy._io.readers import parse_number

    try:  # text only as a spreadsheet writes numbers: not '1_000', 'inf', 'nan'
        x = parse_number(v.strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise DataError(f"participant {pid!r}: expected a number for `{op}`, got {v!r}", column=cond.column) from None
    if not math.isfinite(x):
        raise DataError(f"participant {pid!r}: expected a finite number for `{op}`, got {v!r}", column=cond.column)
    return {"lt": x < target, "lte": x <= target, "gt": x > target, "gte": x >= target}[op]


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One box of exclusions in the flow: a rule (or matching) and how many it excluded per group.

    ``applies_to`` lists the groups a rule is restricted to (``None``: all groups).
    """

    id: str
    label: str
    kind: str
    excluded: dict[str, int]
    applies_to: tuple[str, ...] | None = None

    def applies(self, group: str) -> bool:
        """Whether the step applies to ``group`` (``applies_to`` None: every group)."""
        return self.applies_to is None or group in self.applies_to

    @property
    def reason(self) -> str:
        """What the excluded participants have in common: an inclusion rule's label reads
        "not met: <label>", an exclusion rule's is the label itself."""
        return f"not met: {self.label}" if self.kind == "inclusion" else self.label


@dataclass(frozen=True, slots=True)
class Flow:
    """The participant flow: assessed -> excluded by each step -> analysed, per group.

    Attributes
    ----------
    groups
        Group names in display order.
    assessed
        Participants assessed, per group.
    steps
        Exclusion steps in the order applied.
    analysed
        Participants analysed, per group.
    labels
        Display labels of the groups.
    """

    groups: tuple[str, ...]
    assessed: dict[str, int]
    steps: tuple[FlowStep, ...]
    analysed: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Raise :class:`DataError` unless ``assessed = excluded + analysed`` in every group."""
        for g in self.groups:
            if self.analysed[g] < 0 or any(s.excluded.get(g, 0) < 0 for s in self.steps):
                raise DataError(f"participant flow has a negative count in group {g!r}")
            out = sum(s.excluded.get(g, 0) for s in self.steps)
            if self.assessed[g] != out + self.analysed[g]:
                raise DataError(
                    f"participant flow does not add up in group {g!r}: assessed {self.assessed[g]} != "
                    f"excluded {out} + analysed {self.analysed[g]}"
                )

    def with_step(self, step: FlowStep) -> "Flow":
        """A new flow with one more exclusion step (e.g. matching) taken from the analysed."""
        analysed = {g: self.analysed[g] - step.excluded.get(g, 0) for g in self.groups}
        f = Flow(self.groups, dict(self.assessed), self.steps + (step,), analysed, dict(self.labels))
        f.check()
        return f

    def total(self, which: Literal["assessed", "analysed"]) -> int:
        return sum(getattr(self, which).values())

    def to_frame(self) -> "pd.DataFrame":
        """Long table: one row per (box, group) with ``n``."""
        import pandas as pd

        rows = [{"box": "assessed", "label": "Assessed for eligibility", "group": g, "n": self.assessed[g]}
                for g in self.groups]
        for s in self.steps:
            rows += [{"box": s.id, "label": s.label, "group": g, "n": s.excluded.get(g, 0)} for g in self.groups]
        rows += [{"box": "analysed", "label": "Analysed", "group": g, "n": self.analysed[g]} for g in self.groups]
        return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """What :func:`apply_eligibility` found.

    Attributes
    ----------
    exclusions
        One :class:`~serostudy._stage.Exclusion` per excluded participant (the first
        rule failed).
    flow
        The participant flow.
    status
        Per-participant table: ``participant``, ``group``, ``eligible``,
        ``excluded_by`` (rule id), ``reason``, ``also_failed`` (later rules failed too).
    """

    exclusions: tuple[Exclusion, ...]
    flow: Flow
    status: Any


def apply_eligibility(
    data: "pd.DataFrame",
    rules: Sequence[Rule],
    *,
    id_column: str,
    group_column: str,
    groups: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    already_excluded: Iterable[Exclusion] = (),
) -> EligibilityResult:
    """Apply eligibility rules in order and compute the participant flow.

    Parameters
    ----------
    data
        Participant table (one row per participant assessed).
    rules
        Rules in the order they are applied.
    id_column, group_column
        Participant id and group columns.
    groups
        Group order (default: order of first appearance).
    labels
        Display labels of the groups.
    already_excluded
        Exclusions made before eligibility (e.g. by data checks); they form the first
        step of the flow so the counts still add up.

    Returns
    -------
    EligibilityResult

    Raises
    ------
    DataError
        A rule naming a column that is not in the table, or a value that cannot be
        compared, naming the participant and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import Condition, Rule, apply_eligibility
    >>> df = pd.DataFrame({"id": ["P1", "P2", "C1"], "group": ["case", "case", "control"],
    ...                    "b12_suppl_3m": ["no", "yes", "no"]})
    >>> rule = Rule(id="b12", kind="exclusion", label="B12 supplements, last 3 months",
    ...             when=Condition.from_mapping({"column": "b12_suppl_3m", "is": True}))
    >>> res = apply_eligibility(df, [rule], id_column="id", group_column="group")
    >>> res.flow.assessed, res.flow.analysed
    ({'case': 2, 'control': 1}, {'case': 1, 'control': 1})
    """
    import pandas as pd

    for col in (id_column, group_column):
        if col not in data.columns:
            raise DataError(f"participant table has no column {col!r}", column=col)
    for r in rules:
        missing = sorted(r.when.columns() - set(data.columns))
        if missing:
            raise DataError(
                f"eligibility rule {r.id!r} reads column(s) {missing}, not in the participant table",
                column=missing[0],
            )
    ids = data[id_column].astype(str).tolist()
    grp = ["" if _is_missing(g) else str(g) for g in data[group_column]]
    order = list(groups) if groups is not None else []
    for g in grp:
        if g not in order:
            order.append(g)
    pre = {e.participant: e for e in already_excluded}
    pre_stages: list[str] = []
    for e in pre.values():
        if e.stage not in pre_stages:
            pre_stages.append(e.stage)
    step_counts: dict[str, dict[str, int]] = {f"stage:{s}": {g: 0 for g in order} for s in pre_stages}
    for r in rules:
        step_counts[r.id] = {g: 0 for g in order}
    exclusions: list[Exclusion] = []
    status = []
    records = data.to_dict("records")
    for pid, g, row in zip(ids, grp, records):
        first: tuple[str, str] | None = None
        also: list[str] = []
        if pid in pre:
            first = (f"stage:{pre[pid].stage}", pre[pid].reason)
        for r in rules:
            if r.groups is not None and g not in r.groups:
                continue
            res = evaluate(r.when, row, pid=pid)
            if res is None:
                fails = r.missing == "exclude"
                why = f"{r.label} (not recorded: {', '.join(sorted(r.when.columns()))})"
            else:
                fails = (not res) if r.kind == "inclusion" else res
                why = r.label if r.kind == "exclusion" else f"not met: {r.label}"
            if fails:
                if first is None:
                    first = (r.id, why)
                else:
                    also.append(r.id)
        if first is not None:
            step_counts[first[0]][g] += 1
            if not first[0].startswith("stage:"):
                exclusions.append(Exclusion(participant=pid, group=g or None, stage="eligibility", reason=first[1]))
        status.append({"participant": pid, "group": g, "eligible": first is None,
                       "excluded_by": first[0] if first else "", "reason": first[1] if first else "",
                       "also_failed": ", ".join(also)})
    assessed = {g: grp.count(g) for g in order}
    steps = []
    for st in pre_stages:
        steps.append(FlowStep(f"stage:{st}", f"Excluded earlier ({st})", "earlier", step_counts[f"stage:{st}"]))
    for r in rules:
        steps.append(FlowStep(r.id, r.label, r.kind, step_counts[r.id], r.groups))
    analysed = {g: assessed[g] - sum(s.excluded[g] for s in steps) for g in order}
    flow = Flow(tuple(order), assessed, tuple(steps), analysed, dict(labels or {}))
    flow.check()
    return EligibilityResult(tuple(exclusions), flow, pd.DataFrame(status))
