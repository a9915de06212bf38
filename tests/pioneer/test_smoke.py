import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/barrierefreiheit/",
        "/datenschutz/",
        "/impressum/",
        "/leichte-sprache/",
        "/accounts/login/",
    ],
)
def test_public_pages_render(client, url):
    response = client.get(url)
    assert response.status_code == 200
