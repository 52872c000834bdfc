"""Export compliance: pesticide catalogue, diary checks, harvest lock and treatment filtering."""
