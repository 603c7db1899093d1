"""Designed introns: the search, the rules a design keeps, requests from user text, output tables and trust checks."""
