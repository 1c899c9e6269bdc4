"""Units of simulated time (seconds from the scenario's ``start``)."""

#: Seconds in a simulated day.
DAY_S = 86_400.0
