"""Prediction: the loaded predictor, the members' spread, calibrated intervals, the library distance, trust, and batch files."""
