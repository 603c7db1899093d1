"""What the files the project reads and writes may hold: zip bounds, formula cells, checked paths."""
