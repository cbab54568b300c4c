"""accounts.services.user_register: the real-name account, one per identity number."""

import threading

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import services
from accounts.models import Role, User, UserSubsystem
from reference.fixtures import TALENT_SUBSYSTEM_SLUG
from reference.models import Subsystem
from tests import factories

pytestmark = pytest.mark.django_db


def registration(**changes) -> services.RegistrationData:
    values = {
        "username": "wang_wu01",
        "full_name": "王五",
        "id_type": "resident_id",
        "id_number": "11010519491231002x",
        "mobile": "13900139000",
        "email": "WangWu@Example.COM",
        "workplace": "广州天河软件科技有限公司",
        "landline": "020-83123456",
        "personal_note": "",
    }
    values.update(changes)
    return services.RegistrationData(**values)


def test_registration_creates_a_real_name_applicant_with_the_chosen_systems():
    talent = Subsystem.objects.get(slug=TALENT_SUBSYSTEM_SLUG)
    not_provided = Subsystem.objects.filter(is_provided=False).first()
    user = services.user_register(
        data=registration(), password_hash=make_password("Gz2026abc"), subsystems=[talent, not_provided]
    )
    user.refresh_from_db()
    assert user.role == Role.APPLICANT
    assert user.id_number == "11010519491231002X"
    assert user.email == "WangWu@example.com"  # the domain part is case-insensitive
    assert user.check_password("Gz2026abc")
    assert user.truthfulness_promised_at is not None
    # Only what this installation provides is added.
    assert list(UserSubsystem.objects.filter(user=user).values_list("subsystem__slug", flat=True)) == [
        TALENT_SUBSYSTEM_SLUG
    ]


def test_a_second_account_for_the_same_id_number_is_refused():
    factories.UserFactory(id_number="11010519491231002X")
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(data=registration(), password_hash=make_password("Gz2026abc"))
    assert "每个证件号码只能注册一个帐户" in excinfo.value.message_dict["id_number"][0]
    assert User.objects.filter(username="wang_wu01").count() == 0


def test_usernames_are_unique_whatever_their_case():
    factories.UserFactory(username="WANG_WU01")
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(data=registration(), password_hash=make_password("Gz2026abc"))
    assert "已被注册" in excinfo.value.message_dict["username"][0]


def test_the_service_checks_the_rules_itself():
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(
            data=registration(username="1bad", id_number="110105194912310021", mobile="123", full_name="王5"),
            password_hash=make_password("Gz2026abc"),
        )
    assert {"username", "id_number", "mobile", "full_name"} <= set(excinfo.value.message_dict)


def test_a_registration_without_a_password_is_refused():
    with pytest.raises(ValidationError):
        services.user_register(data=registration(), password_hash="")


def test_the_database_constraint_decides_a_race_on_the_same_id_number(monkeypatch):
    """Both requests passed the checks; the insert that comes second gets the duplicate message."""
    factories.UserFactory(id_number="11010519491231002X")
    monkeypatch.setattr(services, "_check_registration", lambda data: None)
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(data=registration(), password_hash=make_password("Gz2026abc"))
    assert "每个证件号码只能注册一个帐户" in excinfo.value.message_dict["id_number"][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_with_one_id_number_create_one_account():
    barrier = threading.Barrier(2)
    original = services._check_registration
    outcomes: list[str] = []

    def checked_then_wait(data):
        original(data)
        barrier.wait(timeout=10)  # both have passed the checks before either inserts

    def register(username):
        try:
            services.user_register(
                data=registration(username=username), password_hash=make_password("Gz2026abc")
            )
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.message_dict["id_number"][0])
        finally:
            connection.close()

    services._check_registration = checked_then_wait
    try:
        threads = [threading.Thread(target=register, args=(name,)) for name in ("racer_one", "racer_two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        services._check_registration = original
    assert sorted(outcomes)[0] == "created" and len(outcomes) == 2
    assert "每个证件号码只能注册一个帐户" in sorted(outcomes)[1]
    assert User.objects.filter(id_number="11010519491231002X").count() == 1
