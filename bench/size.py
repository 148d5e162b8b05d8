"""Size: the Lambda artifact zipped and unzipped, and the peak memory (RSS) of a cold invoke.

The artifact is what ``python3 dev.py build`` leaves in .aws-sam-artifact/ (runtime dependencies
without boto3/botocore, which Lambda provides, plus skill/ and lambda_function.py). With
``--build`` this script runs the build first; without a build it says "not built yet". The
zipped size is the build's own zip when there is one, else a deflate of the directory.

Peak RSS is ``ru_maxrss`` of a fresh interpreter that imports the entry and answers a
LaunchRequest (bench/cold_invoke.py), for ours and the baseline alike.

    python -m bench.size [--build] [--endpoint URL] [--json out.json]
"""
from __future__ import annotations

import io
import json
import statistics
import subprocess
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench import common
from bench.cold_start import lambda_subjects

TARGET_ZIPPED_MB = 3.0
BUILD_COMMAND = ["python3", "dev.py", "build"]


def build() -> dict[str, Any]:
    """Run the project's build; its output (or why it failed) goes into the report."""
    if not (common.ROOT / "deploy" / "lambda_artifact.py").exists():
        return {"built": False, "why": "no build in this tree yet (deploy/lambda_artifact.py)"}
    argv = BUILD_COMMAND if _dev_py_builds() else [common.PYTHON, "-m", "deploy.lambda_artifact"]
    done = subprocess.run(argv, cwd=common.ROOT, capture_output=True, text=True, timeout=600)
    result = {"command": common.command_line(argv, cwd=common.ROOT), "returncode": done.returncode,
              "output": (done.stdout + done.stderr)[-2000:],
              "bytecode": [line for line in done.stdout.splitlines() if line.startswith("bytecode:")]}
    result["built"] = done.returncode == 0
    return result


def _dev_py_builds() -> bool:
    main = (common.ROOT / "skill" / "__main__.py").read_text()
    return '"build"' in main or "'build'" in main


def artifact_size(directory: Path) -> dict[str, Any]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    unzipped = sum(p.stat().st_size for p in files)
    zip_path = directory.parent / "function.zip"
    if zip_path.exists() and zip_path.stat().st_mtime >= max(p.stat().st_mtime for p in files) - 60:
        zipped, how = zip_path.stat().st_size, str(zip_path.relative_to(common.ROOT))
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(files):
                archive.write(path, path.relative_to(directory).as_posix())
        zipped, how = len(buffer.getvalue()), "deflate of the directory"
    parts: Counter[str] = Counter()
    for path in files:
        parts[path.relative_to(directory).parts[0]] += path.stat().st_size
    return {"directory": str(directory.relative_to(common.ROOT)), "files": len(files), "unzipped_bytes": unzipped,
            "zipped_bytes": zipped, "zipped_from": how, "largest": parts.most_common(8),
            "has_pyc": any(p.suffix == ".pyc" for p in files), "pyc": _bytecode(directory, files)}


def _bytecode(directory: Path, files: list[Path]) -> dict[str, Any]:
    """How many .pyc the artifact ships, for which interpreter tags and which top-level packages."""
    pyc = [p.relative_to(directory).parts for p in files if p.suffix == ".pyc"]
    packages = {parts[1].split(".")[0] if parts[0] == "__pycache__" else parts[0] for parts in pyc}
    return {"files": len(pyc), "tags": sorted({parts[-1].split(".")[-2] for parts in pyc}),
            "packages": sorted(packages)}


def peak_rss(endpoint: str | None, runs: int) -> dict[str, Any]:
    event = common.launch_event()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        event_file = Path(tmp) / "launch.json"
        event_file.write_text(json.dumps(event))
        for subject in lambda_subjects(endpoint):
            try:
                samples = [subject.run(event_file)[0]["maxrss_kb"] for _ in range(runs)]
            except RuntimeError as error:
                figures[subject.name] = {"error": str(error)[-500:]}
                continue
            figures[subject.name] = {"maxrss_mb": statistics.median(samples) / 1024,
                                     "command": common.command_line(subject.argv(Path("launch.json")),
                                                                    subject.env, subject.cwd)}
    return figures


def measure(endpoint: str | None, run_build: bool, runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {"build": build() if run_build else {"built": None, "why": "not asked (--build)"}}
    directory = common.artifact_dir()
    results["artifact"] = artifact_size(directory) if directory else None
    results["target_zipped_mb"] = TARGET_ZIPPED_MB
    results["rss"] = peak_rss(endpoint, runs)
    return results


def print_results(results: dict[str, Any]) -> None:
    build_info = results["build"]
    if build_info.get("command"):
        print(f"build: {build_info['command']} -> exit {build_info['returncode']}")
    artifact = results["artifact"]
    if artifact is None:
        print(f"artifact: not built yet ({build_info.get('why') or build_info.get('output', '')[-300:]})")
    else:
        zipped = artifact["zipped_bytes"] / 1e6
        verdict = "meets" if zipped <= TARGET_ZIPPED_MB else "MISSES"
        print(f"artifact {artifact['directory']}: {artifact['files']} files, "
              f"{artifact['unzipped_bytes'] / 1e6:.2f} MB unzipped, {zipped:.2f} MB zipped "
              f"({artifact['zipped_from']}; {verdict} target <= {TARGET_ZIPPED_MB} MB)")
        print("  largest: " + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in artifact["largest"]))
    for name, figures in results["rss"].items():
        if "error" in figures:
            print(f"peak RSS {name}: failed: {figures['error']}")
        else:
            print(f"peak RSS of a cold invoke, {name}: {figures['maxrss_mb']:.1f} MB")
            print(f"  command: {figures['command']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = common.arguments(__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="run the build first")
    args = parser.parse_args(argv)
    with common.dynamodb(args.endpoint) as endpoint:
        if endpoint:
            common.create_tables(endpoint)
        results = measure(endpoint, args.build, 3 if args.quick else 5)
    print_results(results)
    common.write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
