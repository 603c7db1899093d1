"""Figures (plotly and the logo): only the app imports this subpackage."""
