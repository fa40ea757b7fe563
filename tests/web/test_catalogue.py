"""Every code a page can show has a label in Chinese and in English in the one catalog
(web/i18n.py), each list of codes read from its source of truth: the data standard, the
rule files and the domain's constants; the audit actions from the calls that write them."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import Regions

import povertycloud
from povertycloud.access.accounts import ROLES
from povertycloud.disclosure.complaints import CATEGORIES
from povertycloud.dynamic import (
    proposals,
    reasons,
    reevaluation,
    regions,
    timeline,
    warning_features,
    workflow,
)
from povertycloud.dynamic.procedures import KINDS, load_procedures
from povertycloud.dynamic.region_criteria import LABELS as CRITERIA
from povertycloud.dynamic.region_criteria import criteria
from povertycloud.feeds import reviews
from povertycloud.feeds.checks import load_conflicts
from povertycloud.feeds.outcomes import OUTCOMES as FLAG_OUTCOMES
from povertycloud.feeds.sources import FREQUENCIES, load_sources
from povertycloud.identification.plan import PROPOSALS, load_rules
from povertycloud.identification.runs import latest_identified
from povertycloud.jobs import KINDS as JOBS
from povertycloud.jobs import STATES as JOB_STATES
from povertycloud.linkage.resolve import REASONS
from povertycloud.registry.duplicates import CONTRADICTIONS
from povertycloud.standard import codes
from povertycloud.standard.fields import Kind
from povertycloud.standard.tables import TABLES
from povertycloud.store import Store
from povertycloud.web import i18n

# the code list of an enumerated field of the standard, where not the field's name
FIELD_LISTS = {("events", "kind"): "event", ("household_measures", "kind"): "help_kind"}
NOT_SHOWN = {"ethnicity"}  # GB/T 3304 codes: no page shows them
PACKAGE = Path(povertycloud.__file__).parent


def standard() -> Iterator[tuple[str | None, str, bool]]:
    """(list, code, alone) of every enumerated field of the standard's tables."""
    for table in TABLES.values():
        if table.name.startswith("truth_"):  # the synthetic ground truth, never shown
            continue
        for field in table.fields:
            if field.kind == Kind.ENUM and field.name not in NOT_SHOWN:
                kind = FIELD_LISTS.get((table.name, field.name), field.name)
                yield from ((kind, str(v), True) for v in field.values or ())
    yield from ((None, f"field.{f.name}", True) for f in TABLES["households"].fields)


def rules() -> Iterator[tuple[str | None, str, bool]]:
    """The codes of the rule files: the scorecard's bands, sets and indicators, the
    guarantees (and the fields they show), measures, conflict rules, procedures and their
    steps."""
    found = load_rules()
    yield from (("band", b.name, False) for b in found.scorecard.bands)
    yield from (("set", name, False) for name, _ in found.scorecard.sets)
    yield from (("indicator", i.id, False) for i in found.scorecard.indicators)
    for check in found.guarantees.checks:
        yield "guarantee", check.id, True
        yield from (("field", name, False) for name in check.show)
    yield from (("measure", m.id, True) for m in found.measures.measures)
    yield from (("rule", r.id, False) for r in load_conflicts().rules)
    for procedure in load_procedures().procedures:
        yield "procedure", procedure.procedure, False
        yield from ((f"step.{procedure.procedure}", s.step, False) for s in procedure.steps)


def domain() -> Iterator[tuple[str | None, str, bool]]:
    """The codes of the domain's constants."""
    sources = load_sources()
    lists: dict[str | None, tuple[str, ...]] = {
        "cause": codes.CAUSES, "proposal": PROPOSALS, "status": codes.STATUS_CHANGES,
        "region_status": regions.STATUSES, "state": workflow.STATES,
        "outcome": workflow.OUTCOMES + FLAG_OUTCOMES, "category": CATEGORIES,
        "role": ROLES, "frequency": FREQUENCIES, "member": timeline.MEMBER_CHANGES}
    for kind, values in lists.items():
        yield from ((kind, v, True) for v in values)
    own = {"kind": KINDS, "reason": tuple(reasons.REASONS) + tuple(proposals.PUBLIC_REASONS),
           "risk": tuple(warning_features.REASONS), "criterion": tuple(CRITERIA),
           "timeline": timeline.KINDS, "line": timeline.LINES, "worded": tuple(reasons.WORDED),
           "actor": ("re-evaluation", "public"), "evidence": tuple(reevaluation.EVIDENCE),
           "review": REASONS, "shares": reviews.SHARED, "source": tuple(sources),
           "contradiction": CONTRADICTIONS, "job": tuple(JOBS), "job_state": JOB_STATES}
    for kind, values in own.items():
        yield from ((kind, v, False) for v in values)
    # the fields of the departments' records (the review queue, the flags' evidence)
    fields = [f for s in sources.values() for f in s.table.fields]
    yield from ((None, f.name, True) for f in fields)
    yield from ((f.name, v, True) for f in fields for v in f.values)


def written(call: ast.Call) -> tuple[ast.expr | None, ast.expr | None]:
    """The action and object kind of a call that writes the audit log."""
    func, args = call.func, call.args
    named = {k.arg: k.value for k in call.keywords}
    if isinstance(func, ast.Name) and func.id == "record":  # within access/audit.py
        func = ast.Attribute(ast.Name("audit"), "record")
    if not isinstance(func, ast.Attribute):
        return None, None
    if func.attr == "audit":  # store.audit(action, ..., object_kind=...)
        return (args[0] if args else None), named.get("object_kind")
    if isinstance(func.value, ast.Name) and func.value.id == "audit":
        if func.attr == "record":  # audit.record(store, user, action, object_kind, ...)
            return (args[2] if len(args) > 2 else None), (
                args[3] if len(args) > 3 else named.get("object_kind"))
        if func.attr == "login_event":  # audit.login_event(store, action, ...): a user
            return (args[1] if len(args) > 1 else None), ast.Constant("user")
    return None, None


def audited() -> Iterator[tuple[str | None, str, bool]]:
    """Every action and object kind written to the audit log anywhere in the package (the
    constants of the call; an action worked out otherwise fails here)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for kind, value in zip(("action", "object"), written(node), strict=True):
                if value is None:
                    continue
                names = [c.value for c in ast.walk(value)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str)]
                if not names and isinstance(value, ast.Name):
                    continue  # passed on from the caller (audit.record, login_event)
                assert names and not isinstance(value, ast.JoinedStr), (
                    f"{path.name}:{node.lineno}: spell the audit {kind} out")
                yield from ((kind, name, False) for name in names)


def codes_shown() -> list[tuple[str | None, str, bool]]:
    return sorted({*standard(), *rules(), *domain(), *audited()}, key=str)


@pytest.mark.parametrize(("kind", "code", "alone"), codes_shown(),
                         ids=lambda v: str(v))
def test_every_code_has_a_label_in_both_languages(kind: str | None, code: str, alone: bool
                                                  ) -> None:
    key = i18n.key_of(code, kind, alone)
    assert key is not None, f"no label for {kind}.{code}"
    chinese, english = i18n.MESSAGES[key]
    assert chinese.strip() and english.strip()
    assert chinese != english or not chinese.isascii(), f"{key} is not in Chinese"


def test_the_enumeration_finds_the_lists() -> None:
    found = codes_shown()
    for expected in [("band", "out_of_poverty", False), ("measure", "industry_support", True),
                     ("relation", "head", True), ("education", "none", True),
                     ("water_source", "piped", True), ("action", "login_failed", False),
                     ("action", "review_match", False), ("object", "household", False),
                     ("evidence", "ratio", False), ("line", "survey", False),
                     ("step.household", "county_approval", False)]:
        assert expected in found


def test_catalog_messages_with_values_take_the_same_values_in_both_languages() -> None:
    import string
    for key, (chinese, english) in i18n.MESSAGES.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f}
                  for text in (chinese, english)]
        assert fields[0] == fields[1], key


def test_a_code_without_a_label_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(i18n.MESSAGES, "band.out_of_poverty")
    assert i18n.key_of("out_of_poverty", "band", alone=False) is None



def test_the_evidence_of_a_region_s_exit_has_labels(web_store: tuple[Path, Regions]) -> None:
    """A village's exit keeps its figures and criteria as the evidence: each shown."""
    with Store(web_store[0], read_only=True) as store:
        judged = criteria(store, web_store[1].village, dt.date(2020, 12, 31),
                          latest_identified(store) or 2020)
    shown = [k for k, v in judged.items() if not isinstance(v, dict | list)]
    assert "region_name" in shown
    missing = [k for k in shown if i18n.key_of(k, "evidence", alone=False) is None]
    assert not missing, f"no label for evidence {missing}"
