"""Runtime settings, read once from the environment so Lambda, the web service and the simulator agree."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

STORES = ("dynamodb", "sqlite", "memory")


class SettingsError(ValueError):
    """A setting the skill cannot run with; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    """Where the skill keeps its data and which Alexa skill it answers for.

    ``store`` picks the persistence backend: ``dynamodb`` in production, ``sqlite`` (a local file)
    for the simulator and a locally run web service, ``memory`` for throwaway runs.
    """

    skill_id: str | None = None
    store: str = "sqlite"
    table_name: str = "CatHarnessCoach"
    sqlite_path: Path = Path(".local/progress.sqlite3")
    dynamodb_endpoint: str | None = None
    aws_region: str | None = None

    def __post_init__(self) -> None:
        """Checked when the skill is built (process start), so a typo fails there, not per user."""
        if self.store not in STORES:
            raise SettingsError(f"CHC_STORE={self.store!r} is not a progress store: use one of {', '.join(STORES)}")
        if self.store == "dynamodb" and not self.table_name:
            raise SettingsError("TABLE_NAME is empty: the DynamoDB store needs a table name")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings from the environment; raises SettingsError naming a bad variable."""
        env = os.environ if environ is None else environ
        return cls(
            skill_id=env.get("SKILL_ID") or None,
            store=env.get("CHC_STORE", "dynamodb" if env.get("AWS_LAMBDA_FUNCTION_NAME") else "sqlite"),
            table_name=env.get("TABLE_NAME", cls.table_name),
            sqlite_path=Path(env.get("CHC_SQLITE_PATH", str(cls.sqlite_path))),
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )
