"""Tests of the shop service through Flask's test client (`python -m pytest`)."""

import pytest

from app import LIVENESS_PATH, READINESS_PATH, create_app


@pytest.fixture()
def client():
    app = create_app({"TESTING": True, "FAVORITE_ATHLETE": "Usain Bolt"})
    return app.test_client()


def test_get_root_answers_json(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["favorite_athlete"] == "Usain Bolt"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_are_refused(client, method):
    response = getattr(client, method)("/")
    assert response.status_code == 405
    assert response.get_data(as_text=True) == "Only GET method valid"


def test_liveness_and_readiness_answer(client):
    assert client.get(LIVENESS_PATH).status_code == 200
    assert client.get(READINESS_PATH).status_code == 200


def test_unknown_paths_answer_json_404(client):
    response = client.get("/no-such-path")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
