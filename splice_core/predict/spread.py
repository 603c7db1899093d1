"""When the ensemble members disagree enough that a prediction should carry a warning (Predict and Design)."""

SPREAD_WARNING = 0.1  # members' SD above this: the ensemble disagrees


def spread_warning(spread: float, n_members: int, what: str = "this prediction") -> str | None:
    """A warning when the members' SD of ``what`` is above :data:`SPREAD_WARNING`; None otherwise or for one model."""
    if n_members < 2 or spread <= SPREAD_WARNING:
        return None
    return (
        f"The {n_members} ensemble members disagree on {what} (spread {spread:.2f}, above {SPREAD_WARNING:g}): "
        "treat the value with caution."
    )
