"""The smallest honest Alexa skill: ask-sdk-core, the stock ``DynamoDbAdapter``, one launch handler.

It is the yardstick for bench/: whatever Cat Harness Coach costs beyond this (cold start, turn
latency, memory) is the price of its own features. It is written the way the ASK SDK samples
write it, so that the comparison is with what a developer would get out of the box:

* the adapter is built at import time with its default boto3 resource (region and endpoint come
  from the environment: ``AWS_DEFAULT_REGION`` and, for DynamoDB Local, ``AWS_ENDPOINT_URL_DYNAMODB``);
* the launch handler reads the user's persistent attributes (one ``GetItem``), as a "welcome
  back" skill does, and speaks a fixed sentence with a reprompt.

``BASELINE_TABLE`` names the table (partition key ``id``, the adapter's default); the bench
creates it before the first run. ``BASELINE_READ=0`` skips the read, to show the cost of SDK
dispatch alone.
"""
from __future__ import annotations

import os
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_dynamodb.adapter import DynamoDbAdapter
from ask_sdk_model import Response

TABLE = os.environ.get("BASELINE_TABLE", "BenchBaseline")
READ_ON_LAUNCH = os.environ.get("BASELINE_READ", "1") != "0"


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        visits = 0
        if READ_ON_LAUNCH:
            visits = handler_input.attributes_manager.persistent_attributes.get("visits", 0)
        speech = "Welcome back." if visits else "Welcome. What would you like to know?"
        return handler_input.response_builder.speak(speech).ask("What would you like to know?").response


builder = CustomSkillBuilder(persistence_adapter=DynamoDbAdapter(table_name=TABLE))
builder.add_request_handler(LaunchHandler())
lambda_handler: Any = builder.lambda_handler()
