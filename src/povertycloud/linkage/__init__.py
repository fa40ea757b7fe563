"""Linking records of two sources that describe the same people: first on the validated
ID number, then probabilistically on name, birth date, sex and address."""
