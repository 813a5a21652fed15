"""The simulated profile's experiences (§3): popups, sticky bars, inline blocks, A/B tests.

Made up, except where the doc gives examples: the "Spring Promo Popup" with its goal
``6a8bedde-…``, versions ``Control`` / ``Pattern 1`` and the form columns of §3.8, the
"Signup Guide" of §3.3, the user properties of §3.2. Each simulator instance owns an
``ExperienceBook`` so tests can delete an experience or change its status.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from sources.ptengine import settings

from .catalog import GOAL_BY_NAME, SITE


@dataclass(frozen=True)
class Version:
    """One version of an experience; ``form`` lists its form fields (empty: no form)."""

    id: str
    name: str
    weight: int
    lift: int  # per-mille change of the goal / click rates against the first version
    form: tuple[str, ...] = ()
    deleted: bool = False


@dataclass
class Experience:
    """An experience as the list endpoint shows it, plus what the model needs.

    Attributes:
        reach: per-mille of the day's users who view it.
        goals: (id, conversion goal name) pairs; the goal's rate drives ``reachedUsers``.
        popup: whether an ADVANCED experience shows a popup (popup-class metrics).
        starts: the first day it has data.
    """

    id: str
    name: str
    status: str
    type: str
    goals: tuple[tuple[str, str], ...]
    versions: tuple[Version, ...]
    reach: int
    starts: dt.date
    popup: bool = True
    created: str = "2026/02/20 10:12:45"
    creator: str = "owner@example.com"
    tags: str = ""

    @property
    def has_popup_metrics(self) -> bool:
        return self.type in settings.POPUP_CLASS_TYPES and (self.type != "ADVANCED"
                                                             or self.popup)

    @property
    def has_form(self) -> bool:
        return any(v.form for v in self.versions)

    def metric_allowed(self, metric: str) -> bool:
        """§3.9: popup-class and form-class metrics only where they apply."""
        if metric in settings.POPUP_CLASS_METRICS:
            return self.has_popup_metrics
        if metric in settings.FORM_CLASS_METRICS:
            return self.has_form
        return True

    def live_versions(self, show_deleted: bool) -> list[Version]:
        return [v for v in self.versions if show_deleted or not v.deleted]

    def listed(self) -> dict[str, Any]:
        """The entry of ``/experience/list``."""
        return {"id": self.id, "name": self.name, "status": self.status, "type": self.type,
                "goals": [{"id": gid, "name": name} for gid, name in self.goals],
                "versions": [{"id": v.id, "name": v.name} for v in self.versions
                             if not v.deleted]}


START: Final = dt.date(2026, 1, 5)
PURCHASE, SIGNUP, WHITEPAPER = "Purchase complete", "ptmind signup", "Download whitepaper"
EMAIL_FORM: Final = ("Email", "Picture choice", "choice-test2")

EXPERIENCES: Final[tuple[Experience, ...]] = (
    Experience(
        "6c3bad4b-d953-4088-9fcd-d8cbd976b3a2", "Spring Promo Popup", "RUNNING", "POPUP",
        (("6a8bedde-084d-4828-b874-43568cd2f27f", PURCHASE),
         ("7b9cfeef-195e-4939-a985-54679de3a380", SIGNUP)),
        (Version("a2696719-6375-456b-8dbc-7e3d273beb6d", "Control", 50, 0, EMAIL_FORM),
         Version("b3c8f210-7486-467c-9ecd-8f4e384cfc7e", "Pattern 1", 50, 600,
                 ("Email", "Company", "Newsletter")),
         Version("c4d9a321-8597-478d-afde-905f495d0d8f", "Pattern 2 (retired)", 20, -100,
                 EMAIL_FORM, deleted=True)),
        reach=180, starts=START, tags="Spring, Popup"),
    Experience(
        "5bb77b97-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "Signup Guide", "PAUSE", "STICKY_BAR",
        (("8c0d1f2a-2a6f-4a4a-b1b2-65780ef4b491", SIGNUP),),
        (Version("d5eab432-96a8-489e-b0ef-a16a5b6e9e90", "Control", 100, 0),),
        reach=120, starts=START + dt.timedelta(days=20), tags="Onboarding"),
    Experience(
        "9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b", "Hero Inline Banner", "RUNNING", "INLINE",
        (("9d1e2a3b-3b7a-4b5b-82c3-76891f0ac5a2", WHITEPAPER),
         ("ad2f3b4c-4c8b-4c6c-93d4-879a2a1bd6b3", PURCHASE)),
        (Version("e6fbc543-a7b9-49af-81f0-b27b6c7f0fa1", "Control", 50, 0),
         Version("f70cd654-b8ca-4ab0-9201-c38c7d801ab2", "Pattern 1", 50, -150)),
        reach=400, starts=START, tags=""),
    Experience(
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "Checkout Redirect Test", "DRAFT", "REDIRECT",
        (("be3a4c5d-5d9c-4d7d-a4e5-98ab3b2ce7c4", PURCHASE),),
        (Version("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Control", 50, 0),
         Version("1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "Pattern 1", 50, 200)),
        reach=60, starts=dt.date(2030, 1, 1)),
    Experience(
        "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "Summer Sale Takeover", "SCHEDULED",
        "ADVANCED",
        (("cf4b5d6e-6eac-4e8e-b5f6-a9bc4c3df8d5", PURCHASE),),
        (Version("2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f", "Control", 100, 0, ("Email",)),),
        reach=90, starts=dt.date(2030, 6, 1), popup=False),
)

for _e in EXPERIENCES:  # every experience goal is one of the profile's conversion goals
    assert all(name in GOAL_BY_NAME for _, name in _e.goals), _e.name

# §3.2: the user properties; values split an experience's viewers (weights)
USER_PROPERTIES: Final[tuple[dict[str, Any], ...]] = (
    {"name": "plan_name", "displayName": "Plan Name", "source": ["code"], "type": "STRING"},
    {"name": "signup_date", "displayName": "Signup Date", "source": ["default"], "type": "DATE"},
    {"name": "member_rank", "displayName": "Member Rank", "source": ["code"], "type": "STRING"},
)
USER_PROPERTY_VALUES: Final[dict[str, list[tuple[str, int]]]] = {
    "plan_name": [("Free", 55), ("Growth", 30), ("Enterprise", 10), ("(not set)", 5)],
    "signup_date": [("2025-12", 20), ("2026-01", 25), ("2026-02", 30), ("2026-03", 25)],
    "member_rank": [("Gold", 15), ("Silver", 35), ("Bronze", 50)],
}
FORM_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "Picture choice": ("Option 1", "Option 2", "Option 3", ""),
    "choice-test2": ("Option 1", "Option 2", "Option 1,Option 2", ""),
    "Company": ("Acme Inc.", "Globex", "Initech", ""),
    "Newsletter": ("yes", "no"),
}
REFERRAL_HOSTS: Final = {"sourceHost": "referral", "sourceUrl": "referralUrl"}
PAGES_SEEN: Final = (f"{SITE}/", f"{SITE}/pricing", f"{SITE}/products", f"{SITE}/signup")


@dataclass
class ExperienceBook:
    """One simulator's experiences; tests may delete one or change a status."""

    items: dict[str, Experience] = field(default_factory=lambda: {
        e.id: copy.deepcopy(e) for e in EXPERIENCES})
    deleted: set[str] = field(default_factory=set)

    def listed(self) -> list[Experience]:
        return [e for e in self.items.values() if e.id not in self.deleted]

    def get(self, experience_id: Any) -> Experience | None:
        if not isinstance(experience_id, str) or experience_id in self.deleted:
            return None
        return self.items.get(experience_id)

    def delete(self, experience_id: str) -> None:
        """The experience disappears: the list omits it, reports answer ``4040``."""
        self.deleted.add(experience_id)

    def set_status(self, experience_id: str, status: str) -> None:
        self.items[experience_id].status = status
