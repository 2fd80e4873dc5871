"""Who may do what: the one place where roles and organisation scope are decided.

Routes declare which roles may call them; objects are then checked here against the actor's
organisation. An object outside the actor's scope is reported as not found, so its existence
does not leak across organisations.
"""

from __future__ import annotations

from server.errors import Forbidden, InvalidInput, NotFound
from server.models import Pairing, Role, User

STAFF_ROLES = frozenset({Role.COORDINATOR, Role.SAFEGUARDING, Role.ADMIN})
PARTICIPANT_ROLES = frozenset({Role.MENTOR, Role.MENTEE})
ALL_ROLES = frozenset(Role)

# Roles each role may invite.
_INVITES: dict[Role, frozenset[Role]] = {
    Role.COORDINATOR: PARTICIPANT_ROLES,
    Role.ADMIN: frozenset(Role),
}
# Roles that must belong to a partner organisation.
ORGANISATION_ROLES = frozenset({Role.MENTEE, Role.MENTOR, Role.COORDINATOR})


def role_of(user: User) -> Role:
    return Role(user.role)


def invitable_roles(actor: User) -> frozenset[Role]:
    return _INVITES.get(role_of(actor), frozenset())


def is_platform_wide(user: User) -> bool:
    """Admins, and safeguarding leads not tied to one organisation, see every organisation."""
    role = role_of(user)
    return role is Role.ADMIN or (role is Role.SAFEGUARDING and user.organisation_id is None)


def in_scope(actor: User, organisation_id: int | None) -> bool:
    if is_platform_wide(actor):
        return True
    return actor.organisation_id is not None and actor.organisation_id == organisation_id


def invitation_organisation(actor: User, role: Role, requested: int | None) -> int | None:
    """The organisation an invitee joins, decided by who invites whom."""
    if role not in invitable_roles(actor):
        raise Forbidden(f"You cannot invite a {role.label.lower()}.", field="role")
    if role_of(actor) is Role.COORDINATOR:
        if requested is not None and requested != actor.organisation_id:
            raise NotFound("No such organisation.", field="organisation_id")
        return actor.organisation_id
    if role in ORGANISATION_ROLES and requested is None:
        raise InvalidInput(
            f"Choose the organisation of the {role.label.lower()}.", field="organisation_id"
        )
    if role is Role.ADMIN:
        return None
    return requested


def ensure_can_view_user(actor: User, target: User) -> None:
    if actor.id == target.id:
        return
    if role_of(actor) not in STAFF_ROLES or not in_scope(actor, target.organisation_id):
        raise NotFound("No such person.")


def ensure_can_manage_user(actor: User, target: User) -> None:
    """Coordinators manage the mentors and mentees of their organisation; admins manage anyone."""
    ensure_can_view_user(actor, target)
    if actor.id == target.id:
        raise Forbidden("You cannot change your own account here.")
    if role_of(actor) is Role.ADMIN:
        return
    if role_of(actor) is not Role.COORDINATOR or role_of(target) not in PARTICIPANT_ROLES:
        raise Forbidden("Only a coordinator of their organisation can change this person.")


def ensure_can_view_pairing(actor: User, pairing: Pairing) -> None:
    if actor.id in (pairing.mentor_id, pairing.mentee_id):
        return
    if role_of(actor) not in STAFF_ROLES or not in_scope(actor, pairing.organisation_id):
        raise NotFound("No such pairing.")
