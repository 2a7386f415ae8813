"""The weight of a question page: HTML, CSS and scripts, uncompressed, all local."""

from __future__ import annotations

import re

from tests.bench.client import Device
from tests.bench.pages import form_to

ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"')


async def weigh(device: Device, path: str) -> dict:
    """Fetch the page and everything it loads; sizes by kind and any foreign URL."""
    page = await device.get(path)
    sizes = {"html": len(page.body), "css": 0, "js": 0, "other": 0}
    foreign = []
    for url in sorted(set(ASSET.findall(page.text))):
        if not url.startswith("/") or url.startswith("//"):
            foreign.append(url)
            continue
        asset = await device.get(url)
        kind = "css" if url.endswith(".css") else "js" if url.endswith(".js") else "other"
        sizes[kind] += len(asset.body)
    return {
        "path": re.sub(r"[0-9a-f]{32}", "<id>", path),
        "bytes": sizes,
        "html_css_js_kb": round((sizes["html"] + sizes["css"] + sizes["js"]) / 1024, 1),
        "third_party": foreign,
    }


async def page_weight(host: str, port: int) -> list[dict]:
    """A self-study question page, in each language (the classroom's is weighed
    with the saturation run, where a player has a question open)."""
    weighed = []
    for language in ("zh", "en"):
        device = Device(host, port, language)
        page = await device.get("/study/start")
        form = form_to(page.text, "/study/start")
        sent = await device.post(
            "/study/start",
            {
                **form.hidden,
                "banks": "starter",
                "length": "1",
                "mode": "practice",
                "confidence": "y",
            },
        )
        first = await device.get(sent.location)
        result = await weigh(device, first.location)
        result["language"] = language
        weighed.append(result)
    return weighed
