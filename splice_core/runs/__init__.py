"""Training runs: one run end to end, background jobs with their journals, and background design searches."""
