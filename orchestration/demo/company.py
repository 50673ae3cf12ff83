"""The demo company's people: a role hierarchy and users (SDR, AE, CSM, marketing, managers)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from orchestration.demo.params import RAMP_BY_TENURE_MONTH, REGIONS, DemoParams
from orchestration.demo.sampling import DAY, epoch

FIRST_NAMES = (
    "Ava",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Isla",
    "Jack",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Ravi",
    "Sofia",
    "Tom",
    "Uma",
    "Victor",
    "Wei",
    "Xena",
    "Yusuf",
    "Zoe",
    "Aiden",
    "Bea",
    "Carlos",
    "Dana",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
)
LAST_NAMES = (
    "Adams",
    "Becker",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Muller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
    "Alvarez",
    "Brown",
    "Costa",
    "Dang",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Hansen",
    "Iqbal",
    "Jones",
    "Kim",
    "Larsen",
    "Moreau",
    "Novak",
)

KINDS = ("Exec", "Manager", "AE", "SDR", "CSM", "Marketing", "System")
DEPARTMENT = {"AE": "Sales", "SDR": "Sales", "CSM": "Customer Success", "Marketing": "Marketing"}
TITLE = {
    "AE": "Account Executive",
    "SDR": "Sales Development Representative",
    "CSM": "Customer Success Manager",
    "Marketing": "Marketing Manager",
}


@dataclass
class Company:
    role_names: list[str]
    role_parent: list[int]  # index of the parent role, -1 for the top
    user_kind: np.ndarray  # index into KINDS
    user_role: np.ndarray
    user_manager: np.ndarray  # user index, -1 for none
    user_region: np.ndarray  # index into REGIONS, -1 for global
    user_team: list[str]
    user_department: list[str]
    user_title: list[str]
    hired_at: np.ndarray  # epoch seconds
    left_at: np.ndarray  # epoch seconds, -1 while employed
    skill: np.ndarray  # AE win-rate multiplier (1.0 for others)
    handoff_hours: np.ndarray  # SDR median hours from MQL to first touch

    def members(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.user_kind == KINDS.index(kind))

    def capacity(self, users: np.ndarray, month_start: int) -> np.ndarray:
        """Share of full capacity in the month starting at `month_start` (0 when not employed,
        ramped by tenure month for new hires)."""
        middle = month_start + 15 * DAY
        tenure = np.floor((middle - self.hired_at[users]) / (30.44 * DAY)).astype(int)
        employed = (tenure >= 0) & ((self.left_at[users] < 0) | (self.left_at[users] > middle))
        ramp = np.asarray(RAMP_BY_TENURE_MONTH)[np.clip(tenure, 0, len(RAMP_BY_TENURE_MONTH) - 1)]
        return np.where(employed, ramp, 0.0)

    def capacity_by_index(self, users: np.ndarray):
        """capacity() for positions into `users` (the shape pick_by_capacity expects)."""
        return lambda positions, month_start: self.capacity(users[positions], month_start)

    @property
    def size(self) -> int:
        return self.user_kind.size


class _Builder:
    def __init__(self, params: DemoParams, rng: np.random.Generator):
        self.params = params
        self.rng = rng
        self.roles: list[tuple[str, int]] = []
        self.users: list[dict] = []

    def role(self, name: str, parent: int) -> int:
        self.roles.append((name, parent))
        return len(self.roles) - 1

    def user(self, kind: str, role: int, manager: int, region: int, team: str, **extra) -> int:
        self.users.append(
            {
                "kind": kind,
                "role": role,
                "manager": manager,
                "region": region,
                "team": team,
                "department": extra.get("department", DEPARTMENT.get(kind, "Sales")),
                "title": extra.get("title", TITLE.get(kind, kind)),
                "veteran": extra.get("veteran", False),
            }
        )
        return len(self.users) - 1

    def team_count(self, kind: str, share: float) -> int:
        base = self.params.reps_at_scale_1[kind] * self.params.scale * share
        return max(2, round(base))

    def staffed_teams(self, kind: str, region: int, parent_role: int, manager_title: str) -> None:
        region_name = REGIONS[region][0] if region >= 0 else "Global"
        share = REGIONS[region][1] if region >= 0 else 1.0
        reps = self.team_count(kind, share)
        teams = math.ceil(reps / self.params.team_size)
        for team_number in range(teams):
            suffix = f" {team_number + 1}" if teams > 1 else ""
            team = f"{kind} - {region_name}{suffix}"
            manager_role = self.role(f"{kind} Manager - {region_name}{suffix}", parent_role)
            member_role = self.role(team, manager_role)
            manager = self.user(
                "Manager",
                manager_role,
                self._vp_sales,
                region,
                team,
                department=DEPARTMENT[kind],
                title=manager_title,
                veteran=True,
            )
            size = reps // teams + (1 if team_number < reps % teams else 0)
            for _ in range(size):
                self.user(kind, member_role, manager, region, team)

    def build(self) -> Company:
        ceo_role = self.role("CEO", -1)
        vp_sales_role = self.role("VP Sales", ceo_role)
        vp_marketing_role = self.role("VP Marketing", ceo_role)
        ceo = self.user("Exec", ceo_role, -1, -1, "Executive", department="Executive", title="CEO", veteran=True)
        self._vp_sales = self.user("Exec", vp_sales_role, ceo, -1, "Executive", title="VP Sales", veteran=True)
        vp_marketing = self.user(
            "Exec", vp_marketing_role, ceo, -1, "Executive", department="Marketing", title="VP Marketing", veteran=True
        )
        self.user(
            "System",
            vp_marketing_role,
            -1,
            -1,
            "Marketing",
            department="Marketing",
            title="Marketing Automation (integration user)",
            veteran=True,
        )
        marketing_role = self.role("Marketing", vp_marketing_role)
        for _ in range(self.team_count("Marketing", 1.0)):
            self.user("Marketing", marketing_role, vp_marketing, -1, "Marketing")
        for region in range(len(REGIONS)):
            self.staffed_teams("SDR", region, vp_sales_role, "SDR Manager")
            self.staffed_teams("AE", region, vp_sales_role, "Sales Manager")
        self.staffed_teams("CSM", -1, vp_sales_role, "Customer Success Director")
        return self._finish()

    def _finish(self) -> Company:
        rng, params = self.rng, self.params
        n = len(self.users)
        kind = np.array([KINDS.index(u["kind"]) for u in self.users])
        start, end = epoch(params.start), epoch(params.end)
        veteran = np.array([u["veteran"] for u in self.users]) | (rng.random(n) < 0.7)
        hired = np.where(
            veteran,
            start - rng.integers(60, 1400, n) * DAY,
            rng.integers(start, end - 60 * DAY, n),
        )
        rep = np.isin(kind, [KINDS.index(k) for k in ("AE", "SDR", "CSM")])
        leaves = rep & veteran & (rng.random(n) < 0.12)
        left = np.where(leaves, rng.integers(start + 90 * DAY, end - 30 * DAY, n), -1)
        # Always at least one AE who leaves mid-period (commission / attainment edge case).
        first_ae = int(np.flatnonzero(kind == KINDS.index("AE"))[0])
        left[first_ae] = start + 14 * 30 * DAY + 10 * DAY
        hired[first_ae] = start - 400 * DAY
        skill = np.where(kind == KINDS.index("AE"), rng.uniform(0.7, 1.3, n), 1.0)
        low, high = params.sdr_handoff_hours
        handoff = np.where(kind == KINDS.index("SDR"), rng.uniform(low, high, n), 8.0)
        return Company(
            role_names=[name for name, _ in self.roles],
            role_parent=[parent for _, parent in self.roles],
            user_kind=kind,
            user_role=np.array([u["role"] for u in self.users]),
            user_manager=np.array([u["manager"] for u in self.users]),
            user_region=np.array([u["region"] for u in self.users]),
            user_team=[u["team"] for u in self.users],
            user_department=[u["department"] for u in self.users],
            user_title=[u["title"] for u in self.users],
            hired_at=hired.astype(np.int64),
            left_at=left.astype(np.int64),
            skill=skill,
            handoff_hours=handoff,
        )


def build_company(params: DemoParams, rng: np.random.Generator) -> Company:
    return _Builder(params, rng).build()
