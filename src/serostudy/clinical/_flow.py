"""STROBE-style participant flow diagram, drawn with matplotlib.

One column per group: *Assessed for eligibility* -> *Analysed*, with a box to the side
listing every exclusion step and its count (zero counts included, so the reader sees
each rule was applied).  The numbers come from a :class:`~serostudy.clinical.Flow`,
which is checked to add up before drawing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from serostudy.clinical._eligibility import Flow

__all__ = ["flow_figure", "flow_text"]


def flow_text(flow: "Flow") -> str:
    """The flow in plain words, one line per box (alt text of the figure).

    Examples
    --------
    >>> from serostudy.clinical import Flow, FlowStep, flow_text
    >>> f = Flow(("case",), {"case": 3}, (FlowStep("b12", "B12 supplements", "exclusion", {"case": 1}),),
    ...          {"case": 2})
    >>> print(flow_text(f))
    case: assessed 3; excluded 1 (B12 supplements: 1); analysed 2
    """
    lines = []
    for g in flow.groups:
        parts = "; ".join(f"{s.label}: {s.excluded.get(g, 0)}" for s in flow.steps if s.applies(g))
        out = sum(s.excluded.get(g, 0) for s in flow.steps)
        lab = flow.labels.get(g, g)
        lines.append(f"{lab}: assessed {flow.assessed[g]}; excluded {out} ({parts}); analysed {flow.analysed[g]}")
    return "\n".join(lines)


def _wrap(text: str, width: int) -> str:
    import textwrap

    text = text.replace("n = ", "n\u00a0=\u00a0")  # keep "(n = k)" on one line
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def flow_figure(flow: "Flow", *, title: str | None = None) -> "Figure":
    """Draw the participant flow as a STROBE-style diagram.

    Parameters
    ----------
    flow
        The participant flow (checked to add up first).
    title
        Optional title above the diagram.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; the caller saves it (``fig.savefig("flow.svg")``).

    Examples
    --------
    >>> from serostudy.clinical import Flow, FlowStep, flow_figure
    >>> f = Flow(("case", "control"), {"case": 3, "control": 2},
    ...          (FlowStep("b12", "B12 supplements", "exclusion", {"case": 1, "control": 0}),),
    ...          {"case": 2, "control": 2})
    >>> fig = flow_figure(f)
    >>> len(fig.axes)
    1
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    flow.check()
    n_groups = len(flow.groups)
    n_steps = max(1, max((sum(s.applies(g) for s in flow.steps) for g in flow.groups), default=1))
    col_w = 6.2
    excl_h = 0.42 * n_steps + 0.9
    height = 0.5 + 1.0 + excl_h + 1.0 + 0.5 + (0.5 if title else 0)
    fig = Figure(figsize=(max(6.5, col_w * n_groups * 0.95), height))
    ax = fig.add_axes((0, 0, 1, 1))
    W = col_w * n_groups
    ax.set_xlim(0, W)
    ax.set_ylim(0, height)
    ax.axis("off")
    box = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="#333333", linewidth=1.0)
    ebox = dict(boxstyle="round,pad=0.4", facecolor="#f5f5f5", edgecolor="#777777", linewidth=0.8)
    y_top = height - (0.9 if title else 0.5)
    if title:
        ax.text(W / 2, height - 0.3, title, ha="center", va="center", fontsize=11, weight="bold")
    total = flow.total("assessed")
    ax.text(W / 2, y_top, f"Assessed for eligibility (n = {total})", ha="center", va="center", fontsize=10, bbox=box)
    for k, g in enumerate(flow.groups):
        x0 = k * col_w
        xc = x0 + col_w * 0.28
        lab = flow.labels.get(g, g)
        y_ass = y_top - 1.0
        ax.add_patch(FancyArrowPatch((W / 2, y_top - 0.25), (xc, y_ass + 0.25), arrowstyle="-|>",
                                     mutation_scale=10, color="#333333", linewidth=0.8))
        ax.text(xc, y_ass, _wrap(f"{lab}\nassessed (n = {flow.assessed[g]})", 26), ha="center", va="center",
                fontsize=9, bbox=box)
        y_an = y_ass - excl_h - 0.6
        ax.add_patch(FancyArrowPatch((xc, y_ass - 0.35), (xc, y_an + 0.35), arrowstyle="-|>",
                                     mutation_scale=10, color="#333333", linewidth=0.8))
        out = sum(s.excluded.get(g, 0) for s in flow.steps)
        lines = [f"Excluded (n = {out})"]
        for s in flow.steps:
            if s.applies(g):
                lines.append(_wrap(f"\u2022 {s.reason} (n = {s.excluded.get(g, 0)})", 44))
        if not flow.steps:
            lines.append("no eligibility rules declared")
        y_ex = (y_ass + y_an) / 2
        ax.plot([xc, xc + 0.45], [y_ex, y_ex], color="#333333", linewidth=0.8)
        ax.text(xc + 0.5, y_ex, "\n".join(lines), ha="left", va="center", fontsize=8, bbox=ebox)
        ax.text(xc, y_an, f"Analysed (n = {flow.analysed[g]})", ha="center", va="center", fontsize=9,
                weight="bold", bbox=box)
    return fig
