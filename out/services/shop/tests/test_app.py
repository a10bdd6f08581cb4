"""Tests of the shop service through Flask's test client (`python -m pytest`)."""

import pytest

from app import LIVENESS_PATH, READINESS_PATH, SECRET_ENV, MissingSecret, create_app

# Stand-ins for the values of the service's Secret.
SECRETS = {name: "test-" + name.lower() for name in SECRET_ENV}


@pytest.fixture()
def client():
    app = create_app({"TESTING": True, "FAVORITE_ATHLETE": "Usain Bolt", **SECRETS})
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


FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "shop.example.com",
    "X-Forwarded-Prefix": "/shop",
    "X-Forwarded-For": "203.0.113.7",
}


def test_redirects_keep_the_scheme_host_and_prefix_the_proxy_forwards(monkeypatch):
    # The route strips /shop, and says so (the chart sets FORWARDED_PREFIX).
    monkeypatch.setenv("FORWARDED_PREFIX", "/shop")
    client = create_app({"TESTING": True, **SECRETS}).test_client()
    client.application.add_url_rule("/items/", "items", lambda: "items")
    response = client.get("/items", headers=FORWARDED)
    assert response.status_code == 308
    assert response.headers["Location"] == "https://shop.example.com/shop/items/"


def test_a_client_cannot_choose_the_prefix_of_a_route_that_strips_none(monkeypatch):
    monkeypatch.delenv("FORWARDED_PREFIX", raising=False)
    client = create_app({"TESTING": True, **SECRETS}).test_client()
    client.application.add_url_rule("/items/", "items", lambda: "items")
    response = client.get("/items", headers=FORWARDED)
    assert response.status_code == 308
    assert response.headers["Location"] == "https://shop.example.com/items/"


@pytest.mark.parametrize("name", SECRET_ENV)
def test_a_missing_secret_stops_the_start(name, monkeypatch):
    monkeypatch.delenv(name, raising=False)
    others = {n: v for n, v in SECRETS.items() if n != name}
    with pytest.raises(MissingSecret, match=name):
        create_app({"TESTING": True, **others})


@pytest.mark.parametrize("name", SECRET_ENV)
def test_secrets_reach_the_config(name, monkeypatch):
    monkeypatch.setenv(name, "from-the-secret")
    others = {n: v for n, v in SECRETS.items() if n != name}
    assert create_app({"TESTING": True, **others}).config[name] == "from-the-secret"
