"""A compact console logger: `HH:MM:SS  step  message`, progress only (no event bookkeeping)."""

import logging
import sys

import dagster as dg


class _CompactFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        step = meta.get("step_key") or meta.get("job_name") or ""
        message = meta.get("orig_message", record.getMessage())
        return f"{self.formatTime(record, '%H:%M:%S')}  {step:<28} {message}"


class _ProgressOnly(logging.Filter):
    """Messages that assets log (rows extracted, dbt model progress) and warnings or worse."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        if _is_skip_notice(meta.get("orig_message", "")):
            return False
        return meta.get("dagster_event") is None or record.levelno >= logging.WARNING


def _is_skip_notice(message: str) -> bool:
    """Dagster's error line for each step downstream of a failure ("Dependencies for step X failed:
    [...]. Not executing."): ~30 after a bad export, burying the failure that the run's closing
    message names anyway."""
    return message.startswith("Dependencies for step ") and message.endswith("Not executing.")


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Compact progress lines on stderr (the CLI's default).",
)
def compact_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("revops")
    logger.handlers.clear()
    logger.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CompactFormatter())
    handler.addFilter(_ProgressOnly())
    logger.addHandler(handler)
    logger.setLevel(init_context.logger_config["log_level"].upper())
    return logger
