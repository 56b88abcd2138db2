"""Traffic profiles: what a day of UPI looks like, as presets for ``upi generate --profile``.

Each number here is a modelling choice with its source; they are shapes to look right to a UPI analyst, not
figures reproduced from one dataset (the sources publish monthly totals and charts, not per-event data):

* **PSP shares** (``generator.events.PSPS``): NPCI's monthly "UPI Ecosystem Statistics" by app, 2024–2025:
  PhonePe ≈ 48 %, Google Pay ≈ 37 %, Paytm ≈ 7 %, the rest (BHIM, CRED, banks' apps) ≈ 8 %.
* **P2M share of counts** ≈ 62 %: NPCI's P2P/P2M split of monthly volume (P2M passed P2P in 2023 and has stayed
  around three fifths of counts since).
* **Amounts**: log-normal per merchant category around a median ticket (``MERCHANT_CATEGORIES``); small tickets
  dominate — NPCI and Worldline's India Digital Payments Reports put the P2M average ticket near ₹600 and half of
  P2M payments under ₹500; capped at the per-transaction limit (₹1 lakh for most categories).
* **Outcomes**: about 93–94 % of transactions end SUCCESS (NPCI's monthly technical-decline rates are around
  1 %, business declines — wrong PIN, insufficient funds — the rest); failures spread over NPCI response codes
  in ``FAILURE_CODES`` (U30 debit failed, U16 risk threshold, Z9 insufficient funds, ZM invalid PIN, U69 collect
  expired, BT bank timeout, XH account not found); a few percent start PENDING and resolve later.
* **Hourly seasonality** (IST): a night trough (02–05 h at a tenth of the mean), a morning ramp, a lunch bump
  and the evening peak (19–21 h at about 1.8× the mean) — the shape of the hourly charts in Worldline's reports
  and NPCI's peak-hour disclosures.
* **Salary effect**: the first days of a month carry more traffic (salaries, rent, bills), +15 % on day 1
  tapering to nothing by day 5.
* **Merchant popularity**: Zipf with exponent 1.1 over the merchant pool (a few chains take much of the volume).
* **Payer → PSP**: each payer keeps one app and its VPA handle for the whole run (``generator.events``).

Example::

    >>> PROFILES["festival"].rate_multiplier
    3.0
    >>> round(sum(HOURLY_IST) / 24, 6)
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30))  # India Standard Time: UPI's business days and hours

# Relative traffic by IST hour 0..23, normalised below to a mean of 1.
_HOURLY_SHAPE = (
    0.35, 0.2, 0.12, 0.1, 0.1, 0.15, 0.35, 0.6, 0.9, 1.15, 1.25, 1.3,
    1.4, 1.35, 1.2, 1.15, 1.2, 1.35, 1.6, 1.85, 1.9, 1.7, 1.2, 0.7,
)  # fmt: skip
HOURLY_IST: tuple[float, ...] = tuple(w * 24 / sum(_HOURLY_SHAPE) for w in _HOURLY_SHAPE)
# A festival day (Diwali, Dhanteras): shopping from late morning, a long evening peak.
_FESTIVAL_SHAPE = (
    0.45, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.5, 0.8, 1.1, 1.4, 1.6,
    1.7, 1.6, 1.5, 1.5, 1.6, 1.8, 2.1, 2.3, 2.3, 2.0, 1.4, 0.9,
)  # fmt: skip
FESTIVAL_HOURLY_IST: tuple[float, ...] = tuple(w * 24 / sum(_FESTIVAL_SHAPE) for w in _FESTIVAL_SHAPE)
SALARY_DAYS = ((1, 0.15), (2, 0.11), (3, 0.07), (4, 0.03))  # (day of month, extra traffic)


@dataclass(frozen=True)
class Outage:
    """One bank failing: its payers' transactions fail at ``failure_rate`` with ``codes`` during the window
    (measured from the run's first event time)."""

    bank: str = "SBIN"
    failure_rate: float = 0.7
    codes: tuple[tuple[str, float], ...] = (("U30", 0.5), ("BT", 0.4), ("U16", 0.1))
    begins_after: timedelta = timedelta(minutes=0)
    lasts: timedelta = timedelta(minutes=30)

    def covers(self, start: datetime, moment: datetime) -> bool:
        offset = moment - start
        return self.begins_after <= offset < self.begins_after + self.lasts


@dataclass(frozen=True)
class Profile:
    """The shape of the traffic. ``uniform`` (no seasonality, uniform merchants) is what tests use to place
    events exactly; the presets in :data:`PROFILES` are what ``upi generate --profile`` offers."""

    name: str
    hourly: tuple[float, ...] = (1.0,) * 24
    salary_days: tuple[tuple[int, float], ...] = ()
    rate_multiplier: float = 1.0  # event-time density relative to --rate's clock (a festival is busier)
    p2m_share: float = 0.62
    failure_rate: float = 0.06  # of new transactions; PENDING ones resolve to SUCCESS 80 % of the time
    amount_scale: float = 1.0
    zipf_exponent: float = 0.0  # 0 = every merchant equally likely
    hot_key_rate: float = 0.0  # share of P2M payments that go to the single busiest merchant
    outage: Outage | None = None

    def intensity(self, moment_ist: datetime) -> float:
        """Traffic at ``moment_ist`` relative to the mean: the clock advances 1/intensity per event."""
        salary = 1.0 + dict(self.salary_days).get(moment_ist.day, 0.0)
        return self.hourly[moment_ist.hour] * salary * self.rate_multiplier

    def flat(self) -> Profile:
        """This profile without its time shape: for paced runs, whose event times follow the wall clock."""
        return replace(self, hourly=(1.0,) * 24, salary_days=(), rate_multiplier=1.0)

    def start_for(self, end: datetime, records: int, events_per_second: float) -> datetime:
        """The first event time from which ``records`` events of this profile end at ``end``.

        >>> seven = datetime(2026, 11, 25, 7, tzinfo=IST)   # the morning is quiet: an hour of mean traffic
        >>> STEADY.start_for(seven, 3_600, 1.0) < seven - timedelta(hours=1)   # reaches further back
        True
        """
        moment, left = end.astimezone(IST), float(records)
        while True:
            hour_start = moment.replace(minute=0, second=0, microsecond=0)
            if hour_start == moment:
                hour_start -= timedelta(hours=1)
            rate = events_per_second * self.intensity(hour_start)
            fits = (moment - hour_start).total_seconds() * rate
            if fits >= left:
                return moment - timedelta(seconds=left / rate)
            left -= fits
            moment = hour_start


UNIFORM = Profile("uniform")
STEADY = Profile("steady", hourly=HOURLY_IST, salary_days=SALARY_DAYS, zipf_exponent=1.1)
PROFILES: dict[str, Profile] = {
    "steady": STEADY,
    "festival": Profile(
        "festival", hourly=FESTIVAL_HOURLY_IST, salary_days=SALARY_DAYS, rate_multiplier=3.0, p2m_share=0.7,
        failure_rate=0.07, amount_scale=1.4, zipf_exponent=1.2,
    ),
    "bank-outage": Profile(
        "bank-outage", hourly=HOURLY_IST, salary_days=SALARY_DAYS, zipf_exponent=1.1, outage=Outage(),
    ),
    "uniform": UNIFORM,
}  # fmt: skip
