"""Bronze row → typed UPI event, or the reason it breaks the contract. The only place that reads payloads.

Validation is a pure function of the bronze row (the "future" check compares with ``ingest_time``, not
with the clock), so a replayed micro-batch, or a rebuild from bronze, sorts every record the same way as
the first time. Every rule has a reason code; a record gets the first rule it breaks, in
:data:`REASONS` order, with the offending field in ``reason_detail``.

Example::

    >>> checked = validate(bronze_df, ValidationRules.from_settings(settings))   # doctest: +SKIP
    >>> silver_candidates = valid_events(checked)
    >>> quarantine = quarantined(checked)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from upi.contract import OPTIONAL_FIELDS, REQUIRED_FIELDS, STATUSES, enum_of, pattern_of
from upi.settings import Settings

AMOUNT_TYPE = "decimal(12,2)"
IST = "Asia/Kolkata"

REASONS: tuple[str, ...] = (
    "payload_too_large",
    "not_utf8",
    "not_json",
    "not_object",
    "missing_required_key",
    "wrong_type",
    "invalid_txn_id",
    "malformed_vpa",
    "amount_not_decimal",
    "amount_too_precise",
    "amount_not_positive",
    "amount_over_limit",
    "unknown_status",
    "invalid_event_time",
    "event_time_in_future",
    "invalid_optional_field",
)
"""Reason codes, in the order the rules are checked."""

SILVER_COLUMNS: tuple[str, ...] = (
    "txn_id",
    "payer_vpa",
    "payee_vpa",
    "amount",
    "status",
    "event_time",
    *OPTIONAL_FIELDS,
    "event_date",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
    "ingest_time",
)

QUARANTINE_COLUMNS: tuple[str, ...] = (
    "reason",
    "reason_detail",
    "value",
    "value_text",
    "key",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
    "kafka_timestamp",
    "ingest_time",
    "ingest_date",
)

_PLAIN_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_OVER_TWO_DECIMALS = r"\.[0-9]{3,}$"
_EXACT_NUMBER_TYPES = "^(DECIMAL|BIGINT|INT|SMALLINT|TINYINT)"
_STRING_FIELDS = tuple(f for f in REQUIRED_FIELDS if f != "amount")
FIELDS = (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
_OBJECT_OF_FIELDS = "struct<" + ", ".join(f"`{f}`: variant" for f in FIELDS) + ">"
"""A JSON object as its contract's fields, each still a variant (null when absent); null for any other JSON."""
_STRINGS_OF_FIELDS = ", ".join(f"`{f}` string" for f in FIELDS if f != "amount")


@dataclass(frozen=True)
class ValidationRules:
    """Limits of the contract that are settings rather than schema."""

    max_amount_inr: Decimal = Decimal("500000.00")
    max_payload_bytes: int = 16_384
    future_tolerance_seconds: int = 300

    @classmethod
    def from_settings(cls, settings: Settings) -> ValidationRules:
        return cls(settings.max_amount_inr, settings.max_payload_bytes, settings.future_tolerance_seconds)


def _type_col(name: str) -> str:
    return f"_type_{name}"


def _present(name: str) -> Column:
    """The key is there and not JSON null (``schema_of_variant`` says VOID for null)."""
    kind = F.col(_type_col(name))
    return kind.isNotNull() & (kind != "VOID")


def _first(field_checks: list[tuple[str, Column]]) -> Column:
    """Name of the first field whose check is true, else null."""
    return F.coalesce(*[F.when(failed, F.lit(name)) for name, failed in field_checks])


def _optional_value_breaks(name: str) -> Column:
    allowed = enum_of(name)
    regex = pattern_of(name)
    value = F.col(name)
    if allowed:
        wrong = ~value.isin(*allowed)
    elif regex:
        wrong = ~value.rlike(regex)
    else:
        return F.lit(False)
    return _present(name) & wrong


def _optimizer_barrier(frame: DataFrame) -> DataFrame:
    """The same rows and columns, behind a node the optimizer does not push filters through.

    A filter on ``reason`` (``valid_events``, ``quarantined``) would otherwise be pushed down to the scan
    with every derived column inlined into it, re-parsing each payload once per reference: 10x slower. A
    generator's output cannot be inlined, so everything above it reads the columns computed once.
    """
    return frame.select(F.inline(F.array(F.struct(*frame.columns))))


def validate(bronze: DataFrame, rules: ValidationRules) -> DataFrame:
    """Add the typed event columns, ``reason`` (null when valid) and ``reason_detail`` to bronze rows.

    The raw payload (``value``, and ``value_text`` when it is UTF-8) is kept only on rows that broke a rule,
    for quarantine; on valid rows it is null, so it is not carried through the dedup shuffle and the cache
    (bronze keeps every payload).
    """
    text = F.col("value").cast("string")
    doc = F.col("_doc")

    # Stage 1: parse once into a variant, for the document's shape and each field's JSON type; read the
    # fields' text with from_json, in one pass (a variant-to-string cast per field cost 3x as much). Both
    # parsers see the same text, and from_json's values are used only where the variant is an object.
    parsed = bronze.withColumn("_utf8", F.is_valid_utf8(text)).withColumn(
        "_doc", F.when(F.col("_utf8"), F.try_parse_json(text))
    )
    parsed = parsed.withColumn("_object", F.try_variant_get(doc, "$", _OBJECT_OF_FIELDS)).withColumn(
        "_strings", F.when(F.col("_object").isNotNull(), F.from_json(text, _STRINGS_OF_FIELDS))
    )
    parsed = parsed.select(
        "*",
        *[F.schema_of_variant(F.col("_object").getField(f)).alias(_type_col(f)) for f in FIELDS],
        *[F.col("_strings").getField(f).alias(f) for f in FIELDS if f != "amount"],
        # A JSON number amount keeps its exact digits: from_json would read it as a double.
        F.try_variant_get(F.col("_object").getField("amount"), "$", "string").alias("_amount_text"),
    ).withColumnRenamed("event_time", "_event_time_text")

    # Stage 2: per-rule findings, each naming the first offending field.
    amount_kind = F.col(_type_col("amount"))
    parsed = parsed.select(
        "*",
        _first([(f, ~_present(f)) for f in REQUIRED_FIELDS]).alias("_missing"),
        _first(
            [(f, F.col(_type_col(f)) != "STRING") for f in _STRING_FIELDS]
            + [("amount", (amount_kind != "STRING") & ~amount_kind.rlike(_EXACT_NUMBER_TYPES))]
            + [(f, _present(f) & (F.col(_type_col(f)) != "STRING")) for f in OPTIONAL_FIELDS]
        ).alias("_wrong_type"),
        _first([(f, ~F.col(f).rlike(pattern_of(f) or ".")) for f in ("payer_vpa", "payee_vpa")]).alias(
            "_bad_vpa"
        ),
        _first([(f, _optional_value_breaks(f)) for f in OPTIONAL_FIELDS]).alias("_bad_optional"),
        F.expr("try_cast(_amount_text AS decimal(38,2))").alias("_amount_wide"),
        F.expr("try_cast(_event_time_text AS timestamp)").alias("_event_time"),
        doc.isNotNull().alias("_json"),
        F.when(F.col("_object").isNull(), F.schema_of_variant(doc)).alias("_not_object_type"),
    ).drop("_doc", "_object", "_strings")
    parsed = _optimizer_barrier(parsed)

    # Stage 3: the first broken rule, in REASONS order; each check may assume the earlier ones passed.
    amount_text = F.col("_amount_text")
    event_time_text = F.col("_event_time_text")
    future_limit = F.col("ingest_time") + F.make_dt_interval(secs=F.lit(rules.future_tolerance_seconds))
    checks: list[tuple[str, Column, Column]] = [
        ("payload_too_large", F.length("value") > rules.max_payload_bytes, F.length("value")),
        ("not_utf8", ~F.col("_utf8"), F.lit(None)),
        ("not_json", ~F.col("_json"), F.lit(None)),
        ("not_object", F.col("_not_object_type").isNotNull(), F.col("_not_object_type")),
        ("missing_required_key", F.col("_missing").isNotNull(), F.col("_missing")),
        ("wrong_type", F.col("_wrong_type").isNotNull(), F.col("_wrong_type")),
        ("invalid_txn_id", ~F.col("txn_id").rlike(pattern_of("txn_id") or "."), F.col("txn_id")),
        ("malformed_vpa", F.col("_bad_vpa").isNotNull(), F.col("_bad_vpa")),
        ("amount_not_decimal", ~amount_text.rlike(_PLAIN_DECIMAL), amount_text),
        ("amount_too_precise", amount_text.rlike(_OVER_TWO_DECIMALS), amount_text),
        ("amount_not_positive", F.col("_amount_wide") <= 0, amount_text),
        (
            "amount_over_limit",
            F.coalesce(
                F.col("_amount_wide") > F.lit(rules.max_amount_inr).cast("decimal(38,2)"), F.lit(True)
            ),
            amount_text,
        ),
        ("unknown_status", ~F.col("status").isin(*STATUSES), F.col("status")),
        (
            "invalid_event_time",
            ~event_time_text.rlike(pattern_of("event_time") or ".") | F.col("_event_time").isNull(),
            event_time_text,
        ),
        ("event_time_in_future", F.col("_event_time") > future_limit, event_time_text),
        ("invalid_optional_field", F.col("_bad_optional").isNotNull(), F.col("_bad_optional")),
    ]
    reason: Column = F.lit(None).cast("string")
    for code, broken, _ in reversed(checks):
        reason = F.when(broken, F.lit(code)).otherwise(reason)
    checked = parsed.withColumn("reason", reason)
    detail = F.lit(None).cast("string")
    for code, _, why in checks:
        detail = F.when(F.col("reason") == code, why.cast("string")).otherwise(detail)
    valid = passed()
    return (
        checked.withColumn("reason_detail", detail)
        .withColumn("amount", F.when(valid, F.col("_amount_wide").cast(AMOUNT_TYPE)))
        .withColumn("event_time", F.when(valid, F.col("_event_time")))
        .withColumn("event_date", F.to_date(F.from_utc_timestamp("event_time", IST)))
        .withColumn("value_text", F.when(~valid & F.col("_utf8"), text))
        .withColumn("value", F.when(~valid, F.col("value")))
        .drop(*[c for c in checked.columns if c.startswith("_")])
    )


def passed() -> Column:
    """True for a record of :func:`validate` that passed every rule, false for one that broke a rule."""
    return F.col("reason").isNull()


def valid_events(checked: DataFrame) -> DataFrame:
    """The typed events that passed every rule, in silver's column order (``event_date`` is the IST day)."""
    return checked.where(passed()).select(*SILVER_COLUMNS)


def quarantined(checked: DataFrame) -> DataFrame:
    """The records that broke a rule: reason, the raw payload and its Kafka coordinates."""
    return checked.where(~passed()).select(*QUARANTINE_COLUMNS)
