"""A learned model of the causes of poverty, as a file: what `identify --cause-model`
uses beside the cause rules (training: cause_training.py).

One JSON file holds the boosters (LightGBM's own text), their calibration, the features
they read, which causes they decide (those where they beat the rules out of sample), the
verified set they learnt from and a SHA-256 of all of it: an edited file, a model of
another version of the data standard or of other cause rules is refused with the reason.

Scoring maps batches of the profile (:class:`CauseScorer`, picklable, so Spark's workers
run it too) to each household's learned primary cause, its calibrated confidence, the
causes the model finds and the model's main reasons.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import PovertyCloudError
from ..profile.expressions import STRING
from ..profile.household import profile_types
from ..standard.tables import VERSION

if TYPE_CHECKING:
    import lightgbm as lgb

FORMAT = "povertycloud-cause-model/1"
MIN_VERIFIED = 100  # verified poor households with a cause, at least, to learn from
TOP_REASONS = 3
THREADS = 0  # LightGBM scores a batch on every core (OpenMP's default)
Floats = npt.NDArray[np.float64]


class CauseModelError(PovertyCloudError):
    """A cause model that cannot be trained or used: the message says why."""


def feature_spec(causes: list[str]) -> list[list[Any]]:
    """The features a cause model reads: every profile field (a code as one column per
    value) and each rule's strength ``c_<cause>``, as [name, values] pairs."""
    fields = [[name, list(t.values) if t.kind == STRING else []]
              for name, t in profile_types().items()]
    return [*fields, *([f"c_{c}", []] for c in causes)]


def matrix(batch: pa.RecordBatch | pa.Table, spec: list[list[Any]]) -> Floats:
    """The features of each row as numbers (a code one-hot, a missing value NaN)."""
    columns: list[npt.NDArray[Any]] = []
    for name, values in spec:
        column = batch.column(name)
        if values:
            columns.extend(pc.fill_null(pc.equal(column, v), False).to_numpy(
                zero_copy_only=False) for v in values)
        else:
            columns.append(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
    return np.column_stack(columns).astype(np.float64) if columns else np.empty((0, 0))


def calibrate(points: dict[str, list[float]], raw: Floats) -> Floats:
    """A probability through the isotonic map learnt out of fold."""
    return np.interp(raw, points["x"], points["y"])


@dataclass(frozen=True)
class CauseModel:
    """A loaded, checked cause model."""

    path: Path
    content: dict[str, Any]
    checksum: str

    @property
    def label(self) -> str:
        return f"{self.content['id']} {self.content['version']} ({self.checksum[:12]})"

    @property
    def decides_primary(self) -> bool:
        return bool(self.content["decides"]["primary"])

    @property
    def flags(self) -> list[str]:
        """The causes whose presence the model decides (it beat the rules on them)."""
        return list(self.content["decides"]["flags"])

    @property
    def unlearned(self) -> list[str]:
        """Causes too rare in the verified set to learn: the rules keep them."""
        return list(self.content["unlearned"])

    def check_rules(self, rules_label: str) -> None:
        """Refuse cause rules other than those the model was trained beside (their
        strengths are its features)."""
        if rules_label != self.content["trained"]["rules"]:
            raise CauseModelError(
                f"{self.path}: trained beside the cause rules "
                f"{self.content['trained']['rules']}, not {rules_label}: train it again "
                "with `povertycloud rules train-causes`")

    def scorer(self) -> CauseScorer:
        return CauseScorer(self.content)

    def schema(self) -> pa.Schema:
        return scores_schema(self.flags)


def scores_schema(flags: list[str]) -> pa.Schema:
    """What scoring returns, per household and year."""
    return pa.schema([("household_id", pa.int64()), ("year", pa.int64()),
                      ("m_primary", pa.string()), ("m_confidence", pa.float64()),
                      *((f"m_has_{c}", pa.bool_()) for c in flags),
                      ("m_reasons", pa.string())])


class CauseScorer:
    """Score batches of the profile (with the rules' strengths); the boosters are
    built once per process from their text (they do not pickle themselves)."""

    def __init__(self, content: dict[str, Any]) -> None:
        self.content = content

    def __getstate__(self) -> dict[str, Any]:
        return {"content": self.content}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.content = state["content"]

    @cached_property
    def boosters(self) -> dict[str, lgb.Booster]:
        import lightgbm as lgb

        out = {"": lgb.Booster(model_str=self.content["primary"]["booster"])}
        for cause in self.content["decides"]["flags"]:
            out[cause] = lgb.Booster(model_str=self.content["flags"][cause]["booster"])
        return out

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        spec, primary = self.content["features"], self.content["primary"]
        flags = self.content["decides"]["flags"]
        x = matrix(batch, spec)
        columns: dict[str, Any] = {"household_id": batch.column("household_id"),
                                   "year": batch.column("year")}
        if not len(x):
            return pa.RecordBatch.from_pydict(
                {**columns, **{f.name: [] for f in scores_schema(flags)[2:]}},
                schema=scores_schema(flags))
        leaves = np.asarray(self.boosters[""].predict(x, pred_leaf=True, num_threads=THREADS),
                            dtype=np.int64)
        probs = self.probabilities(leaves)
        best = probs.argmax(axis=1)
        columns["m_primary"] = np.asarray(primary["classes"], dtype=object)[best]
        columns["m_confidence"] = calibrate(primary["calibration"], probs.max(axis=1))
        for cause in flags:
            raw = np.asarray(self.boosters[cause].predict(x, num_threads=THREADS))
            columns[f"m_has_{cause}"] = calibrate(
                self.content["flags"][cause]["calibration"], raw) >= 0.5
        columns["m_reasons"] = self.reasons(leaves, best)
        return pa.RecordBatch.from_pydict(columns, schema=scores_schema(flags))

    @cached_property
    def trees(self) -> tuple[Floats, Floats]:
        """The primary booster's trees as tables: per tree and leaf, its value, and what
        each field added on the way from the root to that leaf (a split's field takes the
        change of the node's value; a code's values count as one field)."""
        trees = self.boosters[""].dump_model()["tree_info"]
        field_of = self.fields[1]
        widest = max(t["num_leaves"] for t in trees)
        paths = np.zeros((len(trees), widest, max(field_of) + 1))
        values = np.zeros((len(trees), widest))
        for i, tree in enumerate(trees):
            _walk(tree["tree_structure"], np.zeros(paths.shape[2]), paths[i], values[i],
                  field_of)
        return paths, values

    def probabilities(self, leaves: npt.NDArray[np.int64]) -> Floats:
        """Each class's probability from the leaves each row reached (one pass over the
        trees serves the prediction and its reasons): the softmax of the leaves' sums."""
        values = self.trees[1]
        raw = values[np.arange(leaves.shape[1]), leaves].reshape(
            len(leaves), -1, len(self.content["primary"]["classes"])).sum(axis=1)
        raw = np.exp(raw - raw.max(axis=1, keepdims=True))
        probs: Floats = raw / raw.sum(axis=1, keepdims=True)
        return probs

    @cached_property
    def fields(self) -> tuple[list[str], list[int]]:
        """The profile's fields, and the field of each column of the matrix."""
        names = list(dict.fromkeys(n for n, _ in self.content["features"]))
        return names, [names.index(n) for n, values in self.content["features"]
                       for _ in (values or [None])]

    def reasons(self, leaves: npt.NDArray[np.int64], best: npt.NDArray[np.int64]
                ) -> list[str]:
        """The fields that pushed most towards each household's learned primary cause,
        ';'-joined: over the trees of that cause, what each field's splits added on the
        path the household took (the tree interpreter's attribution, as cheap as a
        prediction, where SHAP values would cost forty times more)."""
        classes = len(self.content["primary"]["classes"])
        paths, rows = self.trees[0], np.arange(len(leaves))
        by_field = np.zeros((len(leaves), paths.shape[2]))
        for first in range(0, leaves.shape[1], classes):  # one round: a tree per class
            tree = first + best
            by_field += paths[tree, leaves[rows, tree]]
        names = self.fields[0]
        order = np.argsort(-by_field, axis=1, kind="stable")[:, :TOP_REASONS]
        return [";".join(names[j] for j in row if sums[j] > 0)
                for row, sums in zip(order, by_field, strict=True)]


def _walk(node: dict[str, Any], path: Floats, leaves: Floats, values: Floats,
          field_of: list[int]) -> None:
    """Fill ``leaves`` (leaf, field) with each leaf's path sums from ``node`` down, and
    ``values`` with each leaf's value."""
    if "split_feature" not in node:  # a leaf (a tree of one leaf has no index)
        leaves[node.get("leaf_index", 0)] = path
        values[node.get("leaf_index", 0)] = node["leaf_value"]
        return
    field = field_of[node["split_feature"]]
    for side in ("left_child", "right_child"):
        child = node[side]
        step = path.copy()
        step[field] += child.get("internal_value", child.get("leaf_value", 0.0)) \
            - node["internal_value"]
        _walk(child, step, leaves, values, field_of)


def digest(content: dict[str, Any]) -> str:
    """The SHA-256 of a model's content (all but its checksum), canonically written."""
    body = {k: v for k, v in content.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def save(content: dict[str, Any], path: Path) -> CauseModel:
    """Write a trained model with its checksum."""
    content = {**content, "checksum": digest(content)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return CauseModel(path, content, content["checksum"])


def load_cause_model(path: Path) -> CauseModel:
    """Load and check a model file; refused, with the reason, when it cannot be used."""
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CauseModelError(f"{path}: no such model file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CauseModelError(f"{path}: not a cause model ({exc})") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise CauseModelError(f"{path}: not a cause model (its format is not {FORMAT})")
    if content.get("checksum") != digest(content):
        raise CauseModelError(f"{path}: the file was changed after training (its checksum "
                              "does not match its content); train it again")
    if content["standard"] != VERSION:
        raise CauseModelError(f"{path}: trained on version {content['standard']} of the "
                              f"data standard, this is {VERSION}; train it again")
    if content["trained"]["verified"] < MIN_VERIFIED:
        raise CauseModelError(f"{path}: trained on {content['trained']['verified']} "
                              f"verified households, fewer than {MIN_VERIFIED}")
    expected = feature_spec([n[2:] for n, _ in content["features"] if n.startswith("c_")])
    if content["features"] != expected:
        raise CauseModelError(f"{path}: its features are not this version's profile; "
                              "train it again")
    return CauseModel(path, content, content["checksum"])
