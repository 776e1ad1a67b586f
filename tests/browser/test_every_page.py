"""Checks every page of the site passes: phone width, labelled inputs, contrast, no errors.

Each test runs once per page of ``conftest.PAGES`` (the ``site_page`` parameter), in
English and in Spanish where the words change the layout.
"""

from __future__ import annotations

import pytest

PHONE_WIDTH = 360

UNNAMED_CONTROLS = """() => {
  const named = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const by = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    if (by.some((id) => (document.getElementById(id)?.textContent || "").trim())) return true;
    if ([...(el.labels || [])].some((label) => label.textContent.trim())) return true;
    if (el.matches("button, input[type=submit], input[type=button]")) {
      return Boolean((el.textContent || el.value || "").trim());
    }
    return false;
  };
  return [...document.querySelectorAll("input, select, textarea, button")]
    .filter((el) => el.type !== "hidden")
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}"""

LOW_CONTRAST = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ink = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (colour) => {  // any CSS colour syntax, as the browser resolves it
    ink.clearRect(0, 0, 1, 1);
    ink.fillStyle = "rgba(0, 0, 0, 0)";
    ink.fillStyle = colour;
    ink.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ink.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, under) => top.slice(0, 3).map(
    (c, i) => c * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {  // the colour behind el: its layers down to the canvas
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const colour = rgba(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const opacity = (el) => {
    let product = 1;
    for (let node = el; node; node = node.parentElement) {
      product *= Number(getComputedStyle(node).opacity);
    }
    return product;
  };
  const luminance = ([r, g, b]) => {
    const linear = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const hasText = (el) => [...el.childNodes].some(
    (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const shown = (el) => {
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0;
  };
  const controls = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
    + "select, textarea";
  const checked = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!(hasText(el) || el.matches(controls)) || !shown(el)) continue;
    const behind = background(el);
    if (behind === null) continue;  // text over an image: not measurable here
    const style = getComputedStyle(el);
    const colour = rgba(style.color);
    const text = over([...colour.slice(0, 3), colour[3] * opacity(el)], behind);
    const [light, dark] = [luminance(text), luminance(behind)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    checked.push({
      element: el.tagName.toLowerCase() + (el.className ? "." + [...el.classList].join(".") : ""),
      text: (el.value || el.textContent).trim().slice(0, 60),
      ratio: Math.round(ratio * 100) / 100,
      needed: large ? 3 : 4.5,
      button: el.matches("button, .button"),
    });
  }
  return checked;
}"""


@pytest.mark.viewport(PHONE_WIDTH, 740)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_fits_a_phone_without_scrolling_sideways(page, visitor, site_page, lang):
    visitor.open(page, site_page, lang)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{site_page.name} ({lang}) is {width}px wide at 360px"


def test_every_input_has_an_accessible_name(page, visitor, site_page):
    visitor.open(page, site_page)
    assert page.evaluate(UNNAMED_CONTROLS) == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_text_and_buttons_meet_wcag_aa_contrast(page, visitor, site_page, lang):
    visitor.open(page, site_page, lang)
    checked = page.evaluate(LOW_CONTRAST)
    assert any(item["element"].startswith(("p", "h1")) for item in checked), "no text measured"
    too_low = [item for item in checked if item["ratio"] < item["needed"]]
    assert too_low == [], f"{site_page.name} ({lang}): {too_low}"


def test_page_loads_without_console_errors(page, visitor, site_page):
    """A Content-Security-Policy violation (an inline script or style) is a console error."""
    errors: list[str] = []
    page.on("console", lambda line: errors.append(line.text) if line.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    visitor.open(page, site_page)
    page.wait_for_load_state("load")
    if site_page.status != 200:  # Chromium reports the error status itself
        errors = [text for text in errors if "status of" not in text]
    assert errors == []


def test_page_has_one_main_heading_in_the_readers_language(page, visitor, site_page):
    visitor.open(page, site_page, "es")
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.title().endswith("· cruce")


UNTIED_HELP = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const name of el.getAttributeNames()) {
      // two attributes written without a space between them parse as one unknown name
      if (/.aria-|^(required|multiple|disabled|checked|selected|readonly|autocomplete)[a-z]/
          .test(name)) {
        found.push(`<${el.tagName.toLowerCase()} ${name}>: attributes run together`);
      }
    }
  }
  for (const help of document.querySelectorAll(".field .hint[id], .field .error[id]")) {
    const field = help.closest(".field");
    const controls = field.querySelectorAll("input, select, textarea");
    const tied = [...controls].some((control) =>
      (control.getAttribute("aria-describedby") || "").split(/\\s+/).includes(help.id));
    if (controls.length && !tied) found.push(`#${help.id} is not in its input's aria-describedby`);
  }
  return found;
}"""


def test_hints_and_errors_are_tied_to_their_inputs(page, visitor, site_page):
    visitor.open(page, site_page)
    assert page.evaluate(UNTIED_HELP) == []
