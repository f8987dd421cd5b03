"""``assay:`` part of ``study.yaml`` (pydantic model :class:`AssayConfig`).

Example::

    assay:
      plates:
        - plates/plate_1.csv                     # uses `layout` below
        - {file: plates/plate_2.txt, layout: plates/plate_2.layout.toml, format: gen5}
      layout: plates/plate_1.layout.toml
      format: auto                               # auto | grid | mars | gen5 | softmax
      model: 4pl                                 # 4pl | 5pl
      weights: 1/y2                              # none | 1/y | 1/y2 | 1/var
      blank: zero-standard                       # zero-standard | subtract | none
      qc_rules: ich-m10-lba                      # or {base: ich-m10-lba, max_cv: 15}
      analyte: holotc                            # b12 | holotc | total_b12
      unit: pmol/L                               # unit of the target variable
      target: b12_pmol_l                         # codebook variable receiving the results
      sample_id: id                              # participant column matching plate sample ids
      reference_range: study_2025                # named range set (data/assay/ranges.yaml)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from serostudy.assay._qc_rules import RULE_SETS, QCRuleSet


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlateFile(_Strict):
    """One plate-reader file, optionally with its own layout and format."""

    file: str = Field(description="Plate-reader export, relative to study.yaml.")
    layout: str | None = Field(None, description="Plate layout (TOML); default: assay.layout.")
    format: Literal["auto", "grid", "mars", "gen5", "softmax"] | None = Field(
        None, description="Reader format; default: assay.format."
    )


class AssayConfig(_Strict):
    """``assay:`` -- plates to concentrations (docs/assay.md)."""

    plates: list[PlateFile] = Field(description="Plate-reader files (strings or {file, layout, format}).")
    layout: str | None = Field(None, description="Layout used by every plate that does not name its own.")
    format: Literal["auto", "grid", "mars", "gen5", "softmax"] = "auto"
    model: Literal["4pl", "5pl"] = "4pl"
    weights: Literal["none", "1/y", "1/y2", "1/var"] = "1/y2"
    blank: Literal["zero-standard", "subtract", "none"] = "zero-standard"
    qc_rules: str | dict[str, Any] = Field("ich-m10-lba", description="QC rule set name or overrides.")
    analyte: Literal["b12", "holotc", "total_b12"] = "b12"
    unit: str = Field("pmol/L", description="Unit of the target variable (results are converted to it).")
    target: str = Field(description="Codebook variable that receives the concentrations.")
    sample_id: str | None = Field(None, description="Participant column matching the plates' sample ids (default data.id).")
    reference_range: str | None = Field(None, description="Named range set from data/assay/ranges.yaml.")
    confidence_level: float = Field(0.95, gt=0, lt=1)

    @field_validator("plates", mode="before")
    @classmethod
    def _strings_to_files(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"file": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        from serostudy.assay._units import units

        if v not in units():
            raise ValueError(f"unknown unit {v!r}; expected one of {sorted(units())}")
        return v

    @field_validator("reference_range")
    @classmethod
    def _known_range(cls, v: str | None) -> str | None:
        from serostudy.assay._units import range_set_names

        if v is not None and v not in range_set_names():
            raise ValueError(f"unknown reference range set {v!r}; known: {range_set_names()}")
        return v

    @field_validator("qc_rules")
    @classmethod
    def _known_rules(cls, v: Any) -> Any:
        if isinstance(v, str) and v not in RULE_SETS:
            raise ValueError(f"unknown QC rule set {v!r}; known: {sorted(RULE_SETS)}")
        if isinstance(v, dict):
            bad = sorted(set(v) - set(QCRuleSet.__dataclass_fields__) - {"base"})
            if bad:
                raise ValueError(f"unknown QC rule option(s) {bad}")
        return v

    @model_validator(mode="after")
    def _layouts(self) -> "AssayConfig":
        if not self.plates:
            raise ValueError("`plates` must list at least one plate-reader file")
        for i, p in enumerate(self.plates):
            if p.layout is None and self.layout is None:
                raise ValueError(f"plates[{i}] ({p.file}) has no layout and no `assay.layout` is given")
        return self
