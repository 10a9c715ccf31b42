"""Tables of the prompt registry: applications and environments, each a revisioned kind.

An application's revisions hold its configuration (``data.parameters``, plus ``uri``/``url`` and
``schemas``). An environment has exactly one variant, named like the environment, whose revisions
are its deployment history: each holds the whole map of what is deployed there,
``data.references["<app_slug>.revision"] = {application, application_variant,
application_revision}``. Deploying and rolling back both commit a new environment revision.
"""

from __future__ import annotations

from agenta.core.revisions.columns import ArtifactColumns, RevisionColumns, VariantColumns
from agenta.core.revisions.store import Kind
from agenta.db import Base


class ApplicationArtifact(ArtifactColumns, Base):
    __tablename__ = "application_artifacts"


class ApplicationVariant(VariantColumns, Base):
    __tablename__ = "application_variants"
    artifacts_table = "application_artifacts"


class ApplicationRevision(RevisionColumns, Base):
    __tablename__ = "application_revisions"
    artifacts_table = "application_artifacts"
    variants_table = "application_variants"


class EnvironmentArtifact(ArtifactColumns, Base):
    __tablename__ = "environment_artifacts"


class EnvironmentVariant(VariantColumns, Base):
    __tablename__ = "environment_variants"
    artifacts_table = "environment_artifacts"


class EnvironmentRevision(RevisionColumns, Base):
    __tablename__ = "environment_revisions"
    artifacts_table = "environment_artifacts"
    variants_table = "environment_variants"


APPLICATIONS: Kind[ApplicationArtifact, ApplicationVariant, ApplicationRevision] = Kind(
    ApplicationArtifact, ApplicationVariant, ApplicationRevision, "application"
)
ENVIRONMENTS: Kind[EnvironmentArtifact, EnvironmentVariant, EnvironmentRevision] = Kind(
    EnvironmentArtifact, EnvironmentVariant, EnvironmentRevision, "environment"
)
