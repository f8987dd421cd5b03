"""The pandas-facing API: ``serostudy.table1(df, by=...)`` and friends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, get_args

from serostudy._typing import CategoricalTest, CorrelationMethod
from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from serostudy._tables import DisplayTable


def read_data_frame(path: str, *, sheet: str | int | None = None, encoding: str | None = None) -> "pd.DataFrame":
    """Read a data file for config-free use: columns whose every non-missing cell is a
    number (ASCII, Persian or Arabic-Indic digits, ``٫`` decimal separator) become
    numeric, the others stay text.  Cells in :data:`serostudy._io.na.NA_VALUES` ("NA", "",
    "N/A", ".", ...) are missing, as in a study's ``data.na_values`` default.  A CSV's
    ``encoding`` is detected when not given (see :mod:`serostudy._io.text`).  Errors name
    the file."""
    import pandas as pd

    from serostudy._io.na import NA_VALUES
    from serostudy._io.readers import read_table, to_numeric_or_nan

    raw = read_table(path, sheet=sheet, na_values=list(NA_VALUES), encoding=encoding)
    out = {}
    for c in raw.columns:
        col = raw[c]
        try:
            # strict first: stops at the first text cell (coercing a 10^6-row text column took seconds)
            num = pd.to_numeric(col)
        except (ValueError, TypeError):
            num = to_numeric_or_nan(col)  # Persian/Arabic-Indic digits are numbers too
        if num.notna().sum() == col.notna().sum() and col.notna().any():
            out[c] = num.astype(float)
        else:
            out[c] = col.astype(object).where(col.notna(), None)
    df = pd.DataFrame(out)
    df.attrs["source"] = raw.attrs.get("source")
    return df


def table1(
    data: "pd.DataFrame",
    *,
    by: str,
    groups: Sequence[str] | None = None,
    include: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    continuous: Sequence[str] | None = None,
    nonnormal: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    test: Literal["welch", "student"] = "welch",
    categorical_test: CategoricalTest = "auto",
    overall: bool = True,
    smd: bool = False,
    missing: Literal["ifany", "always", "no"] = "ifany",
    confidence_level: float = 0.95,
    title: str = "Table 1. Characteristics by group",
) -> "DisplayTable":
    """Table 1 of a DataFrame by a grouping column, with tests and effect sizes.

    Variable types are inferred (as gtsummary: text columns and numeric columns with at
    most 10 distinct whole numbers are categorical) unless forced with ``categorical``,
    ``continuous`` or ``nonnormal``; every inference is listed in ``.choices``.

    Identifier-like columns (at least 20 values, all distinct; or distinct consecutive
    whole numbers) and text columns with more than ``min(100, max(20, n/2))`` distinct
    values are left out when ``include`` is not given (``.choices`` and a footnote say
    so) and refused when listed in ``include`` without a type; declare them in
    ``categorical`` to tabulate them.  ``inf``/``-inf`` in a numeric column is an
    error naming the column (and the file and row, for a frame from
    :func:`read_data_frame`).  Fisher's test is used for tables of at most 200 cells;
    a larger table gets the chi-squared test, with a note (see ``docs/table1.md``).

    Parameters
    ----------
    data
        One row per participant.
    by
        Grouping column.  Rows with a missing group are left out and counted in
        ``.choices`` (never silently).
    groups
        Show only these groups of ``by``, in this order (e.g. 2 of 3 arms); the tests
        compare them alone, as R's tests on ``subset(data, by %in% groups)``.  Rows of
        the other groups are left out, counted in ``.choices`` and in a footnote.
        Default: every group.
    include
        Variables to show, in this order (default: every column but ``by``).
    categorical, continuous
        Force a type.
    nonnormal
        Continuous variables to summarise as median [Q1, Q3] and compare by the
        Mann-Whitney U test.
    labels
        Display labels per column.
    order, group_labels
        Group order (columns; the first is group 1 in differences) and their labels.
        With ``groups``, ``order`` defaults to that order (and must name the same groups).
    test
        ``"welch"`` (default) or ``"student"`` for mean-summarised variables.
    categorical_test
        ``"auto"`` (chi-square without correction if every expected count is >= 5,
        else Fisher/Fisher-Freeman-Halton), ``"chi2"``, ``"chi2-yates"``, ``"fisher"``
        (the vocabulary of the config's ``tests.categorical``).
    overall, smd, missing, confidence_level, title
        Overall column; SMD column; missing rows (``"ifany"``, ``"always"``, ``"no"``);
        CI level; caption.

    Returns
    -------
    DisplayTable
        ``.to_frame()``, ``.to_html()``, ``.to_docx(path)``, ``.to_csv(path)``,
        ``.to_xlsx(path)``, ``.to_latex()``, ``.records`` (every number, with method),
        ``.records_frame()``.

    Notes
    -----
    The statistics are those of :mod:`serostudy.stats`, each validated against R
    (``tests/reference/stats/``): ``t.test``, ``wilcox.test``, ``chisq.test``,
    ``fisher.test``, ``effectsize::hedges_g``, ``effectsize::cramers_v``; a table of
    chosen ``groups`` against the same R tests on the subset
    (``tests/reference/table1/make_subset_reference.R``).

    Examples
    --------
    >>> import pandas as pd, serostudy
    >>> df = pd.DataFrame({"group": ["a"] * 4 + ["b"] * 4,
    ...                    "age": [30, 41, 52, 38, 45, 50, 61, 39],
    ...                    "sex": ["m", "f", "f", "m", "f", "f", "m", "f"]})
    >>> t = serostudy.table1(df, by="group")
    >>> t.to_frame().iloc[0, 0]
    'age, mean ± SD'
    """
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a pandas DataFrame, got {type(data).__name__}")
    where = data_name(data)
    try:
        return _table1(data, by=by, groups=groups, include=include, categorical=categorical, continuous=continuous,
                       nonnormal=nonnormal, labels=labels, order=order, group_labels=group_labels, test=test,
                       categorical_test=categorical_test, overall=overall, smd=smd, missing=missing,
                       confidence_level=confidence_level, title=title)
    except InputError as exc:
        raise naming_file(exc, where) from None


def data_name(data: "pd.DataFrame") -> str:
    """How errors name a frame: the file it was read from, else ``"data frame"``."""
    src = data.attrs.get("source")
    path = getattr(src, "path", None)
    return str(path) if path else "data frame"


def naming_file(exc: InputError, where: str) -> InputError:
    """``exc`` with its file named (every input error names the file); unchanged if it does."""
    from serostudy.exceptions import ConfigError

    if exc.file is not None or isinstance(exc, ConfigError):
        return exc
    return type(exc)(exc.reason, file=where, row=exc.row, column=exc.column, row_word=exc.row_word)


def _table1(
    data: "pd.DataFrame",
    *,
    by: str,
    groups: Sequence[str] | None,
    include: Sequence[str] | None,
    categorical: Sequence[str] | None,
    continuous: Sequence[str] | None,
    nonnormal: Sequence[str] | None,
    labels: Mapping[str, str] | None,
    order: Sequence[str] | None,
    group_labels: Mapping[str, str] | None,
    test: str,
    categorical_test: str,
    overall: bool,
    smd: bool,
    missing: str,
    confidence_level: float,
    title: str,
) -> "DisplayTable":
    import pandas as pd

    from serostudy._analysis._varspec import infer_specs
    from serostudy._analysis.table1 import GroupSpec, build_table1
    from serostudy._io.config import TestPolicy
    from serostudy._typing import check_choice

    if by not in data.columns:
        raise DataError(f"`by` column {by!r} not found; columns are {list(data.columns)}", column=by)
    check_choice("test", test, ("welch", "student"))
    check_choice("categorical_test", categorical_test, get_args(CategoricalTest))
    check_choice("missing", missing, ("ifany", "always", "no"))
    if isinstance(confidence_level, bool) or not isinstance(confidence_level, (int, float)) or not (
            0 < confidence_level < 1):
        raise InputError(f"`confidence_level` must be a number between 0 and 1, got {confidence_level!r}")
    policy = TestPolicy(continuous=test, categorical=categorical_test, confidence_level=confidence_level)
    import numpy as np

    src = data.attrs.get("source")
    encoding_choice = [src.encoding_choice] if getattr(src, "encoding_choice", "") else []  # read_data_frame's
    data, gtext, present, group_choices = _group_text(data, by)
    choices: list[str] = encoding_choice + group_choices
    notes: list[str] = []
    if groups is not None:
        chosen = _chosen_groups(groups, present, by)
        keep = np.isin(gtext, chosen)
        if not keep.all():
            left = {g: int(np.sum(gtext == g)) for g in present if g not in chosen}
            left = {g: k for g, k in left.items() if k}
            k_out = int((~keep).sum())
            choices.append(f"{k_out} row(s) of group(s) {', '.join(f'{g!r} ({k})' for g, k in left.items())} "
                           f"left out: not among the chosen groups {chosen}")
            shown = ", ".join((group_labels or {}).get(g, g) for g in chosen)
            notes.append(f"Groups shown: {shown}; {k_out} participant(s) of "
                         f"{', '.join((group_labels or {}).get(g, g) for g in left)} not included.")
            data = data[keep]
            gtext = gtext[keep]
        present = sorted(chosen)
        if order is None:
            order = chosen
        elif sorted(str(o) for o in order) != present:
            raise InputError(f"`order` {list(order)} must name the same groups as `groups` {chosen}", column=by)
    if order is None:
        if isinstance(data[by].dtype, pd.CategoricalDtype):
            order = [str(c) for c in data[by].cat.categories if str(c) in set(present)]
        else:
            order = present
    order = [str(o) for o in order]
    unknown = sorted(set(present) - set(order))
    if unknown:
        raise InputError(f"`order` misses group(s) {unknown} present in column {by!r}", column=by)
    if len(order) < 2:
        raise DataError(f"column {by!r} has {len(order)} group(s); Table 1 compares at least 2", column=by)
    frame = data.assign(**{by: gtext})
    specs, inferred, left_out = infer_specs(frame, by=by, include=include, categorical=categorical,
                                            continuous=continuous, nonnormal=nonnormal, policy=policy)
    if labels:
        from dataclasses import replace

        specs = [replace(s, label=labels.get(s.name, s.label)) for s in specs]
    gspec = GroupSpec(by, tuple(order), dict(group_labels or {}))
    return build_table1(frame, specs, gspec, policy, overall=overall, smd=smd, missing=missing, title=title,
                        choices=inferred + choices, notes=notes, left_out=left_out)


def _chosen_groups(groups: Sequence[str], present: list[str], by: str) -> list[str]:
    """The ``groups`` argument checked against the groups of column ``by``."""
    if isinstance(groups, str):
        raise InputError(f"`groups` must be a list of groups, got the string {groups!r}", column=by)
    chosen = [str(int(g)) if isinstance(g, float) and g.is_integer() else str(g) for g in groups]
    for i, g in enumerate(chosen):
        if g in chosen[:i]:
            raise InputError(f"`groups` names {g!r} twice", column=by)
        if g not in present:
            raise InputError(f"`groups` names {g!r}, which is not a group of column {by!r}; groups are {present}",
                             column=by)
    if len(chosen) < 2:
        raise InputError(f"`groups` must name at least 2 groups, got {chosen}", column=by)
    return chosen


def _group_text(data: "pd.DataFrame", by: str) -> tuple["pd.DataFrame", "np.ndarray", list[str], list[str]]:
    """Rows with a group, the group of each as text (whole floats without ``.0``), the
    groups present (sorted as text) and the choice naming the rows left out."""
    import numpy as np
    import pandas as pd

    choices: list[str] = []
    codes, uniques = pd.factorize(data[by], use_na_sentinel=True)
    gnull = codes < 0
    if gnull.any():
        choices.append(f"{int(gnull.sum())} row(s) with a missing {by!r} left out of the table")
        data = data[~gnull]
        codes = codes[~gnull]
    utext = np.array([str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in uniques],
                     dtype=object)
    return data, utext[codes], sorted(set(utext.tolist())), choices


def table2(
    data: "pd.DataFrame",
    *,
    by: str,
    group: str,
    exposure: str,
    include: Sequence[str] | None = None,
    methods: Sequence[CorrelationMethod] = ("pearson", "spearman"),
    labels: Mapping[str, str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    confidence_level: float = 0.95,
    title: str = "Table 2. Correlation of the exposure with clinical variables",
) -> "DisplayTable":
    """Table 2 of a DataFrame: within one group, the correlation of an exposure with
    other numeric columns (the ``analyses.table2:`` of a study, without a config).

    Parameters
    ----------
    data
        One row per participant.
    by
        Grouping column; rows with a missing group are left out.
    group
        The group to describe, as text (a whole number ``1.0`` is ``"1"``).
    exposure
        Numeric column correlated with every variable.
    include
        Numeric columns to correlate with the exposure, in this order (default: every
        numeric column but ``by`` and ``exposure``).
    methods
        Correlation coefficients, among ``"pearson"``, ``"spearman"`` and ``"kendall"``.
    labels, group_labels, confidence_level, title
        Display labels per column and per group; CI level; caption.

    Returns
    -------
    DisplayTable
        One row per variable: n (complete pairs), mean and SD, range, and each
        coefficient with its Fisher z CI and p.  A variable whose correlation is
        undefined (fewer than 3 complete pairs, or a constant column) keeps its row,
        with NA and a footnote saying why.

    Notes
    -----
    Validated against R ``cor.test`` (Pearson r, CI and p; Spearman rho and p) on the
    real-data sweep (``tests/sweep/``, ``tests/reference/sweep/``).

    Examples
    --------
    >>> import pandas as pd, serostudy
    >>> df = pd.DataFrame({"group": ["a"] * 6 + ["b"] * 2,
    ...                    "b12": [180.0, 240, 310, 150, 275, 200, 260, 330],
    ...                    "age": [31.0, 42, 37, 29, 45, 39, 33, 40]})
    >>> t = serostudy.table2(df, by="group", group="a", exposure="b12")
    >>> t.records_frame().query("statistic == 'pearson_r'")["n"].iloc[0]
    6
    """
    import pandas as pd

    from serostudy._analysis._varspec import VarSpec
    from serostudy._analysis.table1 import GroupSpec
    from serostudy._analysis.table2 import _METHOD_NAME, build_table2
    from serostudy._io.config import TestPolicy
    from serostudy._typing import check_choice

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a pandas DataFrame, got {type(data).__name__}")
    for what, col in (("by", by), ("exposure", exposure)):
        if col not in data.columns:
            raise DataError(f"`{what}` column {col!r} not found; columns are {list(data.columns)}", column=col)
    if exposure == by:
        raise InputError(f"`exposure` column {exposure!r} cannot also be the `by` column", column=by)
    methods = list(methods)
    if not methods:
        raise InputError(f"`methods` must name at least one of {sorted(_METHOD_NAME)}")
    for m in methods:
        check_choice("methods", m, tuple(_METHOD_NAME))

    def numeric(c: str) -> bool:
        s = data[c]
        return bool(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))

    if include is None:
        include = [c for c in data.columns if c not in (by, exposure) and numeric(c)]
    include = list(include)
    missing = [c for c in include if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {missing} not found; columns are {list(data.columns)}", column=missing[0])
    for c in [exposure, *include]:
        if c == by:
            raise InputError(f"`by` column {by!r} cannot also be a table variable", column=by)
        if not numeric(c):
            raise InputError(f"column {c!r} holds non-numeric values; Table 2 correlates numeric columns",
                             column=c)
    if not include:
        raise InputError(f"no numeric column besides {exposure!r} and {by!r} to correlate with the exposure")
    policy = TestPolicy(confidence_level=confidence_level)
    data, gtext, present, _ = _group_text(data, by)
    group = str(group)
    if group not in present:
        raise InputError(f"`group` {group!r} is not a value of column {by!r}; its values are {present}", column=by)
    frame = data.assign(**{by: gtext})
    lab = dict(labels or {})
    def spec(c: str) -> VarSpec:
        return VarSpec(name=c, label=lab.get(c) or c, kind="continuous")

    groups = GroupSpec(by, tuple(present), dict(group_labels or {}))
    return build_table2(frame, group=group, groups=groups, exposure=spec(exposure),
                        variables=[spec(c) for c in include], methods=methods, policy=policy, title=title)
