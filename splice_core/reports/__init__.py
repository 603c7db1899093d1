"""Reports: the shipped model and its report, the reference study's reproduction, and the Model and Dataset pages' tables."""
