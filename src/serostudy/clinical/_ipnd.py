"""NMOSD diagnosis by the 2015 IPND criteria, and a flag for possible MOGAD (2023).

A decision procedure over recorded findings (Wingerchuk et al., Neurology 2015;85:177-189,
Table 1 and Table 2):

**AQP4-IgG positive**: at least one core clinical characteristic, a positive AQP4-IgG
test, and exclusion of alternative diagnoses.

**AQP4-IgG negative or unknown**: at least two core clinical characteristics, from one or
more attacks, such that

a. at least one is optic neuritis, acute myelitis with LETM, or area postrema syndrome;
b. they are different characteristics (dissemination in space);
c. each meets its additional MRI requirement;

and exclusion of alternative diagnoses.

The six core clinical characteristics are optic neuritis, acute myelitis, area postrema
syndrome, acute brainstem syndrome, symptomatic narcolepsy or acute diencephalic
syndrome *with NMOSD-typical diencephalic MRI lesions*, and symptomatic cerebral syndrome
*with NMOSD-typical brain lesions* (the last two need their lesion in both branches).

Additional MRI requirements (negative/unknown branch): optic neuritis needs a brain MRI
that is normal or shows only nonspecific white-matter lesions, *or* an optic nerve
lesion over > 1/2 of the nerve or involving the chiasm; acute myelitis needs an
intramedullary lesion over >= 3 contiguous segments (LETM) or >= 3 contiguous segments
of focal cord atrophy; area postrema syndrome needs a dorsal medulla/area postrema
lesion; acute brainstem syndrome needs a periependymal brainstem lesion.

MOGAD (Banwell et al., Lancet Neurol 2023;22:268-282): a core demyelinating event and a
positive MOG-IgG cell-based assay; a clear positive needs nothing more, a low positive
or a positive without titre also needs AQP4-IgG negative and at least one supporting
clinical or MRI feature.  serostudy only *flags* possible MOGAD: excluding a better
diagnosis is the clinician's call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CORE_CHARACTERISTICS",
    "MOG_SUPPORTING_FEATURES",
    "MriFindings",
    "IpndVerdict",
    "ipnd_2015",
    "ipnd_frame",
]

AQP4Status = Literal["positive", "negative", "unknown"]
MogStatus = Literal["clear_positive", "low_positive", "positive_no_titre", "negative", "not_tested"]

CORE_CHARACTERISTICS: tuple[str, ...] = (
    "optic_neuritis",
    "acute_myelitis",
    "area_postrema",
    "acute_brainstem",
    "diencephalic",
    "cerebral",
)
"""The six core clinical characteristics of the 2015 IPND criteria (names used here)."""

_LABELS = {
    "optic_neuritis": "optic neuritis",
    "acute_myelitis": "acute myelitis",
    "area_postrema": "area postrema syndrome",
    "acute_brainstem": "acute brainstem syndrome",
    "diencephalic": "narcolepsy/acute diencephalic syndrome",
    "cerebral": "symptomatic cerebral syndrome",
}

MOG_SUPPORTING_FEATURES: tuple[str, ...] = (
    "bilateral_optic_neuritis",
    "long_optic_nerve_lesion",
    "perineural_optic_sheath_enhancement",
    "optic_disc_oedema",
    "letm",
    "central_cord_lesion_or_h_sign",
    "conus_lesion",
    "multiple_ill_defined_t2_lesions",
    "deep_grey_matter_lesion",
    "ill_defined_brainstem_lesion",
    "cortical_lesion",
)
"""Supporting clinical or MRI features of the 2023 MOGAD criteria (names used here)."""

_MOG_ALIASES = {
    "clear_positive": "clear_positive",
    "clear positive": "clear_positive",
    "low_positive": "low_positive",
    "low positive": "low_positive",
    "positive_no_titre": "positive_no_titre",
    "positive": "positive_no_titre",
    "negative": "negative",
    "not_tested": "not_tested",
    "not tested": "not_tested",
    "unknown": "not_tested",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MriFindings:
    """MRI findings used by the criteria; ``None`` means not recorded.

    Attributes
    ----------
    brain_normal_or_nonspecific
        Brain MRI normal or only nonspecific white-matter lesions (optic neuritis, a).
    optic_nerve_long_or_chiasm
        Optic nerve T2/T1-Gd lesion over > 1/2 of its length or involving the chiasm
        (optic neuritis, b).
    spinal_letm
        Intramedullary lesion over >= 3 contiguous vertebral segments.
    spinal_atrophy_3_segments
        Focal cord atrophy over >= 3 contiguous segments after a compatible myelitis.
    dorsal_medulla_lesion
        Dorsal medulla / area postrema lesion.
    periependymal_brainstem_lesion
        Periependymal brainstem lesion.
    diencephalic_lesion
        NMOSD-typical diencephalic lesion.
    cerebral_lesion
        NMOSD-typical brain lesion.
    """

    brain_normal_or_nonspecific: bool | None = None
    optic_nerve_long_or_chiasm: bool | None = None
    spinal_letm: bool | None = None
    spinal_atrophy_3_segments: bool | None = None
    dorsal_medulla_lesion: bool | None = None
    periependymal_brainstem_lesion: bool | None = None
    diencephalic_lesion: bool | None = None
    cerebral_lesion: bool | None = None


MRI_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(MriFindings))


@dataclass(frozen=True, slots=True)
class IpndVerdict:
    """The verdict of the 2015 IPND criteria, with its reasons.

    Attributes
    ----------
    meets_criteria
        Whether the recorded findings fulfil the criteria.
    verdict
        ``"NMOSD with AQP4-IgG"``, ``"NMOSD without AQP4-IgG"``, ``"NMOSD with unknown
        AQP4-IgG status"`` or ``"criteria not met"``.
    aqp4
        AQP4-IgG status used: ``"positive"``, ``"negative"`` or ``"unknown"``.
    present
        Core clinical characteristics recorded.
    counted
        Core characteristics that count (after their MRI requirement, where one applies).
    mri_failed
        One sentence per characteristic whose MRI requirement failed or was not recorded.
    key_characteristic
        At least one counted characteristic is optic neuritis, myelitis with LETM or
        area postrema syndrome (required in the negative/unknown branch).
    dissemination_in_space
        Two or more different counted characteristics.
    alternative_diagnoses_excluded
        As recorded by the clinician.
    possible_mogad
        MOG-IgG positive with a core MOGAD event (and, for a low positive, AQP4-IgG
        negative and a supporting feature): review against the 2023 MOGAD criteria.
    reasons
        The decision, step by step, in words.
    """

    meets_criteria: bool
    verdict: str
    aqp4: str
    present: tuple[str, ...]
    counted: tuple[str, ...]
    mri_failed: tuple[str, ...]
    key_characteristic: bool
    dissemination_in_space: bool
    alternative_diagnoses_excluded: bool
    possible_mogad: bool = False
    mogad_reasons: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v) for f in fields(self)}


def _aqp4(value: object) -> AQP4Status:
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text in ("positive", "negative", "unknown"):
        return text
    raise InputError(
        f"AQP4-IgG status must be one of {{'positive', 'negative', 'unknown'}}, got {value!r}"
    )


def _mog(value: object) -> MogStatus:
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text in _MOG_ALIASES:
        return _MOG_ALIASES[text]  # type: ignore[return-value]
    allowed = ", ".join(repr(k) for k in ("clear_positive", "low_positive", "positive_no_titre", "negative", "not_tested"))
    raise InputError(f"MOG-IgG status must be one of {{{allowed}}}, got {value!r}")


def _core_set(core: Iterable[str] | Mapping[str, Any]) -> tuple[str, ...]:
    if isinstance(core, Mapping):
        items = [k for k, v in core.items() if bool(v)]
        keys = list(core)
    else:
        items = list(core)
        keys = items
    unknown = [k for k in keys if k not in CORE_CHARACTERISTICS]
    if unknown:
        raise InputError(
            f"unknown core clinical characteristic(s) {unknown}; expected names from {list(CORE_CHARACTERISTICS)}"
        )
    return tuple(c for c in CORE_CHARACTERISTICS if c in items)


def _mri_requirement(c: str, mri: MriFindings) -> tuple[bool, str]:
    """(met, explanation) for the additional MRI requirement of characteristic ``c``."""
    if c == "optic_neuritis":
        a, b = mri.brain_normal_or_nonspecific, mri.optic_nerve_long_or_chiasm
        if a or b:
            return True, ""
        if a is None and b is None:
            return False, "optic neuritis: brain and optic nerve MRI not recorded"
        return False, ("optic neuritis: brain MRI not normal/nonspecific and no optic nerve lesion over "
                       "> 1/2 of its length or involving the chiasm")
    if c == "acute_myelitis":
        a, b = mri.spinal_letm, mri.spinal_atrophy_3_segments
        if a or b:
            return True, ""
        if a is None and b is None:
            return False, "acute myelitis: spinal MRI not recorded"
        return False, "acute myelitis: no LETM (lesion over >= 3 contiguous segments) and no >= 3-segment cord atrophy"
    req = {
        "area_postrema": ("dorsal_medulla_lesion", "area postrema syndrome: no dorsal medulla/area postrema lesion"),
        "acute_brainstem": ("periependymal_brainstem_lesion", "acute brainstem syndrome: no periependymal brainstem lesion"),
        "diencephalic": ("diencephalic_lesion", "diencephalic syndrome: no NMOSD-typical diencephalic lesion"),
        "cerebral": ("cerebral_lesion", "cerebral syndrome: no NMOSD-typical brain lesion"),
    }[c]
    v = getattr(mri, req[0])
    if v:
        return True, ""
    if v is None:
        return False, req[1].replace("no ", "", 1).rstrip() + " not recorded"
    return False, req[1]


def ipnd_2015(
    *,
    core: Iterable[str] | Mapping[str, Any],
    aqp4: AQP4Status,
    mri: MriFindings | Mapping[str, Any] | None = None,
    alternative_diagnoses_excluded: bool = True,
    mog_igg: MogStatus = "not_tested",
    mog_supporting: Iterable[str] = (),
) -> IpndVerdict:
    """Apply the 2015 IPND criteria for NMOSD to one patient's recorded findings.

    Parameters
    ----------
    core
        Core clinical characteristics present (names from ``CORE_CHARACTERISTICS``),
        as an iterable of names or a mapping name -> bool.
    aqp4
        AQP4-IgG status: ``"positive"``, ``"negative"`` or ``"unknown"`` (not tested or
        testing unavailable; the criteria treat it like negative).
    mri
        MRI findings (:class:`MriFindings` or a mapping of its fields).
    alternative_diagnoses_excluded
        Whether the clinician excluded alternative diagnoses (required by both branches).
    mog_igg
        MOG-IgG cell-based assay: ``"clear_positive"``, ``"low_positive"``,
        ``"positive_no_titre"``, ``"negative"`` or ``"not_tested"``.
    mog_supporting
        Supporting features of the 2023 MOGAD criteria present (names from
        ``MOG_SUPPORTING_FEATURES``); an LETM in ``mri`` counts as one.

    Returns
    -------
    IpndVerdict

    Raises
    ------
    InputError
        An AQP4 or MOG value outside the vocabulary, or an unknown characteristic name.

    Notes
    -----
    Tested on worked cases built from Wingerchuk et al. (2015) Tables 1-2, for both
    branches, every MRI requirement and the dissemination-in-space rule
    (``tests/clinical/test_clinical_ipnd.py``).

    Examples
    --------
    >>> from serostudy.clinical import ipnd_2015
    >>> v = ipnd_2015(core=["optic_neuritis", "acute_myelitis"], aqp4="negative",
    ...               mri={"spinal_letm": True, "brain_normal_or_nonspecific": True})
    >>> v.verdict, v.dissemination_in_space
    ('NMOSD without AQP4-IgG', True)
    >>> ipnd_2015(core=["acute_myelitis"], aqp4="positive").verdict
    'NMOSD with AQP4-IgG'
    """
    status = _aqp4(aqp4)
    mog = _mog(mog_igg)
    present = _core_set(core)
    if mri is None:
        mri_obj = MriFindings()
    elif isinstance(mri, MriFindings):
        mri_obj = mri
    else:
        bad = [k for k in mri if k not in MRI_FIELDS]
        if bad:
            raise InputError(f"unknown MRI finding(s) {bad}; expected names from {list(MRI_FIELDS)}")
        mri_obj = MriFindings(**{k: (None if v is None else bool(v)) for k, v in mri.items()})
    supporting = tuple(mog_supporting)
    bad = [s for s in supporting if s not in MOG_SUPPORTING_FEATURES]
    if bad:
        raise InputError(f"unknown MOGAD supporting feature(s) {bad}; expected names from {list(MOG_SUPPORTING_FEATURES)}")

    reasons: list[str] = []
    failed: list[str] = []
    counted: list[str] = []
    if present:
        reasons.append("core characteristics recorded: " + ", ".join(_LABELS[c] for c in present))
    else:
        reasons.append("no core clinical characteristic recorded")
    for c in present:
        if status == "positive" and c not in ("diencephalic", "cerebral"):
            counted.append(c)
            continue
        ok, why = _mri_requirement(c, mri_obj)
        if ok:
            counted.append(c)
        else:
            failed.append(why)
    reasons.extend(f"not counted: {w}" for w in failed)
    letm = bool(mri_obj.spinal_letm)
    key = any(c in ("optic_neuritis", "area_postrema") for c in counted) or (
        "acute_myelitis" in counted and letm
    )
    dis = len(counted) >= 2
    if status == "positive":
        ok = len(counted) >= 1
        reasons.append(
            "AQP4-IgG positive: needs >= 1 core characteristic: "
            + ("met" if ok else "not met")
        )
        label = "NMOSD with AQP4-IgG"
    else:
        reasons.append(f"AQP4-IgG {status}: needs >= 2 core characteristics meeting their MRI requirements")
        reasons.append(
            "at least one of optic neuritis, acute myelitis with LETM, area postrema syndrome: "
            + ("met" if key else "not met")
        )
        reasons.append(
            f"dissemination in space ({len(counted)} different characteristic(s) counted): "
            + ("met" if dis else "not met")
        )
        ok = key and dis
        label = "NMOSD without AQP4-IgG" if status == "negative" else "NMOSD with unknown AQP4-IgG status"
    if not alternative_diagnoses_excluded:
        reasons.append("alternative diagnoses not excluded")
        ok = False
    meets = bool(ok)

    # MOGAD flag (2023)
    mog_reasons: list[str] = []
    possible_mogad = False
    if mog in ("clear_positive", "low_positive", "positive_no_titre"):
        mogad_core = [c for c in present if c in ("optic_neuritis", "acute_myelitis", "acute_brainstem",
                                                  "area_postrema", "cerebral", "diencephalic")]
        feats = set(supporting) | ({"letm"} if letm else set())
        if not mogad_core:
            mog_reasons.append("MOG-IgG positive but no core MOGAD demyelinating event recorded")
        elif mog == "clear_positive":
            possible_mogad = True
            mog_reasons.append("MOG-IgG clear positive with a core demyelinating event")
        elif status != "negative":
            mog_reasons.append(f"MOG-IgG {mog.replace('_', ' ')}: needs AQP4-IgG negative, got {status}")
        elif not feats:
            mog_reasons.append(f"MOG-IgG {mog.replace('_', ' ')}: needs a supporting clinical or MRI feature, none recorded")
        else:
            possible_mogad = True
            mog_reasons.append(
                f"MOG-IgG {mog.replace('_', ' ')}, AQP4-IgG negative, supporting feature(s): {', '.join(sorted(feats))}"
            )
        if possible_mogad:
            mog_reasons.append("possible MOGAD (2023 criteria): review the diagnosis")
            if status == "positive":
                mog_reasons.append("AQP4-IgG also positive: double seropositivity")
    return IpndVerdict(
        meets_criteria=meets,
        verdict=label if meets else "criteria not met",
        aqp4=status,
        present=present,
        counted=tuple(counted),
        mri_failed=tuple(failed),
        key_characteristic=bool(key),
        dissemination_in_space=bool(dis),
        alternative_diagnoses_excluded=bool(alternative_diagnoses_excluded),
        possible_mogad=possible_mogad,
        mogad_reasons=tuple(mog_reasons),
        reasons=tuple(reasons + mog_reasons),
    )


def _truthy(v: object, *, pid: object, col: str, row: int, file: str | None) -> bool | None:
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("1", "true", "yes", "y", "present"):
            return True
        if t in ("0", "false", "no", "n", "absent"):
            return False
        if t == "":
            return None
    elif isinstance(v, (bool, int, float)) and v in (0, 1):
        return bool(v)
    raise DataError(f"participant {pid!r}: expected yes/no (1/0, true/false), got {v!r}", file=file, row=row, column=col)


def ipnd_frame(
    data: "pd.DataFrame",
    *,
    id_column: str,
    aqp4_column: str = "aqp4_igg",
    core_prefix: str = "core_",
    mri_prefix: str = "mri_",
    mog_column: str | None = "mog_igg",
    alternatives_column: str | None = None,
    file: str | None = None,
) -> "pd.DataFrame":
    """Apply :func:`ipnd_2015` to every row of a table.

    Core characteristics are read from ``<core_prefix><name>`` columns and MRI findings
    from ``<mri_prefix><field>`` columns (yes/no, 1/0 or true/false; empty = not
    recorded).  A missing AQP4 cell is read as ``"unknown"`` and says so in the reasons.

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``: ``ipnd_verdict``, ``ipnd_met``, ``ipnd_counted``,
        ``ipnd_mri_failed``, ``ipnd_dis``, ``possible_mogad``, ``ipnd_reasons``.

    Raises
    ------
    DataError
        An unknown AQP4 value or a non yes/no cell, naming participant, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import ipnd_frame
    >>> df = pd.DataFrame({"id": ["P1"], "aqp4_igg": ["unknown"], "core_optic_neuritis": [1],
    ...                    "core_area_postrema": [1], "mri_brain_normal_or_nonspecific": [1],
    ...                    "mri_dorsal_medulla_lesion": [1]})
    >>> ipnd_frame(df, id_column="id").loc[0, "ipnd_verdict"]
    'NMOSD with unknown AQP4-IgG status'
    """
    import pandas as pd

    if aqp4_column not in data.columns:
        raise DataError(f"AQP4-IgG column {aqp4_column!r} not found", file=file, column=aqp4_column)
    core_cols = {c: f"{core_prefix}{c}" for c in CORE_CHARACTERISTICS if f"{core_prefix}{c}" in data.columns}
    mri_cols = {m: f"{mri_prefix}{m}" for m in MRI_FIELDS if f"{mri_prefix}{m}" in data.columns}
    rows = []
    for i, (_, r) in enumerate(data.iterrows()):
        pid = r[id_column]
        row = i + 2
        raw = r[aqp4_column]
        note = []
        status: AQP4Status
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            status = "unknown"
            note.append("AQP4-IgG not recorded: treated as unknown")
        else:
            try:
                status = _aqp4(raw)
            except InputError as exc:
                raise DataError(f"participant {pid!r}: {exc.reason}", file=file, row=row, column=aqp4_column) from None
        core = {c: bool(_truthy(r[col], pid=pid, col=col, row=row, file=file)) for c, col in core_cols.items()}
        mri = {m: _truthy(r[col], pid=pid, col=col, row=row, file=file) for m, col in mri_cols.items()}
        mog: MogStatus = "not_tested"
        if mog_column and mog_column in data.columns:
            mv = r[mog_column]
            if not (mv is None or (not isinstance(mv, str) and pd.isna(mv))):
                try:
                    mog = _mog(mv)
                except InputError as exc:
                    raise DataError(f"participant {pid!r}: {exc.reason}", file=file, row=row, column=mog_column) from None
        alt = True
        if alternatives_column:
            alt = bool(_truthy(r[alternatives_column], pid=pid, col=alternatives_column, row=row, file=file))
        v = ipnd_2015(core=core, aqp4=status, mri=mri, mog_igg=mog, alternative_diagnoses_excluded=alt)
        rows.append({
            "ipnd_verdict": v.verdict,
            "ipnd_met": v.meets_criteria,
            "ipnd_counted": ", ".join(v.counted),
            "ipnd_mri_failed": "; ".join(v.mri_failed),
            "ipnd_dis": v.dissemination_in_space,
            "possible_mogad": v.possible_mogad,
            "ipnd_reasons": "; ".join(note + list(v.reasons)),
        })
    return pd.DataFrame(rows, index=data.index)
