"""Tables of saved evaluator configurations: a revisioned kind on the generic store.

An evaluator configuration is an artifact (its slug names it in runs, gates and the CLI) with
one variant whose revisions are its successive settings. A revision's data follows the original
product's workflow shape, so the official SDK reads it unchanged::

    {"uri": "agenta:builtin:auto_exact_match:v0", "parameters": {...settings...}}

Configurations the SDK creates for its own Python evaluators carry a ``user:custom:...`` URI and
run on the client; the server stores them so their runs can be shown.
"""

from __future__ import annotations

from agenta.core.revisions.columns import ArtifactColumns, RevisionColumns, VariantColumns
from agenta.core.revisions.store import Kind
from agenta.db import Base


class EvaluatorArtifact(ArtifactColumns, Base):
    __tablename__ = "evaluator_artifacts"


class EvaluatorVariant(VariantColumns, Base):
    __tablename__ = "evaluator_variants"
    artifacts_table = "evaluator_artifacts"


class EvaluatorRevision(RevisionColumns, Base):
    __tablename__ = "evaluator_revisions"
    artifacts_table = "evaluator_artifacts"
    variants_table = "evaluator_variants"


EVALUATORS: Kind[EvaluatorArtifact, EvaluatorVariant, EvaluatorRevision] = Kind(
    EvaluatorArtifact, EvaluatorVariant, EvaluatorRevision, "evaluator"
)
