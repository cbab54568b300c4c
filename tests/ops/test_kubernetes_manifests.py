"""deploy/kubernetes/ checked offline: no cluster, kubectl or helm is reachable here.

Every manifest is validated with kubernetes-validate against the OpenAPI schemas it bundles, in
strict mode (an unknown or misspelt field fails), for Kubernetes 1.31 (the oldest release the
manifests promise to run on) and 1.37 (the newest the package knows). Then the manifests are held
against the rest of the repository: the commands, probes and environment of docker-compose.yml,
the Dockerfile and the settings, so the cluster runs what the compose stack runs.
"""

import re
import shlex
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
NAMESPACE = "gz-talent-portal"
VERSIONS = ["1.31.0", "1.37.0"]

MANIFESTS = sorted(path for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")
# Applied by hand, in order, before `kubectl apply -k` (docs/operations.md).
NOT_IN_KUSTOMIZATION = {"secrets.example.yaml", "30-migrate-job.yaml"}

# docker-compose names that have no place in the cluster, and why.
COMPOSE_ONLY = {
    "PRIVATE_MEDIA_ROOT": "no shared disk: private files are in the bucket",
    "PRIVATE_MEDIA_X_ACCEL_PREFIX": "nginx has no private files to send; Django hands them out",
    "MINIO_ROOT_USER": "compose's own MinIO (minio-init); the cluster's bucket is external",
    "MINIO_ROOT_PASSWORD": "compose's own MinIO (minio-init); the cluster's bucket is external",
    "PRIVATE_MEDIA_GROUP": "no volume shared between web and nginx",
    "CARD_SIGNING_DEV_DIR": "the development CA never runs in the cluster",
    "POSTGRES_PASSWORD": "compose's own PostgreSQL; the cluster's is external (DATABASE_URL)",
    "REDIS_CACHE_MAXMEMORY": "compose's own Redis; the cluster's are external",
    "REDIS_BROKER_MAXMEMORY": "compose's own Redis; the cluster's are external",
}


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict]:
    found = {}
    for path in MANIFESTS:
        for doc in _documents(path):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} is defined twice"
            found[key] = doc
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _pod(objects, kind: str, name: str) -> dict:
    return objects[(kind, name)]["spec"]["template"]["spec"]


def _containers(pod: dict) -> list[dict]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def _workloads(objects):
    return [(key, doc) for key, doc in objects.items() if key[0] in {"Deployment", "Job"}]


def _config(objects) -> dict[str, str]:
    return objects[("ConfigMap", "portal-config")]["data"]


# --- The schemas ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_every_manifest_is_valid_for_the_stated_kubernetes_versions(path, version):
    documents = _documents(path)
    assert documents
    for doc in documents:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(
                f"{path.name}: {doc['kind']}/{doc['metadata']['name']} against {version}: {error.message}"
            )


def test_the_kustomization_applies_every_manifest_but_the_secrets_and_the_job():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert sorted(kustomization["resources"]) == sorted(
        path.name for path in MANIFESTS if path.name not in NOT_IN_KUSTOMIZATION
    )
    assert kustomization["namespace"] == NAMESPACE


def test_everything_lives_in_the_portal_namespace(objects):
    assert (
        objects[("Namespace", NAMESPACE)]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )
    for (kind, name), doc in objects.items():
        if kind != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, f"{kind}/{name}"


def test_the_secret_templates_hold_no_secret():
    for doc in _documents(K8S / "secrets.example.yaml"):
        assert doc["kind"] == "Secret" and "data" not in doc
        for key, value in doc["stringData"].items():
            parsed = re.sub(r"^[a-z]+://", "", value)
            assert value == "" or "CHANGE-me" in value, f"{key} looks like a real value"
            assert "@" not in parsed or ":CHANGE-me@" in parsed, key


# --- Workloads: what docker-compose runs, the way the restricted profile allows --------------------


def test_web_runs_the_images_gunicorn_as_compose_does(objects, compose):
    web = _pod(objects, "Deployment", "web")["containers"][0]
    dockerfile_cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert web["command"] == yaml.safe_load(dockerfile_cmd.group(1))
    compose_steps = [
        step.strip()
        for step in compose["services"]["web"]["command"].removeprefix("sh -c").strip().strip('"').split("&&")
    ]
    assert shlex.split(compose_steps[-1]) == web["command"]
    assert objects[("Deployment", "web")]["spec"]["replicas"] >= 2


def test_the_migration_job_runs_the_migrate_step_of_compose_web(objects, compose):
    job = _pod(objects, "Job", "migrate")
    assert job["restartPolicy"] == "Never"
    first_step = compose["services"]["web"]["command"].split('"', 1)[1].split("&&")[0]
    assert job["containers"][0]["command"] == shlex.split(first_step)


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_run_the_compose_commands(objects, compose, name):
    container = _pod(objects, "Deployment", name)["containers"][0]
    assert container["command"] == shlex.split(compose["services"][name]["command"])


def test_the_worker_liveness_is_compose_health_check(objects, compose):
    probe = _pod(objects, "Deployment", "worker")["containers"][0]["livenessProbe"]["exec"]["command"]
    compose_test = compose["services"]["worker"]["healthcheck"]["test"]
    assert compose_test[0] == "CMD-SHELL"
    assert probe == ["sh", "-c", compose_test[1].replace("$$", "$")]
    assert objects[("Deployment", "worker")]["spec"]["replicas"] >= 2


def test_web_probes_ask_healthz_as_compose_does_with_a_host_django_allows(objects, compose):
    curl = compose["services"]["web"]["healthcheck"]["test"]
    url = curl[-1]
    headers = dict(curl[i + 1].split(": ", 1) for i, arg in enumerate(curl) if arg == "-H")
    allowed = _config(objects)["ALLOWED_HOSTS"].split(",")
    web = _pod(objects, "Deployment", "web")["containers"][0]
    port = {p["name"]: p["containerPort"] for p in web["ports"]}
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = web[kind]["httpGet"]
        assert url == f"http://127.0.0.1:{port[get['port']]}{get['path']}", kind
        assert {h["name"]: h["value"] for h in get["httpHeaders"]} == headers, kind
        assert headers["Host"] in allowed, "the probe's Host would be refused (DisallowedHost, 400)"
    # Plain HTTP from the kubelet: /healthz is the one path production does not redirect to HTTPS.
    assert 'SECURE_REDIRECT_EXEMPT = [r"^healthz$"]' in (ROOT / "config" / "settings.py").read_text(
        encoding="utf-8"
    )
    from django.urls import resolve

    assert resolve("/healthz").func.__name__ == "healthz"


def test_nginx_probe_is_compose_health_check(objects, compose):
    nginx = _pod(objects, "Deployment", "nginx")["containers"][0]
    url = compose["services"]["nginx"]["healthcheck"]["test"][-1]
    assert url.endswith(nginx["readinessProbe"]["httpGet"]["path"])
    assert url.endswith(nginx["livenessProbe"]["httpGet"]["path"])


def test_one_beat_only_recreated_never_rolled_and_never_scaled(objects):
    beat = objects[("Deployment", "beat")]["spec"]
    assert beat["replicas"] == 1
    # A rolling update would start the new beat before stopping the old: two beats, every task twice.
    assert beat["strategy"] == {"type": "Recreate"}
    scaled = {
        doc["spec"]["scaleTargetRef"]["name"]
        for (kind, _), doc in objects.items()
        if kind == "HorizontalPodAutoscaler"
    }
    assert scaled == {"web", "worker"}
    schedule = shlex.split(" ".join(_pod(objects, "Deployment", "beat")["containers"][0]["command"]))
    schedule_dir = str(Path(schedule[schedule.index("--schedule") + 1]).parent)
    assert schedule_dir in {
        m["mountPath"] for m in _pod(objects, "Deployment", "beat")["containers"][0]["volumeMounts"]
    }


def test_autoscalers_and_the_disruption_budget(objects):
    web_hpa = objects[("HorizontalPodAutoscaler", "web")]["spec"]
    worker_hpa = objects[("HorizontalPodAutoscaler", "worker")]["spec"]
    assert web_hpa["minReplicas"] >= 2 and worker_hpa["minReplicas"] >= 2
    for hpa in (web_hpa, worker_hpa):
        target = hpa["scaleTargetRef"]
        assert (target["kind"], target["name"]) in objects
        assert hpa["maxReplicas"] > hpa["minReplicas"]
    pdb = objects[("PodDisruptionBudget", "web")]["spec"]
    labels = objects[("Deployment", "web")]["spec"]["template"]["metadata"]["labels"]
    assert pdb["minAvailable"] >= 1 and pdb["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize(
    "kind, name", [("Deployment", n) for n in ("web", "nginx", "worker", "beat")] + [("Job", "migrate")]
)
def test_every_pod_runs_non_root_on_a_read_only_root_with_requests_and_limits(objects, kind, name):
    pod = _pod(objects, kind, name)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    for container in _containers(pod):
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, container["name"]
        assert security["allowPrivilegeEscalation"] is False, container["name"]
        assert security["capabilities"] == {"drop": ["ALL"]}, container["name"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), (container["name"], bound)
        for mount in container.get("volumeMounts", []):
            assert mount["name"] in volumes, (container["name"], mount["name"])
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    assert "emptyDir" in volumes[mounts["/tmp"]], "what must be writable is an emptyDir: /tmp"


def test_the_app_pods_run_one_image_the_kustomization_sets(objects):
    images = set()
    for _, doc in _workloads(objects):
        for container in _containers(doc["spec"]["template"]["spec"]):
            if "gz-talent-portal" in container["image"]:
                images.add(container["image"])
    assert len(images) == 1, images
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    (image,) = kustomization["images"]
    assert images == {f"{image['name']}:{image['newTag']}"}


def test_card_signing_files_are_read_from_the_mounted_secret(objects):
    config = _config(objects)
    paths = [
        config[name]
        for name in (
            "CARD_SIGNING_KEY",
            "CARD_SIGNING_CERT",
            "CARD_SIGNING_CA_CERT",
            "CARD_SIGNING_PKCS11_PIN_FILE",
        )
    ]
    secret_keys = set(
        next(
            d
            for d in _documents(K8S / "secrets.example.yaml")
            if d["metadata"]["name"] == "portal-card-signing"
        )["stringData"]
    )
    for name in ("web", "worker"):
        pod = _pod(objects, "Deployment", name)
        volume = next(
            v for v in pod["volumes"] if v.get("secret", {}).get("secretName") == "portal-card-signing"
        )
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
        for path in paths:
            assert Path(path).parent == Path(mount["mountPath"]) and Path(path).name in secret_keys, path


# --- Environment: every name the cluster sets is one the portal reads ------------------------------------


def _env_names(objects) -> set[str]:
    names = set(_config(objects))
    for doc in _documents(K8S / "secrets.example.yaml"):
        if doc["metadata"]["name"] == "portal-secrets":
            names |= set(doc["stringData"])
    for _, doc in _workloads(objects):
        for container in _containers(doc["spec"]["template"]["spec"]):
            names |= {env["name"] for env in container.get("env", [])}
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                assert ref["name"] in {"portal-config", "portal-secrets"}, ref
    return names


def _read_by_the_portal(name: str) -> bool:
    sources = [ROOT / "config" / "settings.py", ROOT / "deploy" / "gunicorn.conf.py"]
    return any(re.search(rf"[\"']{name}[\"']", path.read_text(encoding="utf-8")) for path in sources)


def test_every_environment_name_the_cluster_sets_is_read_by_the_settings(objects):
    unread = {name for name in _env_names(objects) if not _read_by_the_portal(name)}
    assert not unread, f"set in deploy/kubernetes but read nowhere: {sorted(unread)}"


def test_the_cluster_sets_what_compose_and_the_production_example_set(objects, compose):
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    expected = (set(compose["x-app"]["environment"]) | example) - set(COMPOSE_ONLY)
    assert expected <= _env_names(objects), sorted(expected - _env_names(objects))


# --- Network: Ingress with TLS → nginx (portal.conf, the same file) → web ---------------------------------


def test_nginx_runs_portal_conf_unchanged_and_its_upstream_is_the_web_service(objects):
    conf = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    assert objects[("ConfigMap", "nginx-config")]["data"]["default.conf"] == conf, (
        "deploy/kubernetes/21-nginx-config.yaml must hold deploy/nginx/portal.conf as it is: paste it again"
    )
    host, port = re.search(r"upstream portal_web \{\s*server ([\w.-]+):(\d+);", conf).groups()
    service = objects[("Service", host)]["spec"]
    assert int(port) in {p["port"] for p in service["ports"]}
    listen = int(re.search(r"^\s*listen (\d+);", conf, re.M).group(1))
    nginx = _pod(objects, "Deployment", "nginx")
    assert listen in {p["containerPort"] for p in nginx["containers"][0]["ports"]}
    mounts = {m["mountPath"] for m in nginx["containers"][0]["volumeMounts"]}
    static_alias = re.search(r"location /static/ \{\s*alias ([^;]+);", conf).group(1).rstrip("/")
    assert static_alias in mounts, "portal.conf serves /static/ from a folder the init container fills"


def test_services_select_their_pods_and_name_real_ports(objects):
    for (kind, name), doc in objects.items():
        if kind != "Service":
            continue
        deployment = objects[("Deployment", name)]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert doc["spec"]["selector"].items() <= labels.items(), name
        ports = {p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in doc["spec"]["ports"]} <= ports, name


def test_the_ingress_ends_tls_for_the_allowed_host_and_sends_to_nginx(objects):
    ingress = objects[("Ingress", "portal")]["spec"]
    hosts = {host for tls in ingress["tls"] for host in tls["hosts"]}
    assert hosts == {rule["host"] for rule in ingress["rules"]}
    assert all(tls["secretName"] for tls in ingress["tls"])
    assert hosts <= set(_config(objects)["ALLOWED_HOSTS"].split(","))
    assert {"https://" + host for host in hosts} <= set(_config(objects)["CSRF_TRUSTED_ORIGINS"].split(","))
    (path,) = ingress["rules"][0]["http"]["paths"]
    assert path["backend"]["service"]["name"] == "nginx"


def test_network_policies_deny_by_default_and_only_nginx_reaches_web(objects):
    policies = {name: doc["spec"] for (kind, name), doc in objects.items() if kind == "NetworkPolicy"}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    web = policies["web"]
    assert web["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": "web"}
    (rule,) = web["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "nginx"}}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    # Nothing but the Ingress controller reaches nginx; worker and beat take no connections at all.
    ingress_targets = {
        label
        for spec in policies.values()
        if spec.get("ingress")
        for label in spec["podSelector"].get("matchLabels", {}).values()
    }
    assert ingress_targets == {"web", "nginx"}
