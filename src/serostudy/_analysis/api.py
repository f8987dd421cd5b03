"""The pandas-facing API: ``serostudy.table1(df, by=...)`` and friends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Mapping, Sequence

from serostudy.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._tables import DisplayTable


def read_data_frame(path: str, *, sheet: str | int | None = None) -> "pd.DataFrame":
    """Read a data file for config-free use: columns whose every non-missing cell is a
    number become numeric, the others stay text.  Errors name the file."""
    import pandas as pd

    from serostudy._io.readers import read_table

    raw = read_table(path, sheet=sheet, na_values=["", "NA", "N/A", "na", ".", "NaN"])
    out = {}
    for c in raw.columns:
        col = raw[c]
        try:
            # strict: stops at the first text cell (coercing a 10^6-row text column took seconds)
            num = pd.to_numeric(col)
        except (ValueError, TypeError):
            num = None
        if num is not None and num.notna().sum() == col.notna().sum() and col.notna().any():
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
    include: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    continuous: Sequence[str] | None = None,
    nonnormal: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    test: Literal["welch", "student"] = "welch",
    categorical_test: Literal["auto", "chi2", "chi2-yates", "fisher"] = "auto",
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
    test
        ``"welch"`` (default) or ``"student"`` for mean-summarised variables.
    categorical_test
        ``"auto"`` (chi-square without correction if every expected count is >= 5,
        else Fisher/Fisher-Freeman-Halton), ``"chi2"``, ``"chi2-yates"``, ``"fisher"``.
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
    ``fisher.test``, ``effectsize::hedges_g``, ``effectsize::cramers_v``.

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

    from serostudy._analysis._varspec import infer_specs
    from serostudy._analysis.table1 import GroupSpec, build_table1
    from serostudy._io.config import TestPolicy
    from serostudy._typing import check_choice

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a pandas DataFrame, got {type(data).__name__}")
    if by not in data.columns:
        raise InputError(f"`by` column {by!r} not found; columns are {list(data.columns)}", column=by)
    check_choice("test", test, ("welch", "student"))
    check_choice("categorical_test", categorical_test, ("auto", "chi2", "chi2-yates", "fisher"))
    check_choice("missing", missing, ("ifany", "always", "no"))
    policy = TestPolicy(continuous=test, categorical=categorical_test, confidence_level=confidence_level)
    import numpy as np

    choices: list[str] = []
    codes, uniques = pd.factorize(data[by], use_na_sentinel=True)
    gnull = codes < 0
    if gnull.any():
        choices.append(f"{int(gnull.sum())} row(s) with a missing {by!r} left out of the table")
        data = data[~gnull]
        codes = codes[~gnull]
    utext = np.array([str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in uniques],
                     dtype=object)
    gtext = utext[codes]
    present = sorted(set(utext.tolist()))
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
        raise InputError(f"column {by!r} has {len(order)} group(s); Table 1 compares at least 2", column=by)
    frame = data.assign(**{by: gtext})
    specs, inferred, left_out = infer_specs(frame, by=by, include=include, categorical=categorical,
                                            continuous=continuous, nonnormal=nonnormal, policy=policy)
    if labels:
        from dataclasses import replace

        specs = [replace(s, label=labels.get(s.name, s.label)) for s in specs]
    groups = GroupSpec(by, tuple(order), dict(group_labels or {}))
    return build_table1(frame, specs, groups, policy, overall=overall, smd=smd, missing=missing, title=title,
                        choices=inferred + choices, left_out=left_out)
