"""Other departments' data: the registry of sources and the intake of their batches."""
