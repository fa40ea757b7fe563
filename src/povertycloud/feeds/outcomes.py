"""The outcomes of a conflict flag's field verification (a module of its own so that the
command line's help can list them without loading the checks)."""

OUTCOMES = ("confirmed", "false_alarm", "exempt")
