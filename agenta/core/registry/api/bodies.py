"""Request bodies of the registry API, shaped like the official SDK's requests.

Every field is optional at this level and unknown keys are ignored (the SDK sends more than we
use); the handlers check what each operation needs and answer 400 naming the missing field.
Type errors (a slug that is not a string, an id that is not a UUID) are refused by the decoder
with the JSON path of the offending field.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from agenta.core.revisions.references import ReferenceBody

Refs = list[ReferenceBody]


class _Body(msgspec.Struct, kw_only=True):
    pass


class ApplicationFields(_Body):
    id: uuid.UUID | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    message: str | None = None


class ApplicationEnvelope(_Body):
    application: ApplicationFields | None = None


class ApplicationQuery(_Body):
    application: ApplicationFields | None = None
    application_refs: Refs | None = None
    include_archived: bool = False


class VariantFields(_Body):
    id: uuid.UUID | None = None
    application_id: uuid.UUID | None = None
    artifact_id: uuid.UUID | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class VariantEnvelope(_Body):
    application_variant: VariantFields | None = None


class VariantQuery(_Body):
    application_refs: Refs | None = None
    application_variant: VariantFields | None = None
    application_variant_refs: Refs | None = None
    include_archived: bool = False


class VariantFork(_Body):
    application_ref: ReferenceBody | None = None
    application_variant_ref: ReferenceBody | None = None
    application_revision_ref: ReferenceBody | None = None
    application_variant: VariantFields | None = None
    message: str | None = None


class RevisionFields(_Body):
    id: uuid.UUID | None = None
    application_id: uuid.UUID | None = None
    application_variant_id: uuid.UUID | None = None
    artifact_id: uuid.UUID | None = None
    variant_id: uuid.UUID | None = None
    slug: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None


class RevisionCommit(_Body):
    application_revision: RevisionFields | None = None
    # The name the upstream API documents for the same object.
    application_revision_commit: RevisionFields | None = None


class RevisionRetrieve(_Body):
    application_ref: ReferenceBody | None = None
    application_variant_ref: ReferenceBody | None = None
    application_revision_ref: ReferenceBody | None = None
    environment_ref: ReferenceBody | None = None
    environment_revision_ref: ReferenceBody | None = None
    key: str | None = None
    resolve: bool = True
    include_archived: bool = False


class RevisionLog(_Body):
    # The SDK sends the variant under this (plural) key.
    application_revisions: RevisionFields | None = None
    application_ref: ReferenceBody | None = None
    application_variant_ref: ReferenceBody | None = None
    include_archived: bool = False


class RevisionDeploy(_Body):
    application_ref: ReferenceBody | None = None
    application_variant_ref: ReferenceBody | None = None
    application_revision_ref: ReferenceBody | None = None
    environment_ref: ReferenceBody | None = None
    message: str | None = None


class RevisionDiff(_Body):
    old_revision_ref: ReferenceBody | None = None
    new_revision_ref: ReferenceBody | None = None


class EnvironmentFields(_Body):
    id: uuid.UUID | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    flags: dict[str, Any] | None = None


class EnvironmentEnvelope(_Body):
    environment: EnvironmentFields | None = None


class EnvironmentQuery(_Body):
    environment: EnvironmentFields | None = None
    environment_refs: Refs | None = None
    include_archived: bool = False


class EnvironmentLog(_Body):
    environment_ref: ReferenceBody | None = None
    limit: int | None = None


class EnvironmentRollback(_Body):
    environment_ref: ReferenceBody | None = None
    environment_revision_ref: ReferenceBody | None = None
    message: str | None = None


class LegacyConfigFetch(_Body):
    application_ref: ReferenceBody | None = None
    variant_ref: ReferenceBody | None = None
    environment_ref: ReferenceBody | None = None
