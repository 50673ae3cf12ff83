"""Turn the configured source into a validated ExportSnapshot (demo generated on demand)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from orchestration.demo.generate import generate_demo
from orchestration.demo.params import DemoParams
from orchestration.extract.contract import SourceContract
from orchestration.extract.errors import InputProblem, SourceContractError
from orchestration.extract.export_source import ExportSnapshot, snapshot_directory, unpack_zip, validate_snapshot

DEMO_COMPLETE_MARKER = "_demo/truth.json"
DEMO_GENERATOR_MARKER = "_demo/generator.sha256"
DEMO_PACKAGE = Path(__file__).resolve().parents[1] / "demo"


def demo_generator_version() -> str:
    """Hash of the demo generator's code: a cached demo made by older code is regenerated."""
    digest = hashlib.sha256()
    for path in sorted(DEMO_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def demo_params(scale: float, seed: int, as_of: str = "") -> DemoParams:
    return DemoParams(scale=scale, seed=seed, as_of=datetime.fromisoformat(as_of) if as_of else None)


def demo_export_dir(work_dir: Path, params: DemoParams) -> Path:
    as_of = f"-asof{params.export_at:%Y%m%dT%H%M}" if params.as_of else ""
    return work_dir / "exports" / f"demo-scale{params.scale:g}-seed{params.seed}{as_of}"


def generate_demo_unless_current(target: Path, params: DemoParams, progress=print) -> bool:
    """Generate the demo into `target` unless a complete export by the same generator code is
    there already; True when it generated."""
    version = demo_generator_version()
    marker = target / DEMO_GENERATOR_MARKER
    if (target / DEMO_COMPLETE_MARKER).exists() and marker.exists() and marker.read_text() == version:
        return False
    generate_demo(target, params, progress=progress)
    marker.write_text(version)
    return True


def ensure_demo_export(work_dir: Path, params: DemoParams, progress=print) -> Path:
    """Generate the demo export once per (scale, seed, as_of, generator code); later runs reuse it."""
    target = demo_export_dir(work_dir, params)
    generate_demo_unless_current(target, params, progress)
    return target


def resolve_export(
    location: str, work_dir: Path, contract: SourceContract, params: DemoParams, progress=print
) -> ExportSnapshot:
    """Snapshot and validate the export at `location` ('demo', a directory or a .zip)."""
    if location == "demo":
        root = ensure_demo_export(work_dir, params, progress)
        label = root.name
    else:
        path = Path(location).expanduser().resolve()
        if not path.exists():
            raise SourceContractError([InputProblem(file=str(path), message="no such file or directory")])
        if path.is_file() and path.suffix.lower() == ".zip":
            root = unpack_zip(path, work_dir / "landing")
            label = path.name
        elif path.is_dir():
            root, label = path, path.name
        else:
            raise SourceContractError(
                [InputProblem(file=str(path), message="expected an export directory or a .zip of one")]
            )
    snapshot = snapshot_directory(root, contract, location=location, label=label)
    validate_snapshot(snapshot, contract)
    return snapshot
