"""Private files as nginx reads them in docker-compose: its workers run as an unprivileged user
(www-data here, `nginx` in the compose image), not as the web user that wrote the files. The files
stay unreadable to everyone else (no "other" bits); the storage gives them and their directories
the shared group of PRIVATE_MEDIA_GROUP, which nginx's workers belong to.

Needs root, which can hand the files to the www-data group and start nginx's workers as www-data,
as the web container (a member of the shared group) and nginx's master do in compose."""

import grp
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.security.test_private_files import (  # noqa: F401 - `private` is a fixture
    _get,
    _login_rightful,
    authorising_views,
    private,
    running_nginx,
    stored_files,
)

GROUP = "www-data"

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: to start nginx's workers as www-data and give files its group"
)


@pytest.fixture
def shared_group(settings):
    settings.PRIVATE_MEDIA_GROUP = GROUP
    return grp.getgrnam(GROUP).gr_gid


@needs_root
@pytest.mark.django_db(transaction=True)
def test_nginx_as_www_data_serves_every_private_file_that_others_cannot_read(
    shared_group, live_server, settings, request
):
    files = request.getfixturevalue("private")  # written after the group is configured
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    with running_nginx(live_server, settings, user=GROUP) as port:
        for view, (url, rightful, name) in authorising_views(files).items():
            session = _login_rightful(files, rightful).cookies[django_settings.SESSION_COOKIE_NAME].value
            status, _, body = _get(port, url, session=session)
            expected = (root / name).read_bytes()
            assert status == 200, f"{view}: nginx as {GROUP} answered {status}"
            assert body == expected, view

    # ...and no one outside the group can read them.
    for file in stored_files(files):
        path = Path(file.path)
        mode = path.stat().st_mode
        assert path.stat().st_gid == shared_group, file.name
        assert stat.S_IMODE(mode) == 0o640, f"{file.name}: {oct(stat.S_IMODE(mode))}"
        directory = path.parent
        while True:
            info = directory.stat()
            assert info.st_gid == shared_group, directory
            assert stat.S_IMODE(info.st_mode) & 0o057 == 0o050, (
                f"{directory}: {oct(stat.S_IMODE(info.st_mode))}"
            )
            if directory == root:
                break
            directory = directory.parent


def test_a_group_that_does_not_exist_stops_start_up():
    from tests.ops.test_deploy_check import run_manage

    result = run_manage("check", env_overrides={"PRIVATE_MEDIA_GROUP": "no-such-group"})
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_GROUP" in result.stderr and "no-such-group" in result.stderr
