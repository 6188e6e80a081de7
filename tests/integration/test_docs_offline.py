"""/docs works without the Internet: the page names only this process's own assets, and
they are served (Swagger UI 5, which reads the OpenAPI 3.1 document)."""

import re

from fastapi.testclient import TestClient


def test_the_docs_page_loads_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""", html)
    urls = [a or b for a, b in references]
    assert urls, "the page references its assets"
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url


def test_the_bundled_swagger_ui_reads_openapi_3_1(client: TestClient) -> None:
    bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
    assert re.search(r'"5\.\d+\.\d+"', bundle)  # Swagger UI 5: OpenAPI 3.1 support
    assert client.get("/v1/openapi.json").json()["openapi"].startswith("3.1")
