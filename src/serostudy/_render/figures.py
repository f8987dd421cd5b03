"""Figures (matplotlib, Agg backend): drawn from data computed in the analysis layer.

Output is deterministic: jitter is seeded, SVG ids are salted with a fixed string and
the date metadata is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO, StringIO
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from serostudy._analysis.figures import LineFit

PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8d6a9f")


def _mpl():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.hashsalt": "serostudy",
        "svg.fonttype": "none",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return plt


def _watermark(fig: "Figure") -> None:
    fig.text(0.99, 0.01, "SYNTHETIC DATA", ha="right", va="bottom", fontsize=8, color="#b00020", alpha=0.8)


def _finish(fig: "Figure", ax, title: str | None, synthetic: bool) -> "Figure":
    if title:
        ax.set_title(title, fontsize=10)
    if synthetic:
        _watermark(fig)
    fig.tight_layout()
    return fig


def box_by_group(
    values: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    ylabel: str,
    censored: Sequence[np.ndarray] | None = None,
    reference_lines: Sequence[tuple[float, str]] = (),
    seed: int = 0,
    synthetic: bool = False,
    title: str | None = None,
) -> "Figure":
    """Box plot per group with every participant as a jittered point.

    Censored values (``censored[i]`` true) are drawn as open triangles at their limit.
    """
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=120)
    rng = np.random.default_rng(seed)
    data = [np.asarray(v, float)[~np.isnan(np.asarray(v, float))] for v in values]
    ax.boxplot(data, positions=range(1, len(data) + 1), widths=0.5, showfliers=False,
               medianprops={"color": "black"}, boxprops={"color": "#444"})
    for i, v in enumerate(values):
        v = np.asarray(v, float)
        ok = ~np.isnan(v)
        cen = np.asarray(censored[i], bool) if censored is not None else np.zeros(len(v), bool)
        xj = i + 1 + rng.uniform(-0.15, 0.15, size=len(v))
        color = PALETTE[i % len(PALETTE)]
        ax.scatter(xj[ok & ~cen], v[ok & ~cen], s=16, alpha=0.75, color=color, zorder=3, linewidths=0)
        if (ok & cen).any():
            ax.scatter(xj[ok & cen], v[ok & cen], s=28, marker="v", facecolors="none", edgecolors=color,
                       zorder=3, label="censored (at limit)")
    for y, lab in reference_lines:
        ax.axhline(y, ls="--", lw=0.8, color="#888")
        ax.text(len(data) + 0.45, y, lab, va="bottom", ha="right", fontsize=8, color="#555")
    ax.set_xticks(range(1, len(data) + 1), [f"{lab}\n(n = {len(d)})" for lab, d in zip(labels, data)])
    ax.set_ylabel(ylabel)
    return _finish(fig, ax, title, synthetic)


def scatter_with_fit(
    fit: "LineFit",
    *,
    xlabel: str,
    ylabel: str,
    annotation: str = "",
    synthetic: bool = False,
    title: str | None = None,
) -> "Figure":
    """Scatter with the least-squares line and its confidence band."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=120)
    ax.scatter(fit.x, fit.y, s=18, alpha=0.8, color=PALETTE[1], linewidths=0, zorder=3)
    if np.isfinite(fit.slope):
        ax.fill_between(fit.grid, fit.low, fit.high, color=PALETTE[0], alpha=0.18, lw=0,
                        label=f"{fit.confidence_level:.0%} CI of the fitted mean")
        ax.plot(fit.grid, fit.fit, color=PALETTE[0], lw=1.6, label="least-squares line")
        ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotation:
        ax.text(0.02, 0.98, annotation, transform=ax.transAxes, va="top", fontsize=9)
    return _finish(fig, ax, title, synthetic)


def figure_bytes(fig: "Figure") -> tuple[bytes, str]:
    """PNG bytes and SVG text of a figure (deterministic metadata); closes the figure."""
    plt = _mpl()
    png = BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None})
    svg = StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return png.getvalue(), svg.getvalue()
