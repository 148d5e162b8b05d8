"""Builds exactly what the Lambda function runs, for the runtime and architecture in template.yaml.

Why not the stock ``sam build``: it installs requirements.txt with every transitive dependency,
and the DynamoDB persistence adapter pulls in boto3/botocore, which the Lambda runtime already
provides, so the package grows from about 2 MB to about 19 MB zipped. It also needs a local
python3.13 interpreter. This build instead asks pip (running on any Python) to resolve the
requirements for the target interpreter and platform, drops everything reachable only through
boto3/botocore, and installs the rest as binary wheels for that target with ``--no-deps``.

Bytecode: Lambda's /var/task is read-only, so a module shipped without a matching .pyc is compiled
again at every cold start (about 0.4 ms per KB of zipped bytecode it would have needed). When an
interpreter of the runtime's version is on this machine (PATH or pyenv), the build compiles the
artifact with it, hash-based and unchecked so the files stay valid whatever timestamps the zip
gives the sources, and keeps the bytecode of the packages a cold start imports, in the order of
``BYTECODE_PRIORITY``, as far as the zip stays within ``MAX_ZIPPED_BYTES``. Without such an
interpreter it says so and ships source only.

Used by ``python3 dev.py build`` (directory plus zip in .aws-sam-artifact/) and by ``sam build``
through the Makefile target ``build-CoachFunction`` (directory only, into $ARTIFACTS_DIR).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable
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
# Developer tools inside skill/ that Lambda never runs: the simulator and chat CLI, the interaction
# model generator and its sources, the ``python -m skill`` command line, and the understanding
# model's trainer and the utterance bank reader (the trained weights in model.json do ship).
DEV_ONLY = ("simulator", "interaction", "interaction_model.py", "__main__.py",
            "understanding/learning.py", "understanding/bank.py")

# The size target (3 MB zipped, decimal as the bench reports it). Bytecode for all 900
# modules would add 2.6 MB, so only what pays off most on a cold start gets it.
MAX_ZIPPED_BYTES = 3_000_000
# Top-level names in the order their bytecode is kept; one that does not fit is skipped and the next
# tried. Our own code first (all of it, so rare turns do not compile on first use either), then the
# dependencies a cold LaunchRequest imports, most compile time saved first (ms on python3.13 with
# -X importtime, against DynamoDB Local; zipped .pyc in KB): jinja2 99/280, urllib3 71/222,
# dateutil 49/133, ask_sdk_core 19/57, ask_sdk_runtime 11/29, six 11/18, isodate 9/27, markupsafe 3/9.
# ask_sdk_model would save the most (244 ms) but needs 1.5 MB, more than twice the room there is.
# Names not listed (requests, idna, charset_normalizer, certifi) are not imported by a launch.
BYTECODE_PRIORITY = ("lambda_function", "skill", "jinja2", "urllib3", "dateutil", "ask_sdk_core", "ask_sdk_runtime",
                     "six", "isodate", "markupsafe", "ask_sdk_dynamodb", "ask_sdk_model")
# Where Lambda unpacks the function; compile-time tracebacks name it instead of the build directory,
# which also keeps the .pyc identical from one build directory to another.
LAMBDA_TASK_ROOT = "/var/task"
# What the Lambda Python runtime puts on sys.path after /var/task, besides the standard library:
# boto3 and its (pure Python) dependencies. Tests and the bench link this venv's copies.
LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")


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
        return yaml.load(handle, Loader=_CloudFormationLoader)


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
class Bytecode:
    """Which .pyc the artifact ships: compiled by ``interpreter``, kept for ``compiled`` top-level names."""

    python_version: str
    interpreter: Path | None
    compiled: tuple[str, ...] = ()
    source_only: tuple[str, ...] = ()
    why_none: str = ""

    @property
    def cache_tag(self) -> str:
        return f"cpython-{self.python_version.replace('.', '')}"

    def summary(self) -> str:
        if self.interpreter is None:
            why = self.why_none or f"no python{self.python_version} on this machine (PATH or pyenv)"
            return f"bytecode: none ({why}): source only, so Lambda compiles every module at each cold start"
        line = (f"bytecode: {self.cache_tag} .pyc (unchecked-hash) by {self.interpreter} for "
                + (", ".join(self.compiled) or "nothing"))
        if self.source_only:
            line += (f"; source only, to stay within {MAX_ZIPPED_BYTES / 1e6:.2f} MB zipped: "
                     + ", ".join(self.source_only))
        return line


@dataclass(frozen=True)
class BuildReport:
    output: Path
    zip_path: Path | None
    packages: dict[str, str]
    files: int
    unzipped_bytes: int
    zipped_bytes: int | None
    bytecode: Bytecode

    def summary(self) -> str:
        lines = [f"artifact: {self.output} ({self.files} files, {self.unzipped_bytes / 1e6:.2f} MB unzipped)"]
        if self.zip_path is not None and self.zipped_bytes is not None:
            lines.append(f"zip:      {self.zip_path} ({self.zipped_bytes / 1e6:.2f} MB)")
        lines.append(self.bytecode.summary())
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


def _copy_tree(source: Path, destination: Path, *, leave_out: tuple[str, ...] = ()) -> None:
    """Copy ``source``, leaving out caches and the paths (relative to ``source``) in ``leave_out``."""
    def ignore(directory: str, names: list[str]) -> list[str]:
        here = Path(directory).relative_to(source)
        return [n for n in names if n in SKIPPED_NAMES or Path(n).suffix in SKIPPED_SUFFIXES
                or (here / n).as_posix() in leave_out]

    shutil.copytree(source, destination, ignore=ignore)


def _prepare_output(output: Path) -> None:
    """Empty the output directory, refusing to wipe anything that is not a previous artifact."""
    if output.exists() and any(output.iterdir()):
        if not ((output / "lambda_function.py").exists() and (output / "skill").is_dir()):
            raise SystemExit(f"refusing to clear {output}: it is not empty and not a previous artifact")
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)


def find_interpreter(python_version: str) -> Path | None:
    """A CPython ``python_version`` (e.g. "3.13") on this machine: ``python3.13`` on PATH, else pyenv's.

    Each candidate is run once to confirm its bytecode tag, since a pyenv shim on PATH may exist
    while the version is not selected (it then fails). Returns the real executable, not the shim.
    """
    name = f"python{python_version}"
    candidates = [found] if (found := shutil.which(name)) else []
    for root in _pyenv_roots():
        versions = [d for d in (root / "versions").glob(f"{python_version}.*") if (d / "bin" / name).is_file()]
        candidates += [str(d / "bin" / name) for d in sorted(versions, key=_patch_level, reverse=True)]
    tag = f"cpython-{python_version.replace('.', '')}"
    probe = "import sys; print(sys.implementation.cache_tag); print(sys.executable)"
    for candidate in dict.fromkeys(candidates):
        try:
            done = subprocess.run([candidate, "-I", "-c", probe], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = done.stdout.splitlines()
        if done.returncode == 0 and len(lines) == 2 and lines[0] == tag:
            return Path(lines[1])
    return None


def _pyenv_roots() -> list[Path]:
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    if pyenv := shutil.which("pyenv"):
        try:
            done = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30)
            if done.returncode == 0 and done.stdout.strip():
                roots.append(Path(done.stdout.strip()))
        except (OSError, subprocess.TimeoutExpired):
            pass
    roots.append(Path.home() / ".pyenv")
    return [root for root in dict.fromkeys(roots) if (root / "versions").is_dir()]


def _patch_level(version_dir: Path) -> tuple[int, int]:
    """Sort key: plain releases (3.13.2) by patch level, above builds like 3.13.0t or 3.13-dev."""
    match = re.fullmatch(r"\d+\.\d+\.(\d+)", version_dir.name)
    return (1, int(match.group(1))) if match else (0, 0)


def _zip_entry_bytes(path: Path, root: Path) -> int:
    """What one file adds to the zip _write_zip makes: both headers plus its deflated data."""
    name = path.relative_to(root).as_posix().encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(path.read_bytes()) + compressor.flush()
    return 30 + 46 + 2 * len(name) + len(data)


def _top_level(pyc: Path, root: Path) -> str:
    """``skill/__pycache__/x.cpython-313.pyc`` -> skill; ``__pycache__/six.cpython-313.pyc`` -> six."""
    parts = pyc.relative_to(root).parts
    return parts[1].split(".")[0] if parts[0] == "__pycache__" else parts[0]


def add_bytecode(output: Path, python_version: str, budget: int = MAX_ZIPPED_BYTES) -> Bytecode:
    """Compile the artifact for ``python_version`` and keep the .pyc that fit in ``budget`` zipped bytes."""
    interpreter = find_interpreter(python_version)
    if interpreter is None:
        return Bytecode(python_version, None)
    # -W ignore: third-party docstrings with invalid escapes would print hundreds of SyntaxWarnings.
    done = subprocess.run(
        [str(interpreter), "-I", "-W", "ignore", "-m", "compileall", "-q", "-j", "0", "-s", str(output),
         "-p", LAMBDA_TASK_ROOT, "--invalidation-mode", "unchecked-hash", str(output)],
        capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"compiling the artifact with {interpreter} failed:\n{done.stdout}{done.stderr}")
    by_name: dict[str, list[Path]] = defaultdict(list)
    for pyc in output.rglob("*.pyc"):
        by_name[_top_level(pyc, output)].append(pyc)
    room = budget - 22 - sum(_zip_entry_bytes(p, output) for p in _files(output) if p.suffix != ".pyc")
    order = [name for name in BYTECODE_PRIORITY if name in by_name]
    order += sorted(set(by_name) - set(order))
    compiled, source_only = [], []
    for name in order:
        cost = sum(_zip_entry_bytes(p, output) for p in by_name[name])
        if cost <= room:
            compiled.append(name)
            room -= cost
        else:
            source_only.append(name)
            for pyc in by_name[name]:
                pyc.unlink()
    for cache in sorted(output.rglob("__pycache__"), reverse=True):
        if not any(cache.iterdir()):
            cache.rmdir()
    return Bytecode(python_version, interpreter, tuple(compiled), tuple(source_only))


def _files(root: Path) -> Iterable[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _write_zip(source: Path, zip_path: Path) -> None:
    """A reproducible zip: sorted entries, fixed timestamps and modes, so unchanged code hashes the same."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in _files(source):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def build(output: Path = DEFAULT_OUTPUT, zip_path: Path | None = DEFAULT_ZIP,
          template: Path = TEMPLATE, requirements: Path = REQUIREMENTS, bytecode: bool = True) -> BuildReport:
    """Install the runtime dependencies and the skill into ``output``, add bytecode, zip it when asked."""
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
    _copy_tree(ROOT / "skill", output / "skill", leave_out=DEV_ONLY)
    shutil.copy2(ROOT / "lambda" / "lambda_function.py", output / "lambda_function.py")
    compiled = (add_bytecode(output, target.python_version) if bytecode
                else Bytecode(target.python_version, None, why_none="not asked for"))
    files = list(_files(output))
    zipped = None
    if zip_path is not None:
        _write_zip(output, zip_path)
        zipped = zip_path.stat().st_size
    return BuildReport(output=output, zip_path=zip_path, packages=packages, files=len(files),
                       unzipped_bytes=sum(p.stat().st_size for p in files), zipped_bytes=zipped, bytecode=compiled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="artifact directory (default %(default)s)")
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="zip file to write (default %(default)s)")
    parser.add_argument("--no-zip", action="store_true", help="only the directory (what sam build wants)")
    parser.add_argument("--no-bytecode", action="store_true", help="ship source only, even if the runtime's "
                        "Python is on this machine")
    args = parser.parse_args(argv)
    report = build(output=args.output, zip_path=None if args.no_zip else args.zip, bytecode=not args.no_bytecode)
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
