"""Analyses of a predictor: mutagenesis, double mutants, saliency, variant effects, the biology check, native introns, calibration."""
