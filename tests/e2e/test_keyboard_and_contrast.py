"""A keyboard user on the customer screens: tabbing past the search box stays on the page, typing
searches; secondary text as rendered reads at WCAG AA (4.5:1) on its background."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, TIMEOUT, start_shopping

pytestmark = pytest.mark.e2e

# The lowest contrast of grey secondary text on the screen, against the first opaque background
# behind each element (WCAG 2 relative luminance).
LOWEST_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c;
    }
    return [255, 255, 255];
  };
  let worst = { ratio: 99, text: '' };
  for (const el of document.querySelectorAll('.subtle, .muted, .field-hint, input')) {
    const text = (el.value || el.placeholder || el.textContent || '').trim();
    if (!text || !el.getClientRects().length) continue;
    const fg = lum(rgb(getComputedStyle(el).color));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < worst.ratio) worst = { ratio, text: text.slice(0, 40) };
  }
  return worst;
}"""


def test_tabbing_past_search_stays_and_typing_searches(server: Server, browser: Any) -> None:
    customer = server.first("customer")
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        start_shopping(page, server, customer.phone, customer.password)
        page.locator(".cat-tile").first.click()
        page.locator(".product-card").first.wait_for()
        here = page.url

        page.get_by_text("Skip to content").focus()  # the top of the page, as after a load
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement?.id") == "global-search":
                break
        else:
            raise AssertionError("Tab never reached the search box")
        page.wait_for_timeout(300)
        assert page.url == here
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)
        assert page.url == here
        assert page.evaluate("() => document.activeElement?.id") != "global-search"

        worst = page.evaluate(LOWEST_CONTRAST)
        assert worst["ratio"] >= 4.5, worst

        page.get_by_label("Search products").focus()
        page.keyboard.type("bread")
        page.wait_for_url(re.compile(r"/search\?q=bread$"))
        page.get_by_text(re.compile(r"\d+ results for")).wait_for()
        worst = page.evaluate(LOWEST_CONTRAST)
        assert worst["ratio"] >= 4.5, worst
    finally:
        ctx.close()
