"""The quality gate in Dagster: blocking asset checks on the staged objects.

One multi-asset check validates every staged object after the dbt staging step. Its blocking
`quality_gate` checks keep the dbt models step (intermediate, marts) from running when a `stop`
rule fails; rows failing a `quarantine` rule are held out of staging before the marts read it.
`quality_warnings` checks are non-blocking and report warning rules.
"""

import dagster as dg

from orchestration.extract.assets import DUCKDB_POOL
from orchestration.extract.contract import load_contract
from orchestration.quality.gate import Gate, SuiteVerdict
from orchestration.quality.report import TOP_REASONS
from orchestration.quality.suites import EXPECTATIONS_DIR, load_suites
from orchestration.resources import QualityGateResource, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

GATE_CHECK = "quality_gate"
WARNINGS_CHECK = "quality_warnings"


def staging_key(model: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", model])


def _top(counter) -> dict[str, int]:
    return dict(counter.most_common(TOP_REASONS))


def _results(verdict: SuiteVerdict, docs_index) -> list[dg.AssetCheckResult]:
    key = staging_key(verdict.suite.staging_model)
    counts = verdict.counts
    metadata = {
        "rows_checked": verdict.rows_checked,
        "quarantined_this_run": sum(verdict.held.values()),
        "quarantine_reasons": dg.MetadataValue.json(_top(verdict.held)),
        "raw_rows": counts.raw,
        "staged_rows": counts.staged,
        "quarantined_rows": counts.quarantined,
        "superseded_rows": counts.superseded,
        "deleted_rows": counts.deleted,
        "suite": str(verdict.suite.path.name),
    }
    if docs_index:
        metadata["data_docs"] = dg.MetadataValue.path(str(docs_index))
    return [
        dg.AssetCheckResult(
            check_name=GATE_CHECK,
            asset_key=key,
            passed=verdict.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(verdict.stops[:5]) or None,
            metadata=metadata,
        ),
        dg.AssetCheckResult(
            check_name=WARNINGS_CHECK,
            asset_key=key,
            passed=not verdict.warnings,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"warnings": dg.MetadataValue.json(_top(verdict.warnings))},
        ),
    ]


def build_quality_gate() -> dg.AssetChecksDefinition:
    suites = load_suites(EXPECTATIONS_DIR)
    specs = []
    for suite in suites:
        key = staging_key(suite.staging_model)
        specs += [
            dg.AssetCheckSpec(
                GATE_CHECK,
                asset=key,
                blocking=True,
                description=f"Blocking rules of expectations/{suite.path.name}: quarantine failing rows, "
                "or stop the run for a `stop` rule.",
            ),
            dg.AssetCheckSpec(
                WARNINGS_CHECK, asset=key, description=f"Warning rules of expectations/{suite.path.name}."
            ),
        ]

    @dg.multi_asset_check(specs=specs, name="quality_gate", pool=DUCKDB_POOL, compute_kind="great_expectations")
    def quality_gate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, quality: QualityGateResource
    ):
        contract = load_contract(DBT_PROJECT_DIR)
        run_id = context.run.run_id
        stops: list[str] = []
        with warehouse.connect() as conn:
            gate = Gate(conn, contract, run_id, quality.docs_dir(warehouse.resolved_path(), run_id))
            verdicts = []
            for suite in load_suites(quality.suites_dir()):
                verdict = gate.check(suite)
                verdicts.append(verdict)
                held = sum(verdict.held.values())
                context.log.info(
                    f"{suite.table}: {verdict.rows_checked:,} rows checked, {held:,} quarantined, "
                    f"{sum(verdict.warnings.values()):,} warnings"
                )
                stops += verdict.stops
            docs_index = gate.finish()
        if docs_index:
            context.log.info(f"quality report (GX Data Docs): {docs_index}")
        for verdict in verdicts:
            yield from _results(verdict, docs_index)
        if stops:
            shown = "; ".join(stops[:10])
            more = f" (and {len(stops) - 10} more)" if len(stops) > 10 else ""
            raise dg.Failure(
                description=f"The quality gate stopped the run before the marts: {shown}{more}.",
                allow_retries=False,
            )

    return quality_gate
