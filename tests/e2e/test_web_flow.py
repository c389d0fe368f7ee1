"""The web flow (/ui/) clicked through in headless Chromium (Playwright over Debian's chromium) against `vitesse api`
run as a real subprocess with a token, over a scratch copy of the demo project: discover both example APIs, create,
ingest, pick endpoints, map, ignore a field and accept, preview, test, deploy on the process target, see /health,
stop. The manifest on disk must equal the YAML the page showed. Every request to a host other than 127.0.0.1 is
aborted and recorded: none may be attempted. Screenshots go to ci-artifacts/web-*.png (1280x800, one at 390x844).

Depends on the API engineer's routes (issue 18): GET /catalog, GET .../manifest, GET .../endpoints, POST .../mapping,
POST .../preview, POST .../accept, GET .../tests, POST .../stop. The five steps, create and GET integration(s) are
older."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright import sync_api as playwright  # a dev dependency: missing, it fails rather than skips

from tests.conftest import ROOT
from tests.e2e.api_support import ApiServer
from tests.support.browser import CHROMIUM, loopback_only

pytestmark = pytest.mark.browser
TOKEN = "web-flow-token-0123456789abcdef"
SHOTS = ROOT / "ci-artifacts"
TIMEOUT = 60_000


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"web-{name}.png"), full_page=True)


def no_error(page) -> None:
    errors = page.locator("#view .error")
    assert errors.count() == 0, errors.first.inner_text()


def shown_manifest(page, project: Path) -> str:
    """The YAML the page shows, after checking it equals the file on disk (the path the page names)."""
    text = page.locator("#manifest-yaml").inner_text()
    path = page.locator("#manifest-path").inner_text()
    on_disk = (project / path).read_text()
    assert text.strip() == on_disk.strip(), (path, text, on_disk)
    return text


def test_the_whole_flow_through_the_page(project: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (.ci/run installs it)")
    SHOTS.mkdir(exist_ok=True)
    server = ApiServer(project, {"VITESSE_API_TOKEN": TOKEN})
    outside: list[str] = []
    console: list[str] = []

    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                outside += loopback_only(context)
                page = context.new_page()
                page.set_default_timeout(TIMEOUT)
                page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
                run_flow(page, server, project)
                narrow(page)
            finally:
                browser.close()
    finally:
        server.stop()
    assert outside == [], outside
    assert not [c for c in console if "Content Security Policy" in c], console


def run_flow(page, server: ApiServer, project: Path) -> None:
    # the start screen; the token leaves the address bar and stays in sessionStorage
    page.goto(f"{server.url}/ui/#token={TOKEN}")
    page.wait_for_selector("#integrations[data-loaded]")
    assert TOKEN not in page.url and "#" not in page.url
    assert page.evaluate("sessionStorage.getItem('vitesse.token')") == TOKEN
    assert page.locator("#integrations").get_by_text("crm-to-mailwave").count() == 1
    shot(page, "start")

    # 1 discover
    page.click("#new-integration")
    page.fill("#search-source", "acme")
    page.locator("#catalog-source li", has_text="Acme CRM").first.get_by_role("button").click()
    page.fill("#search-dest", "mailwave")
    page.locator("#catalog-dest li", has_text="Mailwave").first.get_by_role("button").click()
    page.wait_for_selector("#catalog-source li.chosen")
    page.wait_for_selector("#catalog-dest li.chosen")
    no_error(page)
    shot(page, "1-discover")

    # 2 create: the manifest written under integrations/, shown as it is on disk
    page.click("#to-create")
    page.fill("#create-name", "Web Flow")
    page.select_option("#create-target", "local")
    page.get_by_role("button", name="Create integration").click()
    page.wait_for_selector("#manifest-yaml")
    no_error(page)
    assert page.locator("#manifest-path").inner_text() == "integrations/web-flow.yaml"
    assert "name: web-flow" in shown_manifest(page, project)
    assert page.locator("#status-value").inner_text() == "discovering"
    shot(page, "2-create")

    # 3 ingest (spec locations prefilled from the catalog), then pick the endpoints with search and method filter
    page.click("#to-ingest")
    assert page.input_value("#spec-source") and page.input_value("#spec-dest")
    page.get_by_role("button", name="Ingest specs").click()
    page.wait_for_selector("#ingested")
    page.fill("#ep-search-source", "customers")
    page.select_option("#ep-method-source", "GET")
    page.get_by_role("button", name="Choose GET /customers (Source)").click()
    page.fill("#ep-search-destination", "contacts")
    page.select_option("#ep-method-destination", "POST")
    page.get_by_role("button", name="Choose POST /contacts (Destination)").click()
    page.wait_for_selector("#ep-detail-source h4")
    page.wait_for_selector("#ep-detail-destination h4")
    no_error(page)
    shot(page, "3-ingest")

    # 4 map: the review table, ignore a field inline, save (manifest changes), accept, the preview
    page.click("#to-map")
    assert page.input_value("#map-source") == "GET /customers"
    page.click("#run-map")
    page.wait_for_selector("#review tbody tr")
    assert page.locator("#review tr[data-dest='email_address']").count() == 1
    page.get_by_label("Ignore custom_fields").check()
    runs = int(page.get_attribute("#map-review", "data-runs"))
    page.click("#save-mapping")
    page.wait_for_selector(f"#map-review[data-runs='{runs + 1}'] #review tbody tr")
    yaml = shown_manifest(page, project)
    assert "custom_fields" in yaml and "ignore" in yaml
    assert page.locator("#review tr[data-dest='custom_fields']").count() == 0
    page.click("#accept-mapping")
    page.wait_for_selector("#accepted")
    page.wait_for_selector(f"#map-review[data-runs='{runs + 2}'] #review tbody tr")
    page.wait_for_selector("#preview[data-loaded] #preview-table tbody tr")
    no_error(page)
    shown_manifest(page, project)
    shot(page, "4-map")

    # 5 test: health score, failures, history
    page.click("#to-test")
    page.fill("#test-size", "5")
    page.check("#test-skip")
    page.click("#run-test")
    page.wait_for_selector("#tested")
    page.wait_for_selector("#test-history tbody tr")
    no_error(page)
    assert page.locator("#status-value").inner_text() == "deploying"
    shot(page, "5-test")

    # 6 deploy on the process target, its /health, stop
    page.click("#to-deploy")
    assert page.input_value("#deploy-target") == "process"
    page.click("#run-deploy")
    page.wait_for_selector("#deployed")
    no_error(page)
    service_url = page.get_attribute("#service-url", "href")
    assert service_url and urlsplit(service_url).hostname == "127.0.0.1"
    assert httpx.get(page.get_attribute("#service-health", "href"), timeout=10).status_code == 200
    assert page.locator("#service-state").inner_text().startswith("running")
    assert page.locator("#status-value").inner_text() == "active"
    shot(page, "6-deploy")
    page.click("#stop-service")
    page.wait_for_selector("#stopped")
    no_error(page)
    assert page.locator("#service-state").inner_text().startswith("stopped")
    with pytest.raises(httpx.HTTPError):
        httpx.get(service_url + "/health", timeout=3)
    shot(page, "6-stopped")


def narrow(page) -> None:
    """390 px wide: a single column, no sideways scrolling; the integration opens at its current step."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url.split("#")[0])
    page.wait_for_selector("#integrations[data-loaded]")
    page.get_by_role("button", name=re.compile(r"^Open (Web Flow|web-flow)$")).click()
    page.wait_for_selector("#view[data-view='deploy'] #run-deploy")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "narrow-390")
