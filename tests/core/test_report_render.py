"""report.html renders in headless Chromium with both tables and both figures.

Chromium comes from Debian's package (``.ci/run`` installs it); where it is absent the
test is skipped with a reason.  The screenshot is kept in the output folder
(``report.png``) so a person can look at it.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package 'chromium')")


def _chromium(args, tmp_path):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_report_renders_with_both_tables_and_figures(demo_run, tmp_path):
    url = (demo_run.out_dir / "report.html").resolve().as_uri()
    dom = _chromium(["--dump-dom", url], tmp_path).stdout
    assert 'id="table1"' in dom and 'id="table2"' in dom
    imgs = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', dom)
    assert any(a.startswith("Box plot") for a in imgs) and any(a.startswith("Scatter plot") for a in imgs)
    assert "SYNTHETIC DATA" in dom

    shot = demo_run.out_dir / "report.png"
    _chromium([f"--screenshot={shot}", "--window-size=1200,5200", url], tmp_path)
    import matplotlib.image as mpimg

    px = mpimg.imread(shot)[..., :3]
    assert px.shape[0] >= 5000 and px.shape[1] >= 1200
    # not blank, and the figures' colours are on the page (palette blue #1b6ca8, red #d1495b)
    assert px.std() > 0.05
    blue = np.all(np.abs(px - np.array([0x1B, 0x6C, 0xA8]) / 255) < 0.06, axis=-1).sum()
    red = np.all(np.abs(px - np.array([0xD1, 0x49, 0x5B]) / 255) < 0.06, axis=-1).sum()
    assert blue > 200 and red > 200, (blue, red)
