"""Data loading and validation: boundaries, UBIGEO covariates and ENDES survey files."""
