"""The web flow on two real vendor specs (../shared/specs): Intercom 2.16 contacts -> SendGrid marketing contacts,
found through the catalog (the specs' own headers and a team's catalog.yaml), ingested, mapped, accepted and tested
through the page with a Prism mock of SendGrid as the destination sandbox. Every request the browser makes goes to
127.0.0.1; the manifest on disk equals what the page showed. Then deploy on the process target (its service syncs
only when asked, so it calls neither vendor), its /health, and stop."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright import sync_api as playwright

from tests.e2e.api_support import ApiServer
from tests.e2e.test_web_flow import TIMEOUT, TOKEN, no_error, shot, shown_manifest
from tests.support.browser import CHROMIUM, loopback_only
from vitesse.artifacts import ArtifactStore

pytestmark = pytest.mark.browser
SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"
INTERCOM = SPECS / "intercom" / "api.intercom.io-2.16.yaml"
SENDGRID = SPECS / "sendgrid" / "tsg_mc_contacts_v3.yaml"
CATALOG = """\
# the team's own entries; one names a spec under integrations/specs and replaces what its header says
- name: SendGrid Marketing Contacts
  description: Twilio SendGrid's contacts of the Marketing Campaigns API
  base_url: https://api.sendgrid.com
  documentation_url: https://www.twilio.com/docs/sendgrid/api-reference
  spec: specs/sendgrid.yaml
"""


@pytest.fixture
def real_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("VITESSE_HOME", raising=False)
    for spec in (INTERCOM, SENDGRID):
        if not spec.exists():
            pytest.fail(f"{spec} is missing: the tests read the vendor specs from ../shared/specs")
    specs = tmp_path / "integrations" / "specs"
    specs.mkdir(parents=True)
    shutil.copy(INTERCOM, specs / "intercom.yaml")
    shutil.copy(SENDGRID, specs / "sendgrid.yaml")
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    return tmp_path


def test_real_specs_through_the_page_with_a_prism_sandbox(real_project: Path, prism: Callable[[Path], str]) -> None:
    sandbox = prism(real_project / "integrations" / "specs" / "sendgrid.yaml")
    server = ApiServer(real_project, {"VITESSE_API_TOKEN": TOKEN})
    outside: list[str] = []

    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                outside += loopback_only(context)
                page = context.new_page()
                page.set_default_timeout(TIMEOUT)
                flow(page, server, real_project, sandbox)
            finally:
                browser.close()
    finally:
        server.stop()
    assert outside == [], outside


def flow(page, server: ApiServer, project: Path, sandbox: str) -> None:
    page.goto(f"{server.url}/ui/#token={TOKEN}")
    page.wait_for_selector("#integrations[data-loaded]")

    # discover: Intercom by its spec's header, SendGrid by the team's catalog.yaml entry
    page.click("#new-integration")
    page.fill("#search-source", "intercom")
    page.locator("#catalog-source li", has_text="Intercom").first.get_by_role("button").click()
    page.fill("#search-dest", "sendgrid")
    page.locator("#catalog-dest li", has_text="SendGrid Marketing Contacts").first.get_by_role("button").click()
    page.wait_for_selector("#catalog-dest li.chosen")
    assert "catalog.yaml" in page.locator("#catalog-dest li.chosen").inner_text()
    no_error(page)

    page.click("#to-create")
    page.fill("#create-name", "Intercom to SendGrid")
    page.get_by_role("button", name="Create integration").click()
    page.wait_for_selector("#manifest-yaml")
    no_error(page)
    manifest = project / page.locator("#manifest-path").inner_text()
    assert shown_manifest(page, project)
    # the person lets the destination's shadow calls reach a sandbox on this machine (a manifest edit, in git)
    text = manifest.read_text()
    assert "\ndestination:\n" in text
    manifest.write_text(text.replace("\ndestination:\n", "\ndestination:\n  spec_access: {private_hosts: true}\n", 1))

    # ingest, then find the endpoints among Intercom's hundreds with the search box and the method filter
    page.click("#to-ingest")
    page.get_by_role("button", name="Ingest specs").click()
    page.wait_for_selector("#ingested")
    page.fill("#ep-search-source", "/contacts")
    page.select_option("#ep-method-source", "GET")
    page.get_by_role("button", name="Choose GET /contacts (Source)").click()
    page.fill("#ep-search-destination", "marketing/contacts")
    page.select_option("#ep-method-destination", "PUT")
    page.get_by_role("button", name="Choose PUT /v3/marketing/contacts (Destination)").click()
    page.wait_for_selector("#ep-detail-source h4")
    page.wait_for_selector("#ep-detail-destination h4")
    no_error(page)

    page.click("#to-map")
    page.click("#run-map")
    page.wait_for_selector("#review tbody tr")
    assert page.locator("#review tr[data-dest='contacts[].email']").count() == 1
    runs = int(page.get_attribute("#map-review", "data-runs"))
    page.click("#accept-mapping")
    page.wait_for_selector("#accepted")
    page.wait_for_selector(f"#map-review[data-runs='{runs + 1}'] #review tbody tr")
    page.wait_for_selector("#preview[data-loaded] #preview-table tbody tr")
    no_error(page)
    assert "spec_access: {private_hosts: true}" in shown_manifest(page, project)  # the page shows the file as is
    shot(page, "real-4-map")

    page.click("#to-test")
    page.fill("#test-size", "5")
    page.fill("#sandbox-dest", sandbox)
    page.click("#run-test")
    page.wait_for_selector("#tested")
    page.wait_for_selector("#test-history tbody tr")
    no_error(page)
    shot(page, "real-5-test")
    tested = ArtifactStore.for_project(project).latest(manifest.stem, "test")
    assert tested.inputs["request_sandboxes"] == {"destination": sandbox}
    assert tested.data["shadow_calls"]["destination"] is True
    assert tested.data["status_codes"], json.dumps(tested.data)[:2000]  # Prism answered the shadow calls

    page.click("#to-deploy")
    page.click("#run-deploy")
    page.wait_for_selector("#deployed")
    no_error(page)
    service_url = page.get_attribute("#service-url", "href")
    assert service_url and urlsplit(service_url).hostname == "127.0.0.1"
    assert httpx.get(page.get_attribute("#service-health", "href"), timeout=10).status_code == 200
    assert page.locator("#status-value").inner_text() == "active"
    shot(page, "real-6-deploy")
    page.click("#stop-service")
    page.wait_for_selector("#stopped")
    no_error(page)
    assert page.locator("#service-state").inner_text().startswith("stopped")
