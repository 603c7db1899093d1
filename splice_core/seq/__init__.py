"""Sequences as text and arrays: one-hot encoding, checked intron text, views of long introns, mutations."""
