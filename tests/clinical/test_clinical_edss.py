"""EDSS on worked cases from the published step definitions.

Each case is one line of the Kurtzke (1983) EDSS definitions as standardised by the
Neurostatus-EDSS (Kappos, definitions 04/10.2 / scoring table 04/10.3): the FS grades
of the example are written out and the expected step is the one the definition names.
"""

from __future__ import annotations

import pandas as pd
import pytest

from serostudy.clinical import EdssOptions, edss, edss_detail, edss_frame
from serostudy.exceptions import DataError, InputError

FS = ("visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral")


def _score(amb=0, options=None, **grades):
    args = {k: 0 for k in FS}
    args.update(grades)
    return edss(**args, ambulation=amb, options=options)


CASES = [
    # (definition, grades, ambulation, expected step)
    ("0: normal neurological exam (all FS 0)", {}, 0, 0.0),
    ("0: cerebral grade 1 acceptable (Neurostatus)", {"cerebral": 1}, 0, 0.0),
    ("1.0: no disability, minimal signs in one FS", {"pyramidal": 1}, 0, 1.0),
    ("1.0: one FS grade 1 plus cerebral 1", {"sensory": 1, "cerebral": 1}, 0, 1.0),
    ("1.5: minimal signs in more than one FS", {"pyramidal": 1, "brainstem": 1}, 0, 1.5),
    ("2.0: minimal disability in one FS", {"cerebellar": 2, "sensory": 1}, 0, 2.0),
    ("2.5: minimal disability in two FS", {"cerebellar": 2, "pyramidal": 2}, 0, 2.5),
    ("3.0: moderate disability in one FS", {"pyramidal": 3, "sensory": 1}, 0, 3.0),
    ("3.0: mild disability in three FS", {"pyramidal": 2, "sensory": 2, "brainstem": 2}, 0, 3.0),
    ("3.0: mild disability in four FS", {"pyramidal": 2, "sensory": 2, "brainstem": 2, "cerebellar": 2}, 1, 3.0),
    ("3.5: one FS 3 and one FS 2", {"pyramidal": 3, "sensory": 2}, 0, 3.5),
    ("3.5: one FS 3 and two FS 2", {"pyramidal": 3, "sensory": 2, "cerebellar": 2}, 0, 3.5),
    ("3.5: two FS 3", {"pyramidal": 3, "cerebellar": 3}, 0, 3.5),
    ("3.5: five FS 2", {"pyramidal": 2, "cerebellar": 2, "sensory": 2, "brainstem": 2, "cerebral": 2}, 0, 3.5),
    ("4.0: one FS grade 4, others 0 or 1", {"pyramidal": 4, "sensory": 1}, 0, 4.0),
    ("4.0: lesser grades exceeding 3.5 (six FS 2)",
     {"pyramidal": 2, "cerebellar": 2, "sensory": 2, "brainstem": 2, "cerebral": 2, "visual": 2}, 0, 4.0),
    ("4.0: one FS 3 and three FS 2", {"pyramidal": 3, "cerebellar": 2, "sensory": 2, "brainstem": 2}, 0, 4.0),
    ("4.0: two FS 3 and one FS 2", {"pyramidal": 3, "cerebellar": 3, "sensory": 2}, 0, 4.0),
    ("4.0: walks >= 500 m (ambulation 1) with one FS 4", {"pyramidal": 4}, 1, 4.0),
    ("4.5: one FS 4 and one FS 3 (scoring table)", {"pyramidal": 4, "cerebellar": 3}, 0, 4.5),
    ("4.5: five FS 3", {"pyramidal": 3, "cerebellar": 3, "sensory": 3, "brainstem": 3, "cerebral": 3}, 0, 4.5),
    ("4.5: walks 300-500 m (ambulation 2)", {"pyramidal": 2}, 2, 4.5),
    ("5.0: one FS grade 5 alone", {"pyramidal": 5}, 0, 5.0),
    ("5.0: walks 300-500 m with FS grade 5 -> 5.0 (the '4.5 or 5.0' of score 2)", {"pyramidal": 5}, 2, 5.0),
    ("5.0: two FS 4", {"pyramidal": 4, "cerebellar": 4}, 0, 5.0),
    ("5.0: six FS 3", {"pyramidal": 3, "cerebellar": 3, "sensory": 3, "brainstem": 3, "cerebral": 3,
                       "bowel_bladder": 3}, 0, 5.0),
    ("5.0: walks 200-300 m (ambulation 3)", {"pyramidal": 3}, 3, 5.0),
    ("5.5: walks 100-200 m (ambulation 4)", {"pyramidal": 3}, 4, 5.5),
    ("6.0: walks < 100 m without help (ambulation 5)", {"pyramidal": 3}, 5, 6.0),
    ("6.0: unilateral assistance >= 50 m (ambulation 6)", {"pyramidal": 3}, 6, 6.0),
    ("6.0: bilateral assistance >= 120 m (ambulation 7)", {"pyramidal": 3}, 7, 6.0),
    ("6.5: unilateral assistance < 50 m (ambulation 8)", {"pyramidal": 4}, 8, 6.5),
    ("6.5: bilateral assistance 5-120 m (ambulation 9)", {"pyramidal": 4}, 9, 6.5),
    ("7.0: wheelchair, wheels self (ambulation 10)", {"pyramidal": 5}, 10, 7.0),
    ("7.5: wheelchair with help (ambulation 11)", {"pyramidal": 5}, 11, 7.5),
    ("8.0: restricted to bed or chair (ambulation 12)", {"pyramidal": 5}, 12, 8.0),
    ("8.5: restricted to bed much of the day (ambulation 13)", {"pyramidal": 5}, 13, 8.5),
    ("9.0: helpless bed patient (ambulation 14)", {"pyramidal": 6}, 14, 9.0),
    ("9.5: totally helpless (ambulation 15)", {"pyramidal": 6}, 15, 9.5),
    ("10: death due to MS (ambulation 16)", {}, 16, 10.0),
    # conversions
    ("visual 3 converts to 2", {"visual": 3}, 0, 2.0),
    ("visual 5 converts to 3", {"visual": 5}, 0, 3.0),
    ("visual 6 converts to 4", {"visual": 6}, 0, 4.0),
    ("bowel/bladder 4 converts to 3", {"bowel_bladder": 4}, 0, 3.0),
    ("bowel/bladder 5 converts to 4", {"bowel_bladder": 5}, 0, 4.0),
    ("bowel/bladder 6 converts to 5", {"bowel_bladder": 6}, 0, 5.0),
    ("ambulation 1 with minimal signs: Neurostatus floor 2.0", {"sensory": 1}, 1, 2.0),
]


@pytest.mark.parametrize("definition,grades,amb,expected", CASES, ids=[c[0] for c in CASES])
def test_worked_cases(definition, grades, amb, expected):
    assert _score(amb, **grades) == expected


def test_options_change_only_their_step():
    assert _score(cerebral=1, options=EdssOptions(cerebral_grade_1="count")) == 1.0
    assert _score(1, sensory=1, options=EdssOptions(ambulation_1_floor=0.0)) == 1.0
    assert _score(pyramidal=4, cerebellar=3, options=EdssOptions(grade4_with_grade3=5.0)) == 5.0
    assert _score(visual=3, options=EdssOptions(convert_visual=False)) == 3.0
    assert _score(bowel_bladder=6, options=EdssOptions(convert_bowel_bladder=False)) == 5.0
    with pytest.raises(InputError, match="cerebral_grade_1"):
        EdssOptions(cerebral_grade_1="sometimes")


def test_detail_reports_how():
    r = edss_detail(visual=4, brainstem=0, pyramidal=0, cerebellar=0, sensory=0, bowel_bladder=0,
                    cerebral=1, ambulation=4)
    assert r.converted["visual"] == 3 and r.converted["cerebral"] == 0
    assert (r.fs_step, r.ambulation_floor, r.step, r.determined_by) == (3.0, 5.5, 5.5, "ambulation")


@pytest.mark.parametrize("name,value", [("visual", 7), ("pyramidal", -1), ("brainstem", 6), ("cerebral", 6),
                                        ("sensory", 2.5), ("cerebellar", "x"), ("ambulation", 17),
                                        ("bowel_bladder", True), ("visual", float("nan"))])
def test_fs_score_out_of_range(name, value):
    args = {k: 0 for k in FS} | {"ambulation": 0}
    args[name] = value
    with pytest.raises(ValueError) as e:
        edss(**args)
    assert isinstance(e.value, InputError)
    assert f"`{name}`" in str(e.value) and repr(value) in str(e.value)


def _frame():
    return pd.DataFrame({
        "id": ["P1", "P2", "P3", "P4"],
        "fs_visual": [0, 3, 0, 0], "fs_brainstem": [1, 0, 0, 0], "fs_pyramidal": [1, 2, 4, 0],
        "fs_cerebellar": [0, 0, 0, 0], "fs_sensory": [0, 0, 1, None], "fs_bowel_bladder": [0, 0, 0, 0],
        "fs_cerebral": [1, 0, 0, 0], "ambulation": [0, 0, 2, 0], "edss": [1.5, 3.0, 4.5, 1.0],
    })


def test_frame_flags_and_never_overwrites():
    df = _frame()
    before = df.copy()
    out = edss_frame(df, recorded="edss", id_column="id")
    pd.testing.assert_frame_equal(df, before)
    assert out["edss_computed"].tolist()[:3] == [1.5, 2.5, 4.5]
    assert out["edss_flag"].tolist() == [False, True, False, False]
    assert out.loc[1, "edss_recorded"] == 3.0 and out.loc[1, "edss_difference"] == 0.5
    assert "recorded 3 differs from computed 2.5" in out.loc[1, "edss_note"]
    assert "missing sensory" in out.loc[3, "edss_note"]
    tol = edss_frame(df, recorded="edss", tolerance=0.5)
    assert not tol["edss_flag"].any()


def test_frame_out_of_range_names_participant_and_column():
    df = _frame()
    df.loc[2, "fs_pyramidal"] = 9
    with pytest.raises(DataError) as e:
        edss_frame(df, recorded="edss", id_column="id")
    msg = str(e.value)
    assert "'P3'" in msg and "row 4" in msg and "fs_pyramidal" in msg and "0-6" in msg
