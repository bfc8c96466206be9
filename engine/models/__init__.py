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
from engine.models.audit_chain import AuditChainHead
from engine.models.base import Base, utcnow
from engine.models.calendar import (
    CalendarDay,
    DayKind,
    EscalationCondition,
    EscalationFiring,
    EscalationRule,
    PlatformSetting,
)
from engine.models.catalog import ProcessSpec, Service, ServiceVersion, VersionStatus
from engine.models.comments import CaseComment
from engine.models.directory import (
    ApiToken,
    ExternalIdentity,
    Group,
    Organisation,
    OrganisationKind,
    Role,
    SecondFactor,
    SignInThrottle,
    User,
    group_member,
)
from engine.models.feedback import CaseRating, StatisticsDay, StatisticsDurationDay, StatisticsOutcomeDay
from engine.models.integrations import Integration
from engine.models.jobs import (
    Incident,
    IncidentKind,
    IncidentStatus,
    Job,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
)
from engine.models.revisions import CacheRevision
from engine.models.saved_filters import SavedQueueFilter
from engine.models.studio import FormDocument, TestRun, TestRunStatus

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationStatus",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "CacheRevision",
    "CalendarDay",
    "CaseComment",
    "CaseRating",
    "DayKind",
    "EscalationCondition",
    "EscalationFiring",
    "EscalationRule",
    "ExternalIdentity",
    "FormDocument",
    "Group",
    "HumanTask",
    "Incident",
    "IncidentKind",
    "IncidentStatus",
    "Integration",
    "Job",
    "JobStatus",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "OutboxStatus",
    "PlatformSetting",
    "ProcessSpec",
    "Role",
    "SavedQueueFilter",
    "SecondFactor",
    "Service",
    "ServiceVersion",
    "SignInThrottle",
    "StatisticsDay",
    "StatisticsDurationDay",
    "StatisticsOutcomeDay",
    "TaskCandidate",
    "TaskStatus",
    "TestRun",
    "TestRunStatus",
    "User",
    "VersionStatus",
    "group_member",
    "utcnow",
]
