"""The HTTP client the skill uses for Alexa service APIs (Timers): HTTPS only, with a short timeout.

ask-sdk-core's DefaultApiClient calls ``requests`` with no timeout, so one slow Alexa API call
could use up the whole eight seconds Alexa waits for a response. This client keeps the SDK's
rules (HTTPS only, errors as ApiClientException) and adds a timeout and a reusable connection.
``verify`` is the normal CA bundle in production; only the simulator and tests pass the path of
the certificate their local Timers API emulation generated, so trust is never switched off.
"""
from __future__ import annotations

import json
from pathlib import Path

import requests
from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest, ApiClientResponse
from urllib3.util import parse_url

DEFAULT_TIMEOUT_SECONDS = 2.5


class AlexaApiClient(DefaultApiClient):
    """DefaultApiClient with a timeout, a kept-alive session and an explicit trust anchor."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, verify: bool | str | Path = True) -> None:
        self.timeout = timeout
        self.verify = str(verify) if isinstance(verify, Path) else verify
        self.session = requests.Session()

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if parse_url(request.url).scheme != "https":
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        headers = self._convert_list_tuples_to_dict(headers_list=request.headers)
        data = None
        if request.body:
            content_type = headers.get("Content-type") or ""
            data = json.dumps(request.body) if "json" in content_type else request.body
        try:
            response = self.session.request(
                (request.method or "GET").upper(), request.url, headers=headers, data=data,
                timeout=self.timeout, verify=self.verify,
            )
        except requests.RequestException as error:
            raise ApiClientException(f"Error executing the request: {error}") from error
        return ApiClientResponse(
            headers=self._convert_dict_to_list_tuples(dict(response.headers)),
            status_code=response.status_code,
            body=response.text,
        )
