"""The Lambda artifact: built as `python3 dev.py build` builds it, then run the way Lambda runs it.

The smoke test starts a clean interpreter (no site-packages, no PYTHON* variables) whose path holds
only the artifact and a directory with boto3 and its dependencies, standing in for what the Lambda
runtime provides. Each interpreter is one warm Lambda container: it handles every envelope the
conversation sends until it is stopped. The skill talks to DynamoDB Local as it would to the table.

This machine's venv runs CPython 3.11 on x86_64 while the artifact targets python3.13 on arm64: the
pure Python code runs as is, and the two packages with compiled speedups (MarkupSafe,
charset-normalizer) ship pure Python fallbacks, which is what runs here. The test also checks
those binaries are built for the target. When the machine also has a python3.13 (PATH or pyenv),
the build ships bytecode for it, and the tests check that interpreter runs the artifact from that
bytecode; without one those tests are skipped, saying why.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy import lambda_artifact
from deploy.lambda_artifact import LAMBDA_PROVIDED, LAMBDA_RUNTIME_PACKAGES, MAX_ZIPPED_BYTES, ROOT, Target
from skill.simulator.conversation import Conversation
from skill.simulator.envelopes import DEFAULT_SKILL_ID, echo_show
from tests.support import dynamodb_local

pytestmark = pytest.mark.slow

REFUSES_TO_RUN = 'raise ImportError("this source ran: the shipped bytecode was not used")\n'
HANDLER_LOOP = """
import json, sys
sys.path[:0] = [ARTIFACT, RUNTIME]
import lambda_function, skill
assert skill.__file__.startswith(ARTIFACT), skill.__file__
assert not any("site-packages" in entry for entry in sys.path), sys.path
for line in sys.stdin:
    print(json.dumps(lambda_function.lambda_handler(json.loads(line), None)), flush=True)
"""


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> lambda_artifact.BuildReport:
    out = tmp_path_factory.mktemp("artifact")
    report = lambda_artifact.build(output=out / "function", zip_path=out / "function.zip")
    print(report.summary())
    return report


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory) -> Path:
    """boto3 and the packages it needs, linked from this venv: the Lambda runtime's share (pure Python)."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    runtime = tmp_path_factory.mktemp("lambda-runtime")
    for name in LAMBDA_RUNTIME_PACKAGES:
        (runtime / name).symlink_to(site_packages / name)
    return runtime


@pytest.fixture(scope="module")
def lambda_python() -> Path:
    """An interpreter of the template's runtime version, as the build looks for it; skip without one."""
    version = Target.from_template().python_version
    found = lambda_artifact.find_interpreter(version)
    if found is None:
        pytest.skip(f"no python{version} on this machine (PATH or pyenv): the build ships no bytecode here")
    return found


class LambdaContainer:
    """One warm Lambda container: a clean interpreter answering envelopes on stdin, one per line.

    -B because /var/task is read-only: nothing compiled at start-up is kept for the next container.
    """

    def __init__(self, artifact: Path, runtime: Path, environment: dict[str, str], log: Path,
                 python: Path | str = sys.executable) -> None:
        code = f"ARTIFACT = {str(artifact)!r}\nRUNTIME = {str(runtime)!r}\n{HANDLER_LOOP}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [str(python), "-I", "-S", "-B", "-c", code], cwd=artifact, env=environment,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the handler process died, see {self.log.name}"
        return json.loads(line)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def lambda_env(dynamodb_server) -> dict[str, str]:
    """The function's environment as template.yaml sets it, pointed at a fresh DynamoDB Local table."""
    table = f"artifact-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb", endpoint_url=dynamodb_server.endpoint, region_name=dynamodb_local.REGION,
                 aws_access_key_id=dynamodb_local.ACCESS_KEY, aws_secret_access_key=dynamodb_local.SECRET_KEY,
                 ).create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                BillingMode="PAY_PER_REQUEST")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_FUNCTION_NAME": "cat-harness-coach-CoachFunction",
        "AWS_REGION": dynamodb_local.REGION,
        "AWS_DEFAULT_REGION": dynamodb_local.REGION,
        "AWS_ACCESS_KEY_ID": dynamodb_local.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": dynamodb_local.SECRET_KEY,
        "CHC_STORE": "dynamodb",
        "TABLE_NAME": table,
        "SKILL_ID": DEFAULT_SKILL_ID,
        "DYNAMODB_ENDPOINT": dynamodb_server.endpoint,
    }


@pytest.fixture
def start_container(artifact, runtime_dir, lambda_env, tmp_path):
    containers: list[LambdaContainer] = []

    def start(python: Path | str = sys.executable, function: Path | None = None) -> LambdaContainer:
        container = LambdaContainer(function or artifact.output, runtime_dir, lambda_env, tmp_path / "handler.log",
                                    python=python)
        containers.append(container)
        return container

    yield start
    for container in containers:
        container.stop()


# --- what is in it ----------------------------------------------------------------------------

def test_artifact_holds_the_handler_the_skill_and_its_content(artifact):
    root = artifact.output
    assert (root / "lambda_function.py").read_text() == (ROOT / "lambda" / "lambda_function.py").read_text()
    assert (root / "skill" / "builder.py").is_file()
    assert (root / "skill" / "content" / "guide.toml").is_file()
    assert list((root / "skill" / "templates").glob("*.ssml.j2"))
    tag = artifact.bytecode.cache_tag
    assert all(pyc.name.endswith(f".{tag}.pyc") for pyc in root.rglob("*.pyc")), "bytecode only for the runtime"


def test_artifact_ships_the_screens_and_leaves_out_the_developer_tools(artifact):
    skill = artifact.output / "skill"
    assert sorted(p.name for p in (skill / "screens").glob("*.json")) == ["page.json", "session.json", "urgent.json"]
    assert (skill / "understanding" / "model.json").exists()
    for dev_only in ("simulator", "interaction", "interaction_model.py", "__main__.py",
                     "understanding/learning.py", "understanding/bank.py"):
        assert not (skill / dev_only).exists(), dev_only


def test_artifact_leaves_out_what_lambda_provides(artifact):
    for name in (*LAMBDA_PROVIDED, "s3transfer", "jmespath"):
        assert not (artifact.output / name).exists(), name
        assert name not in artifact.packages
    assert {"ask-sdk-core", "ask-sdk-dynamodb-persistence-adapter", "jinja2"} <= set(artifact.packages)


def test_compiled_modules_are_built_for_the_templates_runtime_and_architecture(artifact):
    target = Target.from_template()
    tag = f"cpython-{target.python_version.replace('.', '')}-{lambda_artifact.MACHINES[target.architecture]}"
    binaries = list(artifact.output.rglob("*.so"))
    assert binaries, "expected MarkupSafe's speedups at least"
    for binary in binaries:
        assert tag in binary.name or binary.name.endswith(".abi3.so"), binary.name


def test_zip_is_small_and_matches_the_directory(artifact):
    assert artifact.zipped_bytes is not None and artifact.zipped_bytes <= MAX_ZIPPED_BYTES
    with zipfile.ZipFile(artifact.zip_path) as archive:
        names = set(archive.namelist())
    on_disk = {p.relative_to(artifact.output).as_posix() for p in artifact.output.rglob("*") if p.is_file()}
    assert names == on_disk
    assert "lambda_function.py" in names


def test_artifact_ships_unchecked_bytecode_for_every_skill_module(artifact, lambda_python):
    assert artifact.bytecode.interpreter is not None and "skill" in artifact.bytecode.compiled
    tag = f"cpython-{Target.from_template().python_version.replace('.', '')}"
    magic = subprocess.run([str(lambda_python), "-I", "-c", "import importlib.util as u; print(u.MAGIC_NUMBER.hex())"],
                           capture_output=True, text=True, check=True).stdout.strip()
    sources = [*(artifact.output / "skill").rglob("*.py"), artifact.output / "lambda_function.py"]
    assert len(sources) > 20
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert pyc.is_file(), pyc
        header = pyc.read_bytes()[:8]
        assert header[:4].hex() == magic, f"{pyc.name} was not compiled by {lambda_python}"
        # PEP 552 flags: hash-based (bit 0) and not checked against the source (bit 1 clear), so the
        # timestamps a zip gives the sources cannot invalidate it.
        assert int.from_bytes(header[4:8], "little") == 0b01, pyc


def test_bytecode_does_not_depend_on_the_build_directory(lambda_python, tmp_path):
    for build_dir in ("one", "two"):
        (tmp_path / build_dir / "pkg").mkdir(parents=True)
        (tmp_path / build_dir / "pkg" / "mod.py").write_text('def answer():\n    """Why."""\n    return 42\n')
        lambda_artifact.add_bytecode(tmp_path / build_dir, Target.from_template().python_version)
    one, two = (sorted((tmp_path / d).rglob("*.pyc")) for d in ("one", "two"))
    assert len(one) == 1 and one[0].read_bytes() == two[0].read_bytes()


def test_without_the_runtimes_python_the_build_ships_source_and_says_so(tmp_path):
    (tmp_path / "mod.py").write_text("x = 1\n")
    bytecode = lambda_artifact.add_bytecode(tmp_path, "3.99")
    assert bytecode.interpreter is None and not list(tmp_path.rglob("*.pyc"))
    assert "no python3.99 on this machine" in bytecode.summary()


def test_zip_is_reproducible(artifact, tmp_path):
    lambda_artifact._write_zip(artifact.output, tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == artifact.zip_path.read_bytes()


# --- running it -------------------------------------------------------------------------------

@pytest.mark.dynamodb
def test_clean_interpreter_answers_a_launch_request(start_container):
    talk = Conversation(handler=start_container())
    turn = talk.say("open cat harness coach")
    assert "Welcome to Cat Harness Coach" in turn.speech
    assert turn.reprompt and not turn.ends_session


def test_clean_interpreter_shows_the_welcome_screen_on_an_echo_show(start_container):
    talk = Conversation(handler=start_container(), device=echo_show())
    turn = talk.say("open cat harness coach")
    assert turn.screen is not None and turn.screen["token"] == "chc:welcome"
    assert "Welcome to Cat Harness Coach" in turn.speech


@pytest.mark.dynamodb
def test_progress_saved_by_one_container_is_read_by_a_cold_one(start_container, lambda_env):
    talk = Conversation(handler=start_container())
    talk.say("open cat harness coach")
    saved = talk.say("we're on step three")
    assert "three" in saved.speech.lower()

    later = Conversation(handler=start_container(), user_id=talk.user_id)
    later.say("open cat harness coach")
    assert "step three" in later.say("what step are we on").speech.lower()

    table = boto3.resource("dynamodb", endpoint_url=lambda_env["DYNAMODB_ENDPOINT"], region_name=dynamodb_local.REGION,
                           aws_access_key_id=dynamodb_local.ACCESS_KEY,
                           aws_secret_access_key=dynamodb_local.SECRET_KEY).Table(lambda_env["TABLE_NAME"])
    item = table.get_item(Key={"id": talk.user_id}).get("Item")
    assert item is not None, "progress went to the table named in TABLE_NAME"
    assert item["ttl"] > 0, "and carries the attribute the table's TTL expires on"


@pytest.mark.dynamodb
def test_the_runtimes_python_answers_a_launch_request_from_the_shipped_bytecode(
        start_container, artifact, lambda_python, tmp_path):
    """As on Lambda: python3.13, the artifact and boto3 only. Every module that ships bytecode gets a
    source that refuses to run, so the answer can only come from the .pyc (and their unchecked hash
    ignores that the sources changed)."""
    function = Path(shutil.copytree(artifact.output, tmp_path / "function"))
    replaced = 0
    for pyc in function.rglob(f"*.{artifact.bytecode.cache_tag}.pyc"):
        source = pyc.parent.parent / f"{pyc.name.split('.')[0]}.py"
        if source.is_file():
            source.write_text(REFUSES_TO_RUN)
            replaced += 1
    assert replaced > 20 and (function / "lambda_function.py").read_text() == REFUSES_TO_RUN

    talk = Conversation(handler=start_container(python=lambda_python, function=function))
    turn = talk.say("open cat harness coach")
    assert "Welcome to Cat Harness Coach" in turn.speech
    assert turn.reprompt and not turn.ends_session
