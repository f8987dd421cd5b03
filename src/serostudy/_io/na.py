"""Cell texts that mean "missing", one vocabulary for every reader.

The study config's ``data.na_values`` defaults to these; the config-free readers
(``serostudy table1 DATA``, ``serostudy model DATA``, :func:`serostudy.read_data_frame`)
use them as they are.  A blank or whitespace-only cell is missing in every format
(:func:`serostudy._io.readers.read_table`).  R users: this is
``read.csv(na.strings = NA_VALUES)``.
"""

from __future__ import annotations

NA_VALUES: tuple[str, ...] = ("", "NA", "N/A", "na", "n/a", ".", "NaN", "missing")
"""Cell texts read as missing (exact match, case as written)."""
