"""Shared fixtures for the models tests: R reference values and the data sets R used."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "models"


@pytest.fixture(scope="session")
def ref() -> dict:
    """Everything make_reference.R wrote (R 4.2.2, MASS 7.3-58.2, pwr 1.3.0)."""
    return json.loads((REF_DIR / "reference.json").read_text())


def load(name: str) -> pd.DataFrame:
    df = pd.read_csv(REF_DIR / name)
    if name == "birthwt.csv":
        # R's factor level order, so the treatment contrasts are R's
        df["race"] = pd.Categorical(df["race"], categories=["white", "black", "other"])
    return df


def r_name(term: str) -> str:
    """patsy's 'Eth[T.N]' as R spells it, 'EthN'; 'Intercept' as '(Intercept)'."""
    if term == "Intercept":
        return "(Intercept)"
    return term.replace("[T.", "").replace("]", "")
