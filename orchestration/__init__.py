"""revops-warehouse: extraction, orchestration (Dagster), the demo company and the CLI."""
