"""Locations inside the project checkout (the pipeline runs from an editable install or a copy of the repo)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
MAVEN_DIR = Path(__file__).resolve().parent / "stack" / "maven"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
