"""People and organisations: who may see and do what."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, clock_now


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"
    ANALYST = "analyst"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    """Where an organisation stands in the administration: oblast → district → hromada council → ЦНАП office."""

    OBLAST = "oblast"
    DISTRICT = "district"
    HROMADA = "hromada"
    CNAP = "cnap"
    OTHER = "other"


class Organisation(Base):
    """An organisation of the public administration; `parent_id` builds the tree (oblast → … → ЦНАП office)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), default=OrganisationKind.OTHER.value)
    edrpou: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    address_en: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    working_hours: Mapped[str] = mapped_column(String(500), default="")
    working_hours_en: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    groups: Mapped[list[Group]] = relationship(back_populates="organisation", order_by="Group.slug")
    parent: Mapped[Organisation | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - two admins cannot overwrite each other


group_member = Table(
    "group_member",
    Base.metadata,
    Column("group_id", Integer, ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
)


class Group(Base):
    """A group of officials inside one organisation; user tasks name groups as candidates."""

    __tablename__ = "user_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    sees_child_organisations: Mapped[bool] = mapped_column(Boolean, default=False)
    """Members see the cases of the organisation's child organisations too (a regional office over its hromadas)."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="groups")
    members: Mapped[list[User]] = relationship(secondary=group_member, back_populates="groups")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class User(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.CITIZEN.value)
    locale: Mapped[str] = mapped_column(String(8), default="uk")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    phone: Mapped[str] = mapped_column(String(40), default="")
    tax_number: Mapped[str] = mapped_column(String(20), default="")
    """RNOKPP (the individual tax number), when an identity provider vouched for it."""
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    security_stamp: Mapped[str] = mapped_column(String(64), default="")
    """Changes when every session and token must end (sign-out everywhere, new password, deactivation)."""
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    email_verification_required: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set by self-registration: the account cannot sign in until `email_verified_at` is set (the link was used)."""
    verified_json: Mapped[str] = mapped_column(Text, default="{}")
    """What identity providers vouched for ({field: value}: names, tax number, and e-mail or phone when verified),
    refreshed at each sign-in through one; forms show these read-only (engine/services/cases/prefill.py)."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    groups: Mapped[list[Group]] = relationship(secondary=group_member, back_populates="members")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - two admins cannot overwrite each other


class ExternalIdentity(Base):
    """A sign-in identity at an external OpenID Connect provider, linked to one account by (provider, subject)."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    claims_json: Mapped[str] = mapped_column(Text, default="{}")
    """The verified claims of the last sign-in (names, e-mail, phone, tax number), as the provider sent them."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()


class SecondFactor(Base):
    """A staff account's TOTP second factor; recovery codes are stored as argon2 hashes, each usable once."""

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    totp_secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recovery_codes_json: Mapped[str] = mapped_column(Text, default="[]")
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)
    """The TOTP time step last accepted: a code is never accepted twice."""


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class SignInThrottle(Base):
    """Failed sign-ins per account, kept in the database so every host counts the same attempts."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
