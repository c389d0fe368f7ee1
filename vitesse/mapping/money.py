"""Money, dates and enum values between APIs: minor units (Stripe's ``amount: 1999``, Square's ``amount_money.amount``)
and decimal amounts (Xero's ``UnitAmount: 19.99``), with the currency's ISO 4217 exponent; times as dates.

These are the functions the mapping's templates call as filters (``amount | minor_to_major(currency)``,
``created | to_date``, ``status | translate({...})``); `vitesse.mapping.conversions` proposes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jinja2 import Undefined

from vitesse.mapping.convert import unix_to_iso

ZERO_DECIMAL = frozenset(  # ISO 4217 exponent 0
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"}
    | {"XPF"}
)
THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])  # ISO 4217 exponent 3


def exponent(currency: Any) -> int:
    """Digits after the decimal point in ``currency`` (ISO 4217; 2 when the code is unknown or missing)."""
    code = "" if isinstance(currency, Undefined) else str(currency or "").strip().upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def minor_to_major(amount: Any, currency: Any = None) -> float | None:
    """1999 (cents) -> 19.99; 500 JPY -> 500; a missing amount (None, or a field the record lacks) stays None."""
    if amount is None or isinstance(amount, Undefined):
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ValueError(f"cannot read {amount!r} as an amount in minor units")
    value = Decimal(str(amount)) / (Decimal(10) ** exponent(currency))
    return int(value) if value == value.to_integral_value() else float(value)


def major_to_minor(amount: Any, currency: Any = None) -> int | None:
    """19.99 -> 1999 (cents), rounded half away from zero; None stays None."""
    if amount is None or isinstance(amount, Undefined):
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ValueError(f"cannot read {amount!r} as a decimal amount")
    value = Decimal(str(amount)) * (Decimal(10) ** exponent(currency))
    return int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def to_date(value: Any) -> str | None:
    """Unix seconds (their UTC date) or an ISO 8601 date-time (its date as written) -> ``YYYY-MM-DD``."""
    if value is None or isinstance(value, Undefined):
        return None
    text = value if isinstance(value, str) else unix_to_iso(value)
    text = unix_to_iso(text) if text.strip().lstrip("-").isdigit() else text
    day = text.strip()[:10]
    if len(day) != 10 or day[4] != "-" or day[7] != "-":
        raise ValueError(f"{value!r} is not a date or date-time")
    return day


def translate(value: Any, table: dict[str, Any]) -> Any:
    """One enum's value as another's (``'paid' | translate({'paid': 'PAID', 'void': 'VOIDED'})``); a value the
    table does not list, or a missing one, becomes None."""
    if value is None or isinstance(value, Undefined) or not isinstance(table, dict):
        return None
    return table.get(value if isinstance(value, str) else str(value))


FILTERS = {
    "minor_to_major": minor_to_major,
    "major_to_minor": major_to_minor,
    "to_date": to_date,
    "translate": translate,
}
