"""Whether a mentor may work with young people, and whether an under-18 mentee has consent.

A mentor is eligible with an enhanced check (DBS, PVG or AccessNI) issued under three years ago
or kept current on the Update Service, references checked, and induction training done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from server.models import GuardianConsent, MentorVetting

DBS_VALID_FOR = dt.timedelta(days=3 * 365)
UPDATE_SERVICE_RECHECK = dt.timedelta(days=365)  # a status check at least yearly
WARN_BEFORE = dt.timedelta(days=60)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # why not, in words for coordinators and the mentor
    lapses_on: dt.date | None = None


def mentor_eligibility(vetting: MentorVetting | None, today: dt.date) -> Eligibility:
    if vetting is None:
        return Eligibility(False, ("No vetting has been recorded for this mentor.",))
    reasons = []
    lapses_on: dt.date | None = None
    if vetting.update_service and vetting.update_service_checked_on is not None:
        lapses_on = vetting.update_service_checked_on + UPDATE_SERVICE_RECHECK
    elif vetting.dbs_issue_date is not None:
        lapses_on = vetting.dbs_issue_date + DBS_VALID_FOR
    if lapses_on is None:
        reasons.append("No enhanced check (DBS, PVG or AccessNI) is recorded.")
    elif lapses_on <= today:
        reasons.append(f"The enhanced check lapsed on {lapses_on:%d %B %Y}.")
    if not vetting.references_checked:
        reasons.append("References have not been checked.")
    if not vetting.training_completed:
        reasons.append("Induction training is not complete.")
    return Eligibility(not reasons, tuple(reasons), lapses_on)


def has_guardian_consent(consents: list[GuardianConsent]) -> bool:
    return any(consent.withdrawn_at is None for consent in consents)
