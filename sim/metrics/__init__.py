"""Metrics by topic: how much of each trip the reads reveal, what they say about people, who can see them.

Per-trip metrics compare a :class:`~sim.reconstruct.Reconstruction` with the
true trips and routes; summary metrics aggregate them under the stable key
names of ``metrics.json``. A metric a run cannot compute is ``None`` with a
``…_reason``, never a made-up 0.

==================  =============================================================
module              topic
==================  =============================================================
``trips``           per-trip recall and precision; the run's summary
``quality``         trip splitting and misread matching
``evasion``         origin–destination pairs with a camera-free route
``person``          uniqueness of traces; home and work inference
``traces``          plates' traces block by block of whole plates (uniqueness)
``predictability``  the next camera a plate passes
``long_trips``      long drives: share recovered, gaps between reads
``areas``           exposure by area; traffic concentration
``fleets``          per fleet of readers: reads, plates, cost
``profile``         a reads log's profile (real or simulated)
==================  =============================================================
"""

from sim.metrics.areas import area_labels, area_summary, exposure_by_area, volume_concentration
from sim.metrics.evasion import camera_free_pairs
from sim.metrics.fleets import fleet_metrics
from sim.metrics.long_trips import LONG_TRIP_KM, long_trip_exposure, trip_gaps
from sim.metrics.person import (
    home_inference, person_metrics, searcher_reads, uniqueness, uniqueness_by_k, uniqueness_shares, work_inference,
)
from sim.metrics.predictability import PREDICTORS, next_camera_accuracy, next_camera_hits, predictability
from sim.metrics.profile import (log_profile, reader_day_median, reads_per_plate_shares, reads_per_reader_day,
                                 reads_profile, repeat_gaps_s)
from sim.metrics.quality import misread_matching, trip_split_accuracy
from sim.metrics.traces import trace_points, unique_plates
from sim.metrics.trips import (
    LENGTH_BANDS_KM, exposure_by_length, summary_metrics, time_to_first_read, trip_metrics,
)

__all__ = [
    "LENGTH_BANDS_KM", "LONG_TRIP_KM", "PREDICTORS", "area_labels", "area_summary", "camera_free_pairs",
    "exposure_by_area", "exposure_by_length", "fleet_metrics", "home_inference", "log_profile",
    "long_trip_exposure", "misread_matching", "next_camera_accuracy", "next_camera_hits", "person_metrics",
    "predictability", "reader_day_median", "reads_per_plate_shares", "reads_per_reader_day", "reads_profile",
    "repeat_gaps_s", "searcher_reads",
    "summary_metrics", "time_to_first_read", "trace_points", "trip_gaps", "trip_metrics", "trip_split_accuracy",
    "unique_plates", "uniqueness", "uniqueness_by_k", "uniqueness_shares", "volume_concentration", "work_inference",
]

# the metrics of metrics.json register themselves when their module is imported: importing sim.metrics is enough
from sim.metrics import catalogue as catalogue  # noqa: E402
