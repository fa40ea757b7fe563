"""Code lists of the standard: the allowed values of enumerated fields."""

from __future__ import annotations

LEVELS = ("province", "prefecture", "county", "township", "village")
TERRAINS = ("plain", "hill", "mountain", "plateau")
SEXES = ("male", "female")
RELATIONS = ("head", "spouse", "child", "child_in_law", "grandchild", "parent",
             "grandparent", "sibling", "other")
EDUCATION = ("none", "preschool", "primary", "junior_secondary", "senior_secondary",
             "vocational", "tertiary")
LABOUR = ("skilled", "normal", "weak", "lost", "none")
DISABILITY_KINDS = ("none", "visual", "hearing", "speech", "physical", "intellectual",
                    "mental", "multiple")
HOUSING_GRADES = ("A", "B", "C", "D")
WATER_SOURCES = ("piped", "protected_well", "unprotected_well", "surface", "trucked")
REGISTRATION = ("not_registered", "registered_poor", "exited", "monitored")
STATUS_CHANGES = ("registered_poor", "exited", "monitored", "removed")
# moved_away (standard 1.1.0): the household (person_id empty) or one member moved away
EVENT_KINDS = ("serious_illness", "disability", "disaster", "death", "job_loss", "birth",
               "recovery", "moved_away")

# The national registry's twelve causes of poverty plus "other" (domain reference section 6).
# The kinds of help measure (帮扶措施类别): what a household received, and what the
# catalogue of help measures offers.
MEASURE_KINDS = ("industry", "employment", "credit", "relocation", "ecological", "education",
                 "health", "social_security", "housing", "infrastructure", "relief",
                 "motivation")
CAUSES = ("illness", "disability", "schooling", "disaster", "marriage", "lack_of_land",
          "lack_of_water", "lack_of_skills", "lack_of_capital", "lack_of_labour",
          "poor_transport", "weak_motivation", "other")

# GB/T 3304 two-digit codes of the 56 ethnic groups.
ETHNICITIES = tuple(f"{i:02d}" for i in range(1, 57))
