"""SQLAlchemy 2 typed models; the schema itself is owned by the Alembic migrations."""

from engine.models.applications import (
    Application,
    ApplicationStatus,
    Attachment,
    AuditEvent,
    HumanTask,
    TaskCandidate,
    TaskStatus,
)
from engine.models.base import Base, utcnow
from engine.models.catalog import ProcessSpec, Service, ServiceVersion
from engine.models.directory import ApiToken, Group, Organisation, Role, User, group_member

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationStatus",
    "Attachment",
    "AuditEvent",
    "Base",
    "Group",
    "HumanTask",
    "Organisation",
    "ProcessSpec",
    "Role",
    "Service",
    "ServiceVersion",
    "TaskCandidate",
    "TaskStatus",
    "User",
    "group_member",
    "utcnow",
]
