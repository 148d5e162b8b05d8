"""template.yaml, checked offline the way AWS users check it, plus what linters cannot judge.

cfn-lint runs on the SAM template and on the CloudFormation that aws-sam-translator produces from
it; each catches things the other misses. Least privilege is asserted on the translated template,
because no linter objects to a role that may call every DynamoDB action on every table.
"""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from deploy.lambda_artifact import FUNCTION_LOGICAL_ID, ROOT, TEMPLATE, load_template
from skill.config import Settings

REGION = "us-east-1"
# The translator wants code in S3; `sam package` would put it there.
PLACEHOLDER_CODE_URI = "s3://placeholder-bucket/coach.zip"
EXAMPLE_SKILL_ID = "amzn1.ask.skill.12345678-abcd-4ef0-9876-0123456789ab"
BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
TABLE_ARN = {"Fn::GetAtt": ["ProgressTable", "Arn"]}

# How code in skill/ reaches DynamoDB, by boto3 call (Table or client) or SDK adapter method.
DYNAMODB_CALLS = {
    "get_item": "GetItem", "put_item": "PutItem", "update_item": "UpdateItem", "delete_item": "DeleteItem",
    "query": "Query", "scan": "Scan", "batch_get_item": "BatchGetItem", "batch_write_item": "BatchWriteItem",
    "batch_writer": "BatchWriteItem", "transact_get_items": "TransactGetItems",
    "transact_write_items": "TransactWriteItems", "create_table": "CreateTable", "delete_table": "DeleteTable",
    "describe_table": "DescribeTable",
    "get_attributes": "GetItem", "save_attributes": "PutItem", "delete_attributes": "DeleteItem",
}


def translate(sam: dict[str, Any]) -> dict[str, Any]:
    sam = copy.deepcopy(sam)
    sam["Resources"][FUNCTION_LOGICAL_ID]["Properties"]["CodeUri"] = PLACEHOLDER_CODE_URI
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        translator = Translator(managed_policy_map={}, sam_parser=Parser())
        return translator.translate(sam, parameter_values={"SkillId": EXAMPLE_SKILL_ID})


def cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    return subprocess.run([str(CFN_LINT), "--regions", REGION, "--format", "parseable", str(path)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def cloudformation(sam) -> dict[str, Any]:
    return translate(sam)


@pytest.fixture
def translated_file(cloudformation, tmp_path) -> Path:
    path = tmp_path / "translated.json"
    path.write_text(json.dumps(cloudformation, indent=1), encoding="utf-8")
    return path


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- linters ----------------------------------------------------------------------------------

def test_cfn_lint_passes_on_the_sam_template():
    result = cfn_lint(TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_cfn_lint_passes_on_the_translated_cloudformation(translated_file):
    result = cfn_lint(translated_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_cfn_lint_would_catch_a_misspelled_property(cloudformation, tmp_path):
    broken = copy.deepcopy(cloudformation)
    broken["Resources"][FUNCTION_LOGICAL_ID]["Properties"]["MemmorySize"] = 512
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = cfn_lint(path)
    assert result.returncode != 0
    assert "MemmorySize" in result.stdout


# --- the function -----------------------------------------------------------------------------

def test_function_runs_current_python_on_arm_and_answers_within_alexas_deadline(cloudformation):
    function = cloudformation["Resources"][FUNCTION_LOGICAL_ID]["Properties"]
    assert function["Runtime"] in {"python3.12", "python3.13"}
    assert function["Architectures"] == ["arm64"]
    assert function["Timeout"] < 8, "Alexa gives up after 8 seconds"
    assert 256 <= function["MemorySize"] <= 1024
    assert function["Handler"] == "lambda_function.lambda_handler"


def test_function_logs_json_to_a_retained_log_group(cloudformation):
    logging = cloudformation["Resources"][FUNCTION_LOGICAL_ID]["Properties"]["LoggingConfig"]
    assert logging["LogFormat"] == "JSON"
    group = cloudformation["Resources"][logging["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"]


def test_environment_configures_the_skill_for_dynamodb_and_its_own_skill_id(cloudformation):
    variables = cloudformation["Resources"][FUNCTION_LOGICAL_ID]["Properties"]["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": "ProgressTable"}
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}
    settings = Settings.from_env({**variables, "TABLE_NAME": "stack-ProgressTable-1", "SKILL_ID": EXAMPLE_SKILL_ID,
                                  "AWS_LAMBDA_FUNCTION_NAME": "coach"})
    assert (settings.store, settings.table_name, settings.skill_id) == ("dynamodb", "stack-ProgressTable-1",
                                                                         EXAMPLE_SKILL_ID)


def test_a_live_alias_is_published_and_is_what_the_stack_outputs(cloudformation):
    aliases = resources_of(cloudformation, "AWS::Lambda::Alias")
    assert [a["Properties"]["Name"] for a in aliases.values()] == ["live"]
    (alias_id,) = aliases
    outputs = cloudformation["Outputs"]
    assert outputs["SkillEndpointArn"]["Value"] == {"Ref": alias_id}
    assert outputs["ProgressTableName"]["Value"] == {"Ref": "ProgressTable"}


def test_only_the_configured_skill_may_invoke_the_alias(cloudformation):
    permissions = resources_of(cloudformation, "AWS::Lambda::Permission")
    assert len(permissions) == 1
    (permission,) = (p["Properties"] for p in permissions.values())
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["EventSourceToken"] == {"Ref": "SkillId"}
    assert permission["FunctionName"] == {"Ref": next(iter(resources_of(cloudformation, "AWS::Lambda::Alias")))}


@pytest.mark.parametrize(("skill_id", "accepted"), [
    (EXAMPLE_SKILL_ID, True),
    (f"amzn1.ask.skill.{uuid.uuid4()}", True),
    ("amzn1.ask.skill.not-a-uuid", False),
    ("", False),
    (f"amzn1.ask.skill.{uuid.uuid4()} ", False),
    (f"amzn1.ask.skillX{uuid.uuid4()}", False),
    (f"arn:aws:lambda:us-east-1:123456789012:function:coach amzn1.ask.skill.{uuid.uuid4()}", False),
])
def test_skill_id_parameter_accepts_only_skill_ids(sam, skill_id, accepted):
    pattern = sam["Parameters"]["SkillId"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, skill_id)) is accepted


# --- the table --------------------------------------------------------------------------------

def test_table_is_on_demand_recoverable_encrypted_expiring_and_kept(cloudformation):
    table = cloudformation["Resources"]["ProgressTable"]
    properties = table["Properties"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_table_key_is_the_one_the_store_uses(cloudformation):
    from skill.persistence.dynamodb import PARTITION_KEY

    properties = cloudformation["Resources"]["ProgressTable"]["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": PARTITION_KEY, "AttributeType": "S"}]


# --- least privilege --------------------------------------------------------------------------

def function_role(cloudformation) -> dict[str, Any]:
    role_ref = cloudformation["Resources"][FUNCTION_LOGICAL_ID]["Properties"]["Role"]
    return cloudformation["Resources"][role_ref["Fn::GetAtt"][0]]["Properties"]


def granted_statements(cloudformation) -> list[dict[str, Any]]:
    role = function_role(cloudformation)
    return [s for policy in role.get("Policies", []) for s in as_list(policy["PolicyDocument"]["Statement"])]


def dynamodb_actions_in_code() -> set[str]:
    """DynamoDB API actions the shipped code can call, found by the boto3/adapter methods it names."""
    pattern = re.compile(r"\.(" + "|".join(DYNAMODB_CALLS) + r")\(")
    found: set[str] = set()
    for path in (ROOT / "skill").rglob("*.py"):
        if "simulator" in path.parts:
            continue
        found.update(f"dynamodb:{DYNAMODB_CALLS[m]}" for m in pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_role_has_no_managed_policy_beyond_basic_logging(cloudformation):
    assert function_role(cloudformation).get("ManagedPolicyArns", []) == [BASIC_EXECUTION_ROLE]
    assert len(resources_of(cloudformation, "AWS::IAM::Role")) == 1
    assert not resources_of(cloudformation, "AWS::IAM::Policy")
    assert not resources_of(cloudformation, "AWS::IAM::ManagedPolicy")


def test_every_grant_is_a_named_dynamodb_action_on_the_progress_table_only(cloudformation):
    statements = granted_statements(cloudformation)
    assert statements
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        for action in as_list(statement["Action"]):
            assert action.startswith("dynamodb:") and "*" not in action, action
        assert as_list(statement["Resource"]) == [TABLE_ARN], "no '*', no other table, no index ARNs"


def test_granted_actions_are_exactly_the_ones_the_code_calls(cloudformation):
    granted = {a for s in granted_statements(cloudformation) for a in as_list(s["Action"])}
    used = dynamodb_actions_in_code()
    assert used, "the store's DynamoDB calls were not found"
    assert granted == used


@pytest.mark.dynamodb
def test_granted_actions_cover_every_call_the_store_makes_against_dynamodb(cloudformation, dynamodb_server,
                                                                         monkeypatch):
    """Drive the real store against DynamoDB Local and record each API operation botocore sends."""
    import boto3

    from skill.persistence.dynamodb import DynamoDbStore
    from tests.support import dynamodb_local

    # The SDK adapter module builds a default boto3 resource at import, from the environment.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", dynamodb_local.ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", dynamodb_local.SECRET_KEY)
    credentials = {"aws_access_key_id": dynamodb_local.ACCESS_KEY, "aws_secret_access_key": dynamodb_local.SECRET_KEY}
    table_name = f"template-{uuid.uuid4().hex[:8]}"
    properties = cloudformation["Resources"]["ProgressTable"]["Properties"]
    boto3.client("dynamodb", endpoint_url=dynamodb_server.endpoint, region_name=REGION, **credentials).create_table(
        TableName=table_name, KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"], BillingMode=properties["BillingMode"])

    store = DynamoDbStore(table_name, region=REGION, endpoint_url=dynamodb_server.endpoint, credentials=credentials)
    called: set[str] = set()
    store.client.meta.events.register("before-call.dynamodb", lambda model, **_: called.add(f"dynamodb:{model.name}"))
    user = "amzn1.ask.account.template-test"
    version = store.save(user, {"cats": {}}, schema=1, expected_version=None)
    store.save(user, {"cats": {}}, schema=1, expected_version=version)
    item = store.load(user)
    store.touch(user)
    store.delete(user)

    assert item is not None and isinstance(item.ttl, int), "the store writes the TTL attribute the table expires on"
    granted = {a for s in granted_statements(cloudformation) for a in as_list(s["Action"])}
    assert called == granted


# --- sam build ---------------------------------------------------------------------------------

def test_sam_build_runs_the_project_build_through_the_makefile(sam):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for name, resource in sam["Resources"].items():
        if resource.get("Metadata", {}).get("BuildMethod") == "makefile":
            recipe = re.search(rf"^build-{name}:\n((?:\t.*\n)+)", makefile, re.MULTILINE)
            assert recipe, f"Makefile has no build-{name} target"
            assert "dev.py build" in recipe.group(1) and "$(ARTIFACTS_DIR)" in recipe.group(1)
    assert sam["Resources"][FUNCTION_LOGICAL_ID]["Metadata"]["BuildMethod"] == "makefile"
