"""Flock Safety transparency-portal figures: what a fixed camera reads in a day, from the agencies' own pages.

The portals publish, per agency, the cameras it owns and the vehicles they
detected in the last 30 days (the registry's ``flock-portal-usage``,
scraped by The News & Observer). Reads per camera per day is their ratio
over 30 days; agencies with no camera or no reads are left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim._errors import CurtainError

CAMERAS, DETECTED = "number_of_owned_cameras", "vehicles_detected_in_the_last_30_days"


def portal_reads_per_camera_day(path: str | Path) -> pd.DataFrame:
    """``agency, cameras, reads_per_camera_per_day`` of each portal with cameras and reads.

    Raises :class:`CurtainError` naming the file and the missing columns when it is not a portal table.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise CurtainError(f"{path}: cannot be read as a CSV of portal figures ({exc})") from None
    missing = sorted({"agency", CAMERAS, DETECTED} - set(table.columns))
    if missing:
        raise CurtainError(f"{path}: not a Flock portal table: no column(s) {', '.join(missing)}")
    cameras = pd.to_numeric(table[CAMERAS], errors="coerce").to_numpy(float)
    detected = pd.to_numeric(table[DETECTED], errors="coerce").to_numpy(float)
    ok = np.isfinite(cameras) & np.isfinite(detected) & (cameras > 0) & (detected > 0)
    return pd.DataFrame({"agency": table["agency"].to_numpy()[ok], "cameras": cameras[ok].astype(int),
                         "reads_per_camera_per_day": detected[ok] / cameras[ok] / 30})
