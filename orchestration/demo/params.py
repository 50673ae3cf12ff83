"""The demo company's generating parameters: its documented truth.

Everything the warehouse should recover from the demo is stated here (conversion rates per
channel, cycle lengths, hand-off speed, ...). demo/README.md explains them; tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

BASE_LEADS = 20_000  # leads at scale 1.0 over the whole period


@dataclass(frozen=True)
class Channel:
    """A lead source. Stage probabilities are conditional on reaching the previous stage."""

    name: str  # Lead.LeadSource value
    lead_share: float
    p_mql: float  # P(reach MQL or later | lead)
    p_sal: float  # P(reach SAL or later | MQL)
    p_sql: float  # P(reach SQL or later | SAL)
    p_opp: float  # P(converted to an opportunity | SQL)
    p_won: float  # P(won | opportunity), before rep skill (which averages to 1)
    cost_per_lead: float  # marketing spend per lead, USD
    days_to_mql: float  # median days from created to MQL
    campaign_type: str | None  # Campaign.Type of its campaigns (None: no campaigns)
    skips_mql: bool = False  # SDR-sourced leads go Open -> Working -> Sales Accepted

    @property
    def mql_to_sql(self) -> float:
        """Expected cohort conversion MQL -> SQL under the waterfall rule."""
        return self.p_sal * self.p_sql

    @property
    def sql_to_won(self) -> float:
        """Expected cohort conversion SQL -> won (closed cohorts)."""
        return self.p_opp * self.p_won


CHANNELS: tuple[Channel, ...] = (
    Channel("Web", 0.28, 0.35, 0.80, 0.55, 0.85, 0.30, 40.0, 3.0, "Website"),
    Channel("Paid Search", 0.20, 0.30, 0.75, 0.45, 0.80, 0.25, 120.0, 2.0, "Paid Search"),
    Channel("Paid Social", 0.15, 0.20, 0.65, 0.35, 0.75, 0.20, 90.0, 6.0, "Paid Social"),
    Channel("Events", 0.10, 0.45, 0.85, 0.50, 0.85, 0.28, 250.0, 1.0, "Conference"),
    Channel("Partner Referral", 0.07, 0.60, 0.90, 0.65, 0.90, 0.40, 150.0, 2.0, "Partner"),
    Channel("Outbound", 0.12, 0.25, 1.00, 0.50, 0.80, 0.22, 0.0, 10.0, None, skips_mql=True),
    Channel("Email", 0.08, 0.25, 0.70, 0.40, 0.80, 0.24, 30.0, 8.0, "Email"),
)

# Lead.Status picklist of the demo company, in lifecycle order, and its canonical stage
# (the same mapping is in seeds/lifecycle_stage_map.csv, source_system 'demo').
LEAD_STATUSES: tuple[tuple[str, str], ...] = (
    ("Open - Not Contacted", "lead"),
    ("Working - Contacted", "lead"),
    ("Marketing Qualified", "mql"),
    ("Sales Accepted", "sal"),
    ("Sales Qualified", "sql"),
    ("Closed - Converted", "opportunity"),
    ("Closed - Not Converted", "disqualified"),
    ("Nurture", "disqualified"),
)

# Opportunity stages: (StageName, default probability, ForecastCategoryName).
OPPORTUNITY_STAGES: tuple[tuple[str, int, str], ...] = (
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 20, "Pipeline"),
    ("Needs Analysis", 40, "Best Case"),
    ("Proposal/Price Quote", 60, "Best Case"),
    ("Negotiation/Review", 80, "Commit"),
    ("Closed Won", 100, "Closed"),
    ("Closed Lost", 0, "Omitted"),
)

# Regions: (name, share of leads, countries with their share and currency).
REGIONS: tuple[tuple[str, float, tuple[tuple[str, float, str], ...]], ...] = (
    ("NA", 0.55, (("United States", 0.85, "USD"), ("Canada", 0.15, "CAD"))),
    (
        "EMEA",
        0.30,
        (
            ("United Kingdom", 0.35, "GBP"),
            ("Germany", 0.30, "EUR"),
            ("France", 0.20, "EUR"),
            ("Netherlands", 0.15, "EUR"),
        ),
    ),
    ("APAC", 0.15, (("Australia", 0.70, "AUD"), ("Singapore", 0.30, "USD"))),
)

# Units of each currency per 1 USD at the start of the period (a random walk follows).
CURRENCY_BASE_RATES: dict[str, float] = {"USD": 1.0, "CAD": 1.36, "GBP": 0.79, "EUR": 0.92, "AUD": 1.52}

INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Professional Services",
)

# Size bands (segment) by NumberOfEmployees, and median sales cycle days per band.
SEGMENTS: tuple[tuple[str, int, float], ...] = (
    ("SMB", 0, 30.0),
    ("Mid-Market", 200, 60.0),
    ("Enterprise", 2000, 110.0),
)

# Products: (Name, ProductCode, Family, list price USD per unit).
PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    ("Core Platform", "CORE-01", "Platform", 9000.0),
    ("Enterprise Security", "SEC-01", "Platform", 6000.0),
    ("Analytics Add-on", "ADD-ANL", "Add-on", 3000.0),
    ("Automation Add-on", "ADD-AUT", "Add-on", 4000.0),
    ("Data Connector Pack", "ADD-CON", "Add-on", 1500.0),
    ("Premium Support", "SVC-SUP", "Services", 2500.0),
    ("Onboarding Services", "SVC-ONB", "Services", 5000.0),
    ("Hardware Appliance", "HW-APP", "Hardware", 8000.0),
)

# Calendar-month seasonality of lead volume (Jan..Dec) and weekday weights (Mon..Sun).
MONTH_SEASONALITY: tuple[float, ...] = (0.85, 0.95, 1.05, 1.0, 1.0, 0.9, 0.8, 0.8, 1.1, 1.15, 1.1, 0.85)
WEEKDAY_WEIGHTS: tuple[float, ...] = (1.15, 1.15, 1.1, 1.05, 0.95, 0.3, 0.3)

# New reps ramp: share of full capacity (and of quota) by tenure month 1, 2, 3, 4+.
RAMP_BY_TENURE_MONTH: tuple[float, ...] = (0.25, 0.50, 0.75, 1.00)


@dataclass(frozen=True)
class DemoParams:
    seed: int = 42
    scale: float = 1.0
    start: datetime = datetime(2024, 10, 1)
    months: int = 24
    # The export is taken at this instant (UTC): later events are not in it. Default: the end.
    as_of: datetime | None = None
    yearly_growth: float = 0.35
    # Lifecycle shape.
    p_straight_conversion: float = 0.06  # of converted leads: converted straight from Open
    p_skip_sal: float = 0.15  # of SQL leads: MQL -> SQL without Sales Accepted
    p_recycle: float = 0.15  # of MQL leads: disqualified to Nurture, later re-MQL'd
    p_second_recycle: float = 0.10  # of recycled leads: a second loop
    days_sal_to_sql: float = 6.0
    days_sql_to_opp: float = 2.0
    # Speed to lead: SDR median hours vary uniformly in this range; some MQLs get no touch.
    sdr_handoff_hours: tuple[float, float] = (2.0, 20.0)
    p_no_touch: float = 0.08
    handoff_sla_hours: float = 24.0
    # Renewal and expansion business on won accounts.
    p_renewal_won: float = 0.85
    p_expansion: float = 0.20
    p_expansion_won: float = 0.45
    # Soft deletes (kept in the export with IsDeleted = true).
    p_deleted: float = 0.005
    fiscal_year_start_month: int = 2
    company_time_zone: str = "America/New_York"
    team_size: int = 8  # reps per first-line manager
    reps_at_scale_1: dict[str, int] = field(default_factory=lambda: {"AE": 10, "SDR": 6, "CSM": 3, "Marketing": 4})

    @property
    def leads(self) -> int:
        return max(200, round(BASE_LEADS * self.scale))

    @property
    def end(self) -> datetime:
        year = self.start.year + (self.start.month - 1 + self.months) // 12
        month = (self.start.month - 1 + self.months) % 12 + 1
        return datetime(year, month, 1)

    @property
    def export_at(self) -> datetime:
        return self.as_of or self.end

    def channel(self, name: str) -> Channel:
        return next(channel for channel in CHANNELS if channel.name == name)
