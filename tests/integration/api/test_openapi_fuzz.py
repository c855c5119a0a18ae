"""The OpenAPI document is the contract (DESIGN.md §6): schemathesis drives the live app from it, every
route with valid and invalid input, then stateful sequences along the links it infers from the
document, with every check on, as an anonymous caller and as a registered user. The run ends with
no server error and no answer the document does not describe.

Deterministic (fixed seed, derandomised) so CI sends the same requests each run, and bounded so the
file stays within a few minutes on two cores. schemathesis' pytest plugin does not run on our pytest,
so the test drives its engine (what ``schemathesis run`` does) and fails listing every failure.

Where a check's expectation differs from the contract, the config below says so, with the reason;
no route and no check is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis import AuthContext, AuthProvider, Case, CheckContext, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from api import reading
from domain.access import Visibility
from projections.registry import ALL
from tests.integration.api.media_world import World

SEED = 20_240_614
EXAMPLES = 40
STEPS = 10

#: schemathesis' defaults, which each entry below widens for one reason.
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
NEGATIVE = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
MISSING_HEADER = ["400", "401", "403", "406", "415", "422"]

OPERATIONS: list[dict[str, Any]] = [
    # A cursor is opaque: any string fits its schema, and one this list did not hand out is the
    # documented 400.
    {
        "include-name-regex": "^GET .*",
        "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE, "400"]}},
    },
    # A command's body and headers meet rules beyond what JSON Schema can state, and the domain
    # answers 422 for them as documented: how strong a password must be, what an email address
    # looks like, a client_event_id unique within its batch, an Idempotency-Key already used for
    # another request (the fuzzer draws keys from a small space).
    {
        "include-method-regex": "^(POST|PUT|PATCH|DELETE)$",
        "exclude-path-regex": "^/v1/uploads",
        "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE, "422"]}},
    },
    # tus 1.0 answers a missing or unknown Tus-Resumable with 412 Precondition Failed, as the
    # protocol (and every tus client) expects; Upload-Metadata carries the draft's id in base64,
    # which JSON Schema cannot check decodes to an id (400, as tus says); an Upload-Length over
    # Tus-Max-Size (which OPTIONS tells) is 413, whatever else is wrong; a finished upload that is
    # no video is 422.
    {
        "include-path-regex": "^/v1/uploads",
        "checks": {
            "positive_data_acceptance": {"expected-statuses": [*POSITIVE, "400", "413", "422"]},
            "negative_data_rejection": {"expected-statuses": [*NEGATIVE, "412", "413"]},
            "missing_required_header": {"expected-statuses": [*MISSING_HEADER, "412"]},
        },
    },
]


# tus sends an upload's bytes as they are, under their own media type.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


@schemathesis.check
def unavailable_only_while_catching_up(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A 503 is allowed (``not_a_server_error`` lets it through, below) only when the request waited
    for a ``min_position`` the read model has not reached: positions past the log's end are valid
    input, and 503 is their documented answer. Any other 503 would be a store failing: a failure."""
    waited = "min_position" in (case.query or {})
    if response.status_code == 503 and not waited:
        raise AssertionError(f"503 without min_position: {response.text[:300]}")


def config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
            "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}},
            "phases": {"stateful": {"max-steps": STEPS}},
            "operations": OPERATIONS,
        }
    )


class Seeded:
    """Something to find on every route: two people, one following the other, a public and a
    private video with their media, a comment and a like, and every read model caught up."""

    def __init__(self, tmp: Path) -> None:
        self.world = World(tmp)
        self.system = self.world.system
        self.ann = self.system.register("ann")
        self.bob = self.system.register("bob")
        self.world.act("PUT", f"/v1/users/{self.ann.user_id}/follow", self.bob)
        self.video = self.world.video(self.ann)
        self.world.video(self.ann, Visibility.PRIVATE)
        self.world.act("POST", f"/v1/videos/{self.video}/comments", self.bob, text="nice #demo")
        self.world.act("PUT", f"/v1/videos/{self.video}/like", self.bob)
        self.system.project(*ALL)

    def failures(self, *, signed_in: bool) -> list[str]:
        """Every failed check and engine error of a whole run, one line each."""
        schema = schemathesis.openapi.from_asgi("/openapi.json", self.system.app, config=config())
        if signed_in:  # the engine applies only programmatic auth registered globally
            schemathesis.auth(retry_on=[401])(self.fresh_users())
        try:
            return [failure for event in from_schema(schema).execute() for failure in _failures_in(event)]
        finally:
            schemathesis.auths.unregister()

    def fresh_users(self) -> type[AuthProvider[str]]:
        system = self.system

        class FreshUser:
            """A registered user's bearer. Once a request answers 401 (the fuzzer signed them out or
            erased their account), schemathesis asks again and replays: a newly registered user's."""

            def get(self, case: Case[Any], context: AuthContext) -> str:
                return system.register().token

            def set(self, case: Case[Any], token: str, context: AuthContext) -> None:
                case.headers["Authorization"] = f"Bearer {token}"

        return FreshUser


def _failures_in(event: events.EngineEvent) -> list[str]:
    if isinstance(event, events.ScenarioFinished):
        return _failed_checks(event)
    if isinstance(event, events.NonFatalError):
        return [f"{event.label}: error: {event.info.title}: {event.info.message}"]
    if isinstance(event, events.FatalError):
        return [f"fatal: {event.exception!r}"]
    return []


def _failed_checks(event: events.ScenarioFinished) -> list[str]:
    recorder = event.recorder
    return [
        f"{recorder.label} [{check.name}] {info.failure.title}: {info.failure.message}\n"
        f"    answered {_answer(recorder.interactions.get(case_id))}\n    {info.code_sample}"
        for case_id, checks in recorder.checks.items()
        for check in checks
        if (info := check.failure_info) is not None
    ]


def _answer(interaction: Any) -> str:
    response = getattr(interaction, "response", None)
    if response is None:
        return "nothing"
    return f"{response.status_code}: {response.content[:300]!r}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with pytest.MonkeyPatch.context() as patch:
        # Waiting the full 2 s for a min_position past the log's end would only slow the run down.
        patch.setattr(reading, "MAX_WAIT_S", 0.02)
        s = Seeded(tmp_path_factory.mktemp("fuzz"))
        yield s
        s.world.close()


def test_anonymous_callers_get_only_answers_the_document_describes(seeded: Seeded) -> None:
    failures = seeded.failures(signed_in=False)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_a_signed_in_user_gets_only_answers_the_document_describes(seeded: Seeded) -> None:
    failures = seeded.failures(signed_in=True)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
