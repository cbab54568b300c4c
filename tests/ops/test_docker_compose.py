"""No Docker engine runs here, so the compose file is checked as data: every service the operators
rely on is there, healthy-checked, restarted, wired to the right volumes, and runs code that exists."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


SERVICES = ["nginx", "web", "worker", "beat", "postgres", "redis-cache", "redis-broker", "minio"]


def test_every_service_is_present(compose):
    assert set(SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("name", SERVICES)
def test_service_has_healthcheck_and_restart_policy(compose, name):
    service = compose["services"][name]
    assert service["healthcheck"]["test"], name
    assert service["restart"] in {"unless-stopped", "always"}, name


def test_app_services_wait_for_healthy_database_and_broker(compose):
    for name in ("web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis-cache"]["condition"] == "service_healthy"
        assert depends["redis-broker"]["condition"] == "service_healthy"


def test_named_volumes_are_declared_and_keep_state(compose):
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used <= declared
    assert {"postgres_data", "private_media"} <= used


def test_private_files_are_internal_in_nginx():
    conf = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    block = conf.split("location /_private/", 1)[1].split("}", 1)[0]
    assert "internal;" in block
    assert "client_max_body_size" in conf


def test_commands_point_at_real_code(compose):
    from django.core.management import get_commands

    web = compose["services"]["web"]["command"]
    assert "gunicorn config.wsgi:application" in web
    assert "load_demo" in get_commands()
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()
    assert "celery -A config worker" in compose["services"]["worker"]["command"]
    assert "celery -A config beat" in compose["services"]["beat"]["command"]
    import config.wsgi  # noqa: F401  - the module gunicorn loads imports cleanly


def test_environment_points_at_compose_services(compose):
    env = compose["x-app"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis-cache:6379/")
    assert env["CELERY_BROKER_URL"].startswith("redis://redis-broker:6379/")
    assert env["PRIVATE_MEDIA_X_ACCEL_PREFIX"] == "/_private"


def test_nginx_keeps_the_scheme_reported_by_the_tls_terminator():
    conf = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    # Overwriting X-Forwarded-Proto with nginx's own (plain HTTP) scheme would make Django redirect
    # every HTTPS request to HTTPS again.
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in conf
    mapping = conf.split("map $http_x_forwarded_proto $forwarded_proto {", 1)[1].split("}", 1)[0]
    assert "default $http_x_forwarded_proto;" in mapping and '""      $scheme;' in mapping


def _networks(service: dict) -> set[str]:
    return set(service.get("networks") or ["default"])


def test_forwarded_for_is_believed_only_from_the_network_nginx_alone_shares_with_web(compose):
    import re

    subnet = compose["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    trusted = re.fullmatch(r"\$\{TRUSTED_PROXIES:-(.+)\}", compose["x-app"]["environment"]["TRUSTED_PROXIES"])
    assert trusted and trusted.group(1) == subnet
    assert {name for name, service in compose["services"].items() if "edge" in _networks(service)} == {
        "nginx",
        "web",
    }
    assert _networks(compose["services"]["nginx"]) == {"edge"}
    example = (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8")
    assert f"TRUSTED_PROXIES={subnet}\n" in example
    assert "TRUSTED_PROXY_COUNT" not in example + (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def test_web_worker_and_nginx_share_the_group_of_the_private_files(compose):
    """Files are 0640 (tests/security/test_private_file_permissions.py): nginx's workers, another
    user in another image, read them only through a group both images create with one number."""
    group = compose["x-app"]["environment"]["PRIVATE_MEDIA_GROUP"]
    nginx = compose["services"]["nginx"]
    assert (
        compose["x-app"]["build"]["args"]
        == nginx["build"]["args"]
        == {"PRIVATE_MEDIA_GID": "${PRIVATE_MEDIA_GID:-1500}"}
    )
    web_image = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    nginx_image = (ROOT / nginx["build"]["context"] / "Dockerfile").read_text(encoding="utf-8")
    for image in (web_image, nginx_image):
        assert "ARG PRIVATE_MEDIA_GID=1500\n" in image
    assert f'groupadd --gid "${{PRIVATE_MEDIA_GID}}" {group}' in web_image
    assert f"useradd --create-home --uid 1000 --groups {group} portal" in web_image
    assert f"chgrp {group} /app/var/private && chmod 2750 /app/var/private" in web_image
    assert f'addgroup -g "${{PRIVATE_MEDIA_GID}}" {group} && addgroup nginx {group}' in nginx_image
    assert "private_media:/app/var/private:ro" in nginx["volumes"]


def test_the_cache_is_bounded_and_evicts_and_the_broker_never_evicts(compose):
    """Unique URLs of cached anonymous pages add entries without end (tests/security/test_cache_flood.py)."""
    cache = compose["services"]["redis-cache"]["command"].split()
    broker = compose["services"]["redis-broker"]["command"].split()
    assert cache[cache.index("--maxmemory") + 1] == "${REDIS_CACHE_MAXMEMORY:-256mb}"
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert "redis_data:/data" not in compose["services"]["redis-cache"].get("volumes", [])
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    assert broker[broker.index("--appendonly") + 1] == "yes"
    assert "redis_data:/data" in compose["services"]["redis-broker"]["volumes"]


def test_the_stack_loads_no_demo_data_unless_the_demo_profile_is_asked_for(compose):
    for name, service in compose["services"].items():
        if "load_demo" in str(service.get("command", "")):
            assert name == "demo"
    demo = compose["services"]["demo"]
    assert demo["profiles"] == ["demo"]  # `docker compose up` alone never starts it
    assert demo["command"] == "python manage.py load_demo --if-empty"
    assert demo["restart"] == "no"  # one-shot
    assert demo["depends_on"] == {"web": {"condition": "service_healthy"}}  # after migrate
    # The same environment as web (its database, its settings), plus the flag load_demo needs with
    # DJANGO_DEBUG=0; no other service carries it.
    assert demo["environment"] == {**compose["x-app"]["environment"], "PORTAL_DEMO": "1"}
    assert all(
        "PORTAL_DEMO" not in s.get("environment", {}) for n, s in compose["services"].items() if n != "demo"
    )
    example = (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8")
    assert "PORTAL_DEMO" not in example


def test_every_process_that_runs_the_start_up_checks_sees_the_signing_key(compose):
    """web, worker and beat each run the system checks (hukou_card/checks.py reads the key files)."""
    example = (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8")
    assert "CARD_SIGNING_KEY=/run/secrets/" in example
    for name in ("web", "worker", "beat", "demo"):
        volumes = compose["services"][name].get("volumes", compose["x-app"]["volumes"])
        assert "./secrets:/run/secrets:ro" in volumes, name


# --- the private files' bucket: MinIO -----------------------------------------------------------


def _example_env() -> dict[str, str]:
    lines = (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_minio_holds_the_private_files_and_the_app_waits_for_its_bucket(compose):
    minio, init = compose["services"]["minio"], compose["services"]["minio-init"]
    assert minio["command"] == "server /data" and "minio_data:/data" in minio["volumes"]
    assert "minio_data" in compose["volumes"]
    # Reached by web and worker on the internal network only: no published port, not on `edge`.
    assert "ports" not in minio and _networks(minio) == {"default"}
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert init["restart"] == "no" and init["image"] == minio["image"]
    assert "./deploy/minio/create-bucket.sh:/deploy/create-bucket.sh:ro" in init["volumes"]
    for name in ("web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["minio-init"]["condition"] == "service_completed_successfully"


def test_the_example_environment_puts_private_files_in_the_compose_bucket(compose):
    env = _example_env()
    assert env["PRIVATE_STORAGE_BUCKET"] and env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["AWS_S3_REGION_NAME"] and env["AWS_ACCESS_KEY_ID"] != env["MINIO_ROOT_USER"]
    assert env["AWS_SECRET_ACCESS_KEY"].startswith("CHANGE") and env["MINIO_ROOT_PASSWORD"].startswith(
        "CHANGE"
    )
    minio_env = compose["services"]["minio"]["environment"]
    assert minio_env["MINIO_ROOT_USER"].startswith("${MINIO_ROOT_USER:?")
    assert minio_env["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD:?")


@pytest.fixture
def fake_mc(tmp_path):
    """A stand-in `mc` on PATH that records its arguments (and the policy it is given): the script's
    steps are checked without a MinIO server."""
    record = tmp_path / "mc-calls.jsonl"
    mc = tmp_path / "bin" / "mc"
    mc.parent.mkdir()
    mc.write_text(
        "#!/bin/sh\n"
        f'exec {sys.executable} -c "import json, sys; args = sys.argv[1:]; '
        "policy = open(args[-1]).read() if args[:3] == ['admin', 'policy', 'create'] else None; "
        f"open('{record}', 'a').write(json.dumps([args, policy]) + chr(10))\" \"$@\"\n"
    )
    mc.chmod(0o755)
    return mc.parent, record


def _run_create_bucket(fake_mc, **env):
    bin_dir, record = fake_mc
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "minio" / "create-bucket.sh")],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    calls = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return result, calls


def test_minio_init_makes_a_private_bucket_and_a_key_for_it_alone(fake_mc):
    env = _example_env()
    keys = (
        "PRIVATE_STORAGE_BUCKET",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    )
    result, calls = _run_create_bucket(fake_mc, **{key: env[key] for key in keys})
    assert result.returncode == 0, result.stderr
    bucket, key = env["PRIVATE_STORAGE_BUCKET"], env["AWS_ACCESS_KEY_ID"]
    args = [call[0] for call in calls]
    assert ["mb", "--ignore-existing", f"local/{bucket}"] in args
    assert ["anonymous", "set", "none", f"local/{bucket}"] in args
    assert ["admin", "user", "add", "local", key, env["AWS_SECRET_ACCESS_KEY"]] in args
    assert ["admin", "policy", "attach", "local", "portal-private-files", "--user", key] in args
    policy = json.loads(next(call[1] for call in calls if call[0][:3] == ["admin", "policy", "create"]))
    resources = {resource for statement in policy["Statement"] for resource in statement["Resource"]}
    assert resources == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


def test_minio_init_does_nothing_when_the_local_folder_is_kept(fake_mc):
    result, calls = _run_create_bucket(fake_mc, PRIVATE_STORAGE_BUCKET="")
    assert result.returncode == 0 and calls == []
    assert "local folder" in result.stdout
