"""Compiled queries (halobuzz.core.compiled_queries): a `.values()` queryset rendered
to SQL once, then run again and again with other ids, answering as the queryset
would; a queryset whose argument does not reach the SQL is refused at first use."""

import pytest
from django.db import connection
from django.db.models import F, Subquery
from django.test.utils import CaptureQueriesContext

from halobuzz.core.compiled_queries import CompiledQuery
from halobuzz.users.models import User
from tests.conftest import require_service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [UserFactory(username=name) for name in ("alice", "bob", "carol")]


def by_id():
    return CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id).values("pk", "username", "is_creator")
    )


def test_fetch_one_answers_for_each_id_while_the_sql_is_rendered_once(people):
    query = by_id()

    for _round in range(3):
        for person in people:
            assert query.fetch_one(user_id=person.pk) == {
                "pk": person.pk,
                "username": person.username,
                "is_creator": False,
            }

    assert len(query._compiled) == 1


def test_fetch_one_answers_none_when_no_row_matches(people):
    query = by_id()
    query.fetch_one(user_id=people[0].pk)

    assert query.fetch_one(user_id=max(person.pk for person in people) + 1000) is None


def test_fetch_all_returns_every_matching_row_for_each_set_of_ids(people):
    alice, bob, carol = people
    query = CompiledQuery(
        lambda first_id, second_id: (
            User.objects.filter(pk__in=[first_id, second_id]).order_by("pk").values("username")
        )
    )

    assert query.fetch_all(first_id=alice.pk, second_id=carol.pk) == [
        {"username": "alice"},
        {"username": "carol"},
    ]
    assert query.fetch_all(first_id=bob.pk, second_id=bob.pk) == [{"username": "bob"}]
    assert query.fetch_all(first_id=carol.pk, second_id=alice.pk) == [
        {"username": "alice"},
        {"username": "carol"},
    ]
    assert query.fetch_all(first_id=-1, second_id=-2) == []
    assert len(query._compiled) == 1


def test_fetch_one_and_fetch_all_keep_one_rendering_each(people):
    query = by_id()

    for person in people:
        query.fetch_one(user_id=person.pk)
        assert query.fetch_all(user_id=person.pk) == [query.fetch_one(user_id=person.pk)]

    assert len(query._compiled) == 2


def test_a_row_changed_after_the_first_run_is_read_fresh(people):
    alice = people[0]
    query = by_id()
    query.fetch_one(user_id=alice.pk)

    User.objects.filter(pk=alice.pk).update(is_creator=True)

    assert query.fetch_one(user_id=alice.pk)["is_creator"] is True


def test_constants_in_the_queryset_stay_in_the_sql(people):
    alice, bob, _carol = people
    alices_only = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id, username="alice").values("pk")
    )

    assert alices_only.fetch_one(user_id=alice.pk) == {"pk": alice.pk}
    assert alices_only.fetch_one(user_id=bob.pk) is None
    assert alices_only.fetch_one(user_id=alice.pk) == {"pk": alice.pk}


def test_an_integer_constant_is_not_taken_for_an_argument(people):
    alice, bob, _carol = people
    query = CompiledQuery(
        lambda user_id: (
            User.objects.filter(pk=user_id).annotate(next_id=F("pk") + 1).values("pk", "next_id")
        )
    )

    assert query.fetch_one(user_id=alice.pk) == {"pk": alice.pk, "next_id": alice.pk + 1}
    assert query.fetch_one(user_id=bob.pk) == {"pk": bob.pk, "next_id": bob.pk + 1}


def test_columns_follow_the_order_values_names_them(people):
    alice = people[0]
    query = CompiledQuery(
        lambda user_id: (
            User.objects.filter(pk=user_id)
            .annotate(next_id=F("pk") + 1)
            .values("next_id", "username")
        )
    )

    assert query.fetch_one(user_id=alice.pk) == {"next_id": alice.pk + 1, "username": "alice"}


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda user_id: User.objects.filter(pk__gt=0).values("pk"), id="unused"),
        pytest.param(
            lambda user_id: User.objects.filter(pk=user_id + 1).values("pk"), id="computed"
        ),
        pytest.param(
            lambda user_id: User.objects.filter(username=str(user_id)).values("pk"),
            id="turned-into-text",
        ),
    ],
)
def test_an_argument_that_does_not_reach_the_sql_as_a_parameter_is_refused(build, people):
    query = CompiledQuery(build)

    with pytest.raises(ValueError, match="user_id"):
        query.fetch_one(user_id=people[0].pk)
    with pytest.raises(ValueError, match="user_id"):
        query.fetch_all(user_id=people[0].pk)
    assert query._compiled == {}


def test_only_the_missing_argument_is_named(people):
    query = CompiledQuery(lambda user_id, channel_id: User.objects.filter(pk=user_id).values("pk"))

    with pytest.raises(ValueError, match=r"\['channel_id'\]"):
        query.fetch_one(user_id=people[0].pk, channel_id=people[1].pk)


def test_fetch_first_for_each_answers_as_fetch_one_would_for_every_set_of_ids(people):
    require_service(connection.vendor == "postgresql", "PostgreSQL (LATERAL over arrays)")
    alice, bob, carol = people
    query = CompiledQuery(
        lambda user_id, other_id: (
            User.objects.filter(pk=user_id)
            .annotate(other_name=Subquery(User.objects.filter(pk=other_id).values("username")))
            .values("username", "other_name")
        )
    )
    missing = max(person.pk for person in people) + 1000
    arguments = [
        {"user_id": carol.pk, "other_id": alice.pk},
        {"user_id": missing, "other_id": alice.pk},
        {"user_id": alice.pk, "other_id": bob.pk},
        {"user_id": carol.pk, "other_id": carol.pk},
    ]

    with CaptureQueriesContext(connection) as captured:
        found = query.fetch_first_for_each(arguments=arguments)

    assert len(captured.captured_queries) == 1
    assert found == [query.fetch_one(**ids) for ids in arguments]
    assert found == [
        {"username": "carol", "other_name": "alice"},
        None,
        {"username": "alice", "other_name": "bob"},
        {"username": "carol", "other_name": "carol"},
    ]
    assert query.fetch_first_for_each(arguments=[]) == []
