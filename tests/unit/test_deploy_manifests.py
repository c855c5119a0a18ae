"""The deployment manifests (deploy/) say only what the code understands: every STROM_* variable is a
setting, every `strom …` command and flag exists, URLs parse with the adapters' own parsers, probes hit
real health routes, and alerts and the dashboard use metrics the API exports."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from api.metrics import Metrics
from api.routers.health import router as health_router
from eventstore.kurrentdb import client_uri
from media.s3 import parse_s3_url
from projections.runner import Partition
from read_models.cassandra_config import parse_url
from strom.cli import app
from strom.settings import Settings
from workers.broker import SCHEMES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILES = ("compose.yaml", "compose.partitioned.yaml")
STRONG_SECRET = "aZ3-kq9Vx_7LmP2wRt8YbN4cJ6hF0sDe1GuQ"


def load_all(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def k8s_objects() -> list[dict[str, Any]]:
    """Every object the manifests declare (the kustomization itself is not one)."""
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in load_all(path) if "metadata" in doc]


def compose(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text())
    return loaded


def compose_services() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in COMPOSE_FILES:
        for service, spec in compose(name)["services"].items():
            yield f"{name}:{service}", spec


def containers() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every container of every workload, named by its object."""
    for obj in k8s_objects():
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            yield f"{obj['kind']}/{obj['metadata']['name']}", container


def ours(container: dict[str, Any]) -> bool:
    return bool(container.get("image") == "strom")


def strom_variables() -> dict[str, str]:
    """Every STROM_* variable any manifest sets, with the value it sets, and where."""
    found: dict[str, str] = {}
    for where, spec in compose_services():
        env = spec.get("environment") or {}
        found.update({f"{where} {k}": str(v) for k, v in env.items()})
    for obj in k8s_objects():
        data = obj.get("data") or obj.get("stringData") or {}
        if obj["kind"] in ("ConfigMap", "Secret"):
            found.update({f"{obj['metadata']['name']} {k}": str(v) for k, v in data.items()})
    for where, container in containers():
        found.update({f"{where} {e['name']}": str(e.get("value", "")) for e in container.get("env", [])})
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    found.update({f"Dockerfile {k}": v for k, v in re.findall(r"(STROM_\w+)=(\S+)", dockerfile)})
    return {k: v for k, v in found.items() if k.split()[-1].startswith("STROM_")}


def commands() -> Iterator[tuple[str, list[str]]]:
    """Every `strom …` command line the manifests run, shell wrappers unwrapped."""
    lines = [(where, spec.get("command")) for where, spec in compose_services()]
    lines += [(where, c.get("command", []) + c.get("args", [])) for where, c in containers()]
    for where, line in lines:
        if not line:
            continue
        if line[:2] == ["sh", "-c"]:
            line = shlex.split(line[2].replace("$POD_INDEX", "0").replace("$PARTITIONS", "1"))
            line = line[1:] if line[0] == "exec" else line
        if line[0] == "strom":
            yield where, line


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The command a `strom` line names (as the CLI parses it), and the words after its name."""
    command: Any = typer.main.get_command(app)
    rest = words[1:]
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        assert sub is not None, f"`strom {' '.join(words[1:])}`: no command {rest[0]!r}"
        command, rest = sub, rest[1:]
    return command, rest


def resolved(value: str) -> str:
    """A value as the manifest's engine would pass it: ${NAME:-default} and ${NAME:?why} filled in,
    an empty secret made a strong one (the manifests leave secrets to the operator)."""
    value = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), value)
    value = re.sub(r"\$\{\w+:\?[^}]*\}", STRONG_SECRET, value)
    return value or STRONG_SECRET


# -- the files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]),
    ids=lambda p: str(p.relative_to(DEPLOY)),
)
def test_every_manifest_is_valid_yaml(path: Path) -> None:
    assert load_all(path), f"{path} is empty"


def test_the_dashboard_is_valid_json_with_panels() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "strom.json").read_text())
    assert dashboard["uid"]
    assert dashboard["panels"]
    assert all(panel["targets"] for panel in dashboard["panels"])


def test_kustomization_names_every_manifest_and_file() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests
    for generator in kustomization["configMapGenerator"]:
        for entry in generator["files"]:
            assert (K8S / entry.split("=")[-1]).is_file(), entry


# -- settings and commands --------------------------------------------------------------------------


def test_every_strom_variable_is_a_setting() -> None:
    # Given every STROM_* variable the manifests and the image set
    variables = strom_variables()
    assert variables, "no STROM_* variable found: the collector is broken"
    # Then each names a field of Settings (extra="ignore" would silently drop a misspelt one)
    unknown = {w for w in variables if w.split()[-1][len("STROM_") :].lower() not in Settings.model_fields}
    assert unknown == set()


def test_the_manifests_settings_are_accepted_and_their_urls_parse() -> None:
    for source in ("compose", "k8s"):
        if source == "compose":
            env = compose("compose.yaml")["x-strom-env"]
        else:
            (config,) = [o for o in k8s_objects() if o["kind"] == "ConfigMap"]
            (secret,) = [o for o in k8s_objects() if o["kind"] == "Secret"]
            env = {**config["data"], **secret["stringData"]}
        values = {
            k[len("STROM_") :].lower(): resolved(str(v)) for k, v in env.items() if k.startswith("STROM_")
        }
        settings = Settings.model_validate(values)
        client_uri(settings.eventstore_url)
        parse_url(settings.readstore_url)
        parse_s3_url(settings.media_url)
        assert settings.broker_url.split("://")[0] in SCHEMES
        assert settings.eventstore_url.startswith("kurrentdb"), source
        assert settings.readstore_url.startswith("cassandra://"), source


def test_every_strom_command_and_option_exists() -> None:
    found = list(commands())
    assert {words[1] for _, words in found} >= {"api", "project", "worker", "migrate"}
    for where, words in found:
        command, rest = resolve(words)
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        flags = {word.split("=")[0] for word in rest if word.startswith("--")}
        assert flags <= known, f"{where}: `{' '.join(words)}` uses {sorted(flags - known)}"
        # And the command line parses as the CLI would parse it
        command.make_context(words[0], rest, resilient_parsing=False).close()


def combined(files: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The services when the files are combined, later files overriding."""
    services: dict[str, dict[str, Any]] = {}
    for name in files:
        for service, spec in compose(name)["services"].items():
            services[service] = {**services.get(service, {}), **spec}
    return services


def compose_slices(files: tuple[str, ...]) -> list[Partition]:
    """The slices `strom project` is given when the files are combined."""
    services = combined(files).values()
    lines = [s["command"] for s in services if s.get("command", [])[:2] == ["strom", "project"]]
    return [Partition.parse(line[line.index("--partition") + 1]) for line in lines]


def runs_managers(words: list[str]) -> bool:
    """Whether a process (the first pod of a set) started with these words runs the process managers:
    `strom manage`, or `strom project` for slice 0 of every projector without --no-managers."""
    if words[1] == "manage":
        return True
    partition = words[words.index("--partition") + 1] if "--partition" in words else "0/1"
    beside = "--only" not in words and "--no-managers" not in words
    return words[1] == "project" and beside and Partition.parse(partition).index == 0


@pytest.mark.parametrize("files", [COMPOSE_FILES[:1], COMPOSE_FILES], ids=["whole", "partitioned"])
def test_compose_runs_one_copy_of_the_process_managers(files: tuple[str, ...]) -> None:
    copies = [
        (name, spec.get("deploy", {}).get("replicas", 1))
        for name, spec in combined(files).items()
        if spec.get("command", [None])[0] == "strom" and runs_managers(spec["command"])
    ]
    assert copies == [("managers", 1)]


def test_kubernetes_runs_one_copy_of_the_process_managers() -> None:
    copies = []
    for obj in k8s_objects():
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        lines = [line for where, line in commands() if where == f"{obj['kind']}/{obj['metadata']['name']}"]
        if pod and any(runs_managers(line) for line in lines):
            # a Deployment's every replica runs them; a StatefulSet's pod 0 (commands() reads as it)
            replicas = obj["spec"]["replicas"] if obj["kind"] == "Deployment" else 1
            copies.append((obj["metadata"]["name"], replicas))
    assert copies == [("strom-managers", 1)]
    (managers,) = [o for o in k8s_objects() if o["metadata"]["name"] == "strom-managers"]
    assert managers["spec"]["strategy"]["type"] == "Recreate"  # never two pods at once


@pytest.mark.parametrize("files", [COMPOSE_FILES[:1], COMPOSE_FILES], ids=["whole", "partitioned"])
def test_compose_projectors_own_every_slice_exactly_once(files: tuple[str, ...]) -> None:
    slices = compose_slices(files)
    assert slices, "no projector"
    count = slices[0].count
    assert {p.count for p in slices} == {count}
    assert sorted(p.index for p in slices) == list(range(count))


def test_the_projector_statefulset_passes_its_own_slice_of_as_many_as_it_has_replicas() -> None:
    (sts,) = [
        o for o in k8s_objects() if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "strom-projector"
    ]
    (container,) = sts["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    # The pod's ordinal, from the label the StatefulSet controller sets
    assert env["POD_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"] == (
        "metadata.labels['apps.kubernetes.io/pod-index']"
    )
    # And as many slices as pods: a slice without a pod would never be projected
    assert int(env["PARTITIONS"]["value"]) == sts["spec"]["replicas"]
    assert '--partition "$POD_INDEX/$PARTITIONS"' in container["command"][2]
    for index in range(sts["spec"]["replicas"]):
        Partition.parse(f"{index}/{env['PARTITIONS']['value']}")


# -- probes, scaling, disruption --------------------------------------------------------------------


def test_probes_ask_the_api_s_real_health_routes() -> None:
    routes = {getattr(route, "path", "") for route in health_router.routes}
    probed = [
        (where, probe["httpGet"]["path"])
        for where, container in containers()
        if ours(container)
        for probe in (container.get(k) for k in ("livenessProbe", "readinessProbe", "startupProbe"))
        if probe and "httpGet" in probe
    ]
    assert {path for _, path in probed} == {"/healthz", "/readyz"}
    assert {path for _, path in probed} <= routes
    healthcheck = " ".join(compose("compose.yaml")["services"]["api"]["healthcheck"]["test"])
    assert "/readyz" in healthcheck


def test_api_and_workers_autoscale_and_every_replicated_workload_has_a_disruption_budget() -> None:
    objects = k8s_objects()
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in objects if o["kind"] == "HorizontalPodAutoscaler"}
    assert scaled == {"strom-api", "strom-worker"}
    budgets = [o["spec"]["selector"]["matchLabels"] for o in objects if o["kind"] == "PodDisruptionBudget"]
    for workload in ("strom-api", "strom-worker", "strom-projector", "kurrentdb", "cassandra"):
        (obj,) = [
            o
            for o in objects
            if o["kind"] in ("Deployment", "StatefulSet") and o["metadata"]["name"] == workload
        ]
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert any(b.items() <= labels.items() for b in budgets), f"{workload} has no disruption budget"


# -- monitoring -------------------------------------------------------------------------------------


def exported_metrics() -> set[str]:
    """Every sample name the API's /metrics can show."""
    metrics = Metrics()
    metrics.watch_projections(lambda: 10, lambda: {"video_counters": 5})
    metrics.requests.labels("GET", "/healthz", "200").observe(0.001)
    metrics.appends.observe(0.001)
    return {sample.name for family in metrics.registry.collect() for sample in family.samples}


def test_alerts_and_the_dashboard_use_only_metrics_the_api_exports() -> None:
    exported = exported_metrics()
    for path in (DEPLOY / "prometheus" / "alerts.yaml", DEPLOY / "grafana" / "strom.json"):
        used = set(re.findall(r"\bstrom_[a-z_]+", path.read_text()))
        assert used, f"{path.name} uses no Strom metric"
        assert used <= exported, f"{path.name}: {sorted(used - exported)} are not exported"


def test_alert_rules_cover_lag_errors_latency_queue_and_the_engines() -> None:
    groups = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule["expr"], rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
    exprs = " ".join(rule["expr"] for rule in rules)
    for needed in ("strom_projection_lag_events", 'status=~"5.."', "histogram_quantile(0.99",
                   "dramatiq:transcode", 'job="kurrentdb"', 'job="cassandra"'):  # fmt: skip
        assert needed in exprs, needed


def test_every_job_an_alert_names_is_scraped_on_one_host_and_on_kubernetes() -> None:
    alerts = (DEPLOY / "prometheus" / "alerts.yaml").read_text()
    jobs = set(re.findall(r'job="([\w-]+)"', alerts))
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert jobs <= {job["job_name"] for job in scrape["scrape_configs"]}
    annotated = {
        o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        for o in k8s_objects()
        if o["kind"] in ("Deployment", "StatefulSet")
        and o["spec"]["template"]["metadata"].get("annotations", {}).get("prometheus.io/scrape") == "true"
    }
    assert jobs <= annotated
