"""IPND 2015 NMOSD criteria on worked cases built from Wingerchuk et al., Neurology 2015,
Table 1 (criteria) and Table 2 (additional MRI requirements), and the 2023 MOGAD flag
(Banwell et al., Lancet Neurol 2023)."""

from __future__ import annotations

import pandas as pd
import pytest

from serostudy.clinical import MriFindings, ipnd_2015, ipnd_frame
from serostudy.exceptions import DataError, InputError

NORMAL_BRAIN = {"brain_normal_or_nonspecific": True}


# ---------------------------------------------------------------- AQP4-IgG positive branch

def test_aqp4_positive_single_myelitis_is_enough():
    v = ipnd_2015(core=["acute_myelitis"], aqp4="positive")  # no MRI requirement in this branch
    assert v.meets_criteria and v.verdict == "NMOSD with AQP4-IgG"
    assert v.counted == ("acute_myelitis",) and not v.dissemination_in_space


def test_aqp4_positive_area_postrema_alone():
    assert ipnd_2015(core={"area_postrema": True, "optic_neuritis": False}, aqp4="positive").meets_criteria


def test_aqp4_positive_without_core_characteristic():
    v = ipnd_2015(core=[], aqp4="positive")
    assert not v.meets_criteria and v.verdict == "criteria not met"
    assert any("no core clinical characteristic" in r for r in v.reasons)


def test_aqp4_positive_cerebral_syndrome_needs_typical_lesion():
    assert not ipnd_2015(core=["cerebral"], aqp4="positive", mri={"cerebral_lesion": False}).meets_criteria
    assert ipnd_2015(core=["cerebral"], aqp4="positive", mri={"cerebral_lesion": True}).meets_criteria


# ---------------------------------------------------------------- AQP4-IgG negative / unknown branch

def test_negative_optic_neuritis_and_letm_myelitis():
    v = ipnd_2015(core=["optic_neuritis", "acute_myelitis"], aqp4="negative",
                  mri={**NORMAL_BRAIN, "spinal_letm": True})
    assert v.meets_criteria and v.verdict == "NMOSD without AQP4-IgG"
    assert v.key_characteristic and v.dissemination_in_space and v.mri_failed == ()


def test_negative_single_characteristic_fails_dissemination_in_space():
    # recurrent optic neuritis: one characteristic, however many attacks
    v = ipnd_2015(core=["optic_neuritis"], aqp4="negative", mri=NORMAL_BRAIN)
    assert not v.meets_criteria and v.key_characteristic and not v.dissemination_in_space
    assert any("dissemination in space (1 different" in r and "not met" in r for r in v.reasons)


def test_negative_short_myelitis_lesion_fails_mri_requirement():
    v = ipnd_2015(core=["optic_neuritis", "acute_myelitis"], aqp4="negative",
                  mri={**NORMAL_BRAIN, "spinal_letm": False, "spinal_atrophy_3_segments": False})
    assert not v.meets_criteria
    assert v.counted == ("optic_neuritis",)
    assert any("acute myelitis: no LETM" in m for m in v.mri_failed)


def test_negative_without_on_letm_or_aps_fails():
    # brainstem + cerebral syndromes, both with their lesions: DIS holds but no key characteristic
    v = ipnd_2015(core=["acute_brainstem", "cerebral"], aqp4="negative",
                  mri={"periependymal_brainstem_lesion": True, "cerebral_lesion": True})
    assert v.dissemination_in_space and not v.key_characteristic and not v.meets_criteria


def test_negative_area_postrema_and_brainstem_with_lesions():
    v = ipnd_2015(core=["area_postrema", "acute_brainstem"], aqp4="negative",
                  mri={"dorsal_medulla_lesion": True, "periependymal_brainstem_lesion": True})
    assert v.meets_criteria and v.key_characteristic


def test_negative_area_postrema_without_dorsal_medulla_lesion():
    v = ipnd_2015(core=["area_postrema", "optic_neuritis"], aqp4="negative",
                  mri={**NORMAL_BRAIN, "dorsal_medulla_lesion": False})
    assert not v.meets_criteria and v.counted == ("optic_neuritis",)
    assert any("dorsal medulla" in m for m in v.mri_failed)


def test_unknown_status_optic_nerve_lesion_and_myelitis_by_atrophy():
    # ON counts through the optic nerve lesion (brain MRI not normal); myelitis through
    # >= 3 segments of atrophy; ON is the key characteristic
    v = ipnd_2015(core=["optic_neuritis", "acute_myelitis"], aqp4="unknown",
                  mri=MriFindings(brain_normal_or_nonspecific=False, optic_nerve_long_or_chiasm=True,
                                  spinal_letm=False, spinal_atrophy_3_segments=True))
    assert v.meets_criteria and v.verdict == "NMOSD with unknown AQP4-IgG status"


def test_myelitis_by_atrophy_is_not_the_key_characteristic():
    v = ipnd_2015(core=["acute_myelitis", "acute_brainstem"], aqp4="unknown",
                  mri={"spinal_atrophy_3_segments": True, "periependymal_brainstem_lesion": True})
    assert v.counted == ("acute_myelitis", "acute_brainstem")
    assert not v.key_characteristic and not v.meets_criteria


def test_optic_neuritis_with_ms_like_brain_and_short_nerve_lesion():
    v = ipnd_2015(core=["optic_neuritis", "acute_myelitis"], aqp4="negative",
                  mri={"brain_normal_or_nonspecific": False, "optic_nerve_long_or_chiasm": False,
                       "spinal_letm": True})
    assert not v.meets_criteria and v.counted == ("acute_myelitis",)
    assert v.key_characteristic  # myelitis with LETM is key, but one characteristic only
    assert not v.dissemination_in_space


def test_mri_not_recorded_says_so():
    v = ipnd_2015(core=["optic_neuritis", "area_postrema"], aqp4="negative")
    assert not v.meets_criteria
    assert any("not recorded" in m for m in v.mri_failed) and len(v.mri_failed) == 2


def test_alternative_diagnoses_not_excluded():
    v = ipnd_2015(core=["acute_myelitis"], aqp4="positive", alternative_diagnoses_excluded=False)
    assert not v.meets_criteria and "alternative diagnoses not excluded" in v.reasons


# ---------------------------------------------------------------- MOGAD flag (2023)

def test_mog_clear_positive_flags_possible_mogad():
    v = ipnd_2015(core=["optic_neuritis"], aqp4="negative", mri=NORMAL_BRAIN, mog_igg="clear_positive")
    assert v.possible_mogad and not v.meets_criteria
    assert any("possible MOGAD" in r for r in v.reasons)


def test_mog_low_positive_needs_aqp4_negative_and_supporting_feature():
    base = dict(core=["optic_neuritis", "acute_myelitis"], mri={**NORMAL_BRAIN, "spinal_letm": False,
                                                                 "spinal_atrophy_3_segments": False})
    assert not ipnd_2015(aqp4="unknown", mog_igg="low_positive", **base).possible_mogad
    assert not ipnd_2015(aqp4="negative", mog_igg="low_positive", **base).possible_mogad
    v = ipnd_2015(aqp4="negative", mog_igg="low_positive", mog_supporting=["bilateral_optic_neuritis"], **base)
    assert v.possible_mogad
    # an LETM recorded on MRI is itself a supporting feature
    base["mri"] = {**NORMAL_BRAIN, "spinal_letm": True}
    assert ipnd_2015(aqp4="negative", mog_igg="low_positive", **base).possible_mogad


def test_double_seropositive_is_flagged():
    v = ipnd_2015(core=["acute_myelitis"], aqp4="positive", mog_igg="clear_positive")
    assert v.meets_criteria and v.possible_mogad
    assert any("double seropositivity" in r for r in v.mogad_reasons)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad", ["pos", "weakly positive", "", None, 1, "seronegative"])
def test_unknown_aqp4_value(bad):
    with pytest.raises(ValueError) as e:
        ipnd_2015(core=["optic_neuritis"], aqp4=bad)
    assert isinstance(e.value, InputError)
    assert "AQP4-IgG status must be one of" in str(e.value) and repr(bad) in str(e.value)


def test_unknown_names():
    with pytest.raises(InputError, match="core clinical characteristic"):
        ipnd_2015(core=["optic neuritis"], aqp4="positive")
    with pytest.raises(InputError, match="MRI finding"):
        ipnd_2015(core=[], aqp4="positive", mri={"letm": True})
    with pytest.raises(InputError, match="MOG-IgG status"):
        ipnd_2015(core=[], aqp4="positive", mog_igg="maybe")


def test_frame_names_participant_for_unknown_aqp4():
    df = pd.DataFrame({"id": ["P1", "P2"], "aqp4_igg": ["negative", "Positive?"],
                       "core_optic_neuritis": [1, 1]})
    with pytest.raises(DataError) as e:
        ipnd_frame(df, id_column="id", file="patients.csv")
    msg = str(e.value)
    assert "'P2'" in msg and "row 3" in msg and "aqp4_igg" in msg and "'Positive?'" in msg


def test_frame_reads_yes_no_and_missing_aqp4():
    df = pd.DataFrame({"id": ["P1", "P2"], "aqp4_igg": [None, "POSITIVE"],
                       "core_optic_neuritis": ["yes", "no"], "core_acute_myelitis": ["yes", "yes"],
                       "mri_brain_normal_or_nonspecific": ["yes", None], "mri_spinal_letm": [1, 0]})
    out = ipnd_frame(df, id_column="id")
    assert out["ipnd_verdict"].tolist() == ["NMOSD with unknown AQP4-IgG status", "NMOSD with AQP4-IgG"]
    assert "treated as unknown" in out.loc[0, "ipnd_reasons"]
