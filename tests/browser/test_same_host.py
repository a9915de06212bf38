"""No page loads anything from another host: styles, fonts and scripts come from ours.

(Every visitor already fails its test on a request to another host; this test makes sure
the recording sees the page's resources at all, and that the policy forbids the rest.)"""

import pytest

pytestmark = pytest.mark.browser


def test_pages_load_their_resources_from_our_host_only(demo_world, visitor):
    response = visitor.goto("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    visitor.login("anna@mluk.example")
    visitor.goto("/barrierefreiheit/")

    own = visitor.base_url
    loaded = [url[len(own) :] for url in visitor.requests if url.startswith(own)]
    for resource in (
        "/static/kern/kern.min.css",
        "/static/pioneer/pioneer.css",
        "/static/htmx/htmx.min.js",
    ):
        assert resource in loaded
    assert any(url.endswith(".woff2") for url in loaded), "the fonts come from our host"
    assert visitor.foreign_requests() == []


def test_the_recording_notices_a_request_to_another_host(demo_world, visitor):
    visitor.goto("/")
    visitor.page.evaluate(
        "() => { const img = new Image(); img.src = 'http://example.invalid/pixel.png'; }"
    )
    visitor.page.wait_for_timeout(300)
    assert visitor.foreign_requests() == ["http://example.invalid/pixel.png"]
    assert visitor.csp_errors, "the policy blocks it and says so"
    visitor.requests.clear()  # this test's own deliberate request; the rest must be clean
    visitor.csp_errors.clear()
