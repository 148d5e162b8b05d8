"""Builds exactly what the Lambda function runs, for the runtime and architecture in template.yaml.

Why not the stock ``sam build``: it installs requirements.txt with every transitive dependency,
and the DynamoDB persistence adapter pulls in boto3/botocore, which the Lambda runtime already
provides, so the package grows from about 2 MB to about 19 MB zipped. It also needs a local
python3.13 interpreter. This build instead asks pip (running on any Python) to resolve the
requirements for the target interpreter and platform, drops everything reachable only through
boto3/botocore, and installs the rest as binary wheels for that target with ``--no-deps``.

Used by ``python3 dev.py build`` (directory plus zip in .aws-sam-artifact/) and by ``sam build``
through the Makefile target ``build-CoachFunction`` (directory only, into $ARTIFACTS_DIR).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
REQUIREMENTS = ROOT / "requirements.txt"
DEFAULT_OUTPUT = ROOT / ".aws-sam-artifact" / "function"
DEFAULT_ZIP = ROOT / ".aws-sam-artifact" / "function.zip"
FUNCTION_LOGICAL_ID = "CoachFunction"

# Shipped with every Lambda Python runtime; bundling them would only add ~17 MB and shadow
# the versions AWS patches. Their own exclusive dependencies fall away with them.
LAMBDA_PROVIDED = frozenset({"boto3", "botocore"})

# Wheel platform tags per Lambda architecture. Python 3.12+ runtimes run on Amazon Linux 2023
# (glibc 2.34), so manylinux_2_28 wheels load as well as manylinux2014 ones.
PLATFORMS = {
    "arm64": ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
    "x86_64": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
}
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
SKIPPED_NAMES = {"__pycache__", ".DS_Store"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML: short-form intrinsics (!Ref, !Sub, ...) become {"Ref": ...} etc."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as plain data, with short-form intrinsics expanded to their long form."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class Target:
    """The interpreter and machine the artifact is for, read from the function in template.yaml."""

    python_version: str
    architecture: str

    @classmethod
    def from_template(cls, path: Path = TEMPLATE, logical_id: str = FUNCTION_LOGICAL_ID) -> Target:
        properties = load_template(path)["Resources"][logical_id]["Properties"]
        match = re.fullmatch(r"python(3\.\d+)", properties["Runtime"])
        if not match:
            raise ValueError(f"{logical_id} runtime {properties['Runtime']!r} is not a Python runtime")
        (architecture,) = properties.get("Architectures", ["x86_64"])
        return cls(python_version=match.group(1), architecture=architecture)

    @property
    def pip_options(self) -> list[str]:
        platforms = [arg for tag in PLATFORMS[self.architecture] for arg in ("--platform", tag)]
        return [*platforms, "--python-version", self.python_version, "--implementation", "cp",
                "--only-binary=:all:"]

    @property
    def marker_environment(self) -> dict[str, str]:
        """What PEP 508 markers see on the target, to follow only the dependencies it installs."""
        return {
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "os_name": "posix",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": MACHINES[self.architecture],
            "python_version": self.python_version,
            "python_full_version": f"{self.python_version}.0",
            "implementation_version": f"{self.python_version}.0",
        }


@dataclass(frozen=True)
class BuildReport:
    output: Path
    zip_path: Path | None
    packages: dict[str, str]
    files: int
    unzipped_bytes: int
    zipped_bytes: int | None

    def summary(self) -> str:
        lines = [f"artifact: {self.output} ({self.files} files, {self.unzipped_bytes / 1e6:.2f} MB unzipped)"]
        if self.zip_path is not None and self.zipped_bytes is not None:
            lines.append(f"zip:      {self.zip_path} ({self.zipped_bytes / 1e6:.2f} MB)")
        lines.append("packages: " + ", ".join(f"{name}=={version}" for name, version in sorted(self.packages.items())))
        return "\n".join(lines)


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True)


def resolve(target: Target, requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """Pinned distributions the function needs on ``target``, minus what Lambda provides.

    pip resolves the whole set for the target (a dry run), then we keep only what is reachable
    from the requested requirements without passing through a LAMBDA_PROVIDED package.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        _pip("install", "--quiet", "--dry-run", "--ignore-installed", "--report", str(report_path),
             "--target", str(Path(scratch) / "unused"), *target.pip_options, "-r", str(requirements))
        report = json.loads(report_path.read_text(encoding="utf-8"))
    resolved = {canonicalize_name(item["metadata"]["name"]): item for item in report["install"]}
    environment = target.marker_environment
    wanted: dict[str, str] = {}
    pending = [name for name, item in resolved.items() if item.get("requested")]
    while pending:
        name = pending.pop()
        if name in wanted or name in LAMBDA_PROVIDED:
            continue
        item = resolved[name]
        wanted[name] = item["metadata"]["version"]
        for line in item["metadata"].get("requires_dist") or []:
            requirement = Requirement(line)
            if requirement.marker and not Marker(str(requirement.marker)).evaluate({**environment, "extra": ""}):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency in resolved:
                pending.append(dependency)
    return wanted


def _copy_tree(source: Path, destination: Path) -> None:
    shutil.copytree(
        source, destination,
        ignore=lambda _dir, names: [n for n in names if n in SKIPPED_NAMES or Path(n).suffix in SKIPPED_SUFFIXES],
    )


def _prepare_output(output: Path) -> None:
    """Empty the output directory, refusing to wipe anything that is not a previous artifact."""
    if output.exists() and any(output.iterdir()):
        if not ((output / "lambda_function.py").exists() and (output / "skill").is_dir()):
            raise SystemExit(f"refusing to clear {output}: it is not empty and not a previous artifact")
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)


def _write_zip(source: Path, zip_path: Path) -> None:
    """A reproducible zip: sorted entries, fixed timestamps and modes, so unchanged code hashes the same."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def build(output: Path = DEFAULT_OUTPUT, zip_path: Path | None = DEFAULT_ZIP,
          template: Path = TEMPLATE, requirements: Path = REQUIREMENTS) -> BuildReport:
    """Install the runtime dependencies and the skill into ``output`` (and zip it when asked)."""
    target = Target.from_template(template)
    packages = resolve(target, requirements)
    output = output.resolve()
    _prepare_output(output)
    pins = [f"{name}=={version}" for name, version in sorted(packages.items())]
    _pip("install", "--quiet", "--no-deps", "--no-compile", "--target", str(output), *target.pip_options, *pins)
    shutil.rmtree(output / "bin", ignore_errors=True)  # console scripts are of no use on Lambda
    leaked = sorted(name for name in LAMBDA_PROVIDED if (output / name).exists())
    if leaked:
        raise SystemExit(f"build included packages Lambda provides: {', '.join(leaked)}")
    _copy_tree(ROOT / "skill", output / "skill")
    shutil.copy2(ROOT / "lambda" / "lambda_function.py", output / "lambda_function.py")
    files = [p for p in output.rglob("*") if p.is_file()]
    zipped = None
    if zip_path is not None:
        _write_zip(output, zip_path)
        zipped = zip_path.stat().st_size
    return BuildReport(output=output, zip_path=zip_path, packages=packages, files=len(files),
                       unzipped_bytes=sum(p.stat().st_size for p in files), zipped_bytes=zipped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="artifact directory (default %(default)s)")
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="zip file to write (default %(default)s)")
    parser.add_argument("--no-zip", action="store_true", help="only the directory (what sam build wants)")
    args = parser.parse_args(argv)
    report = build(output=args.output, zip_path=None if args.no_zip else args.zip)
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
