"""The review site and the compare chart in a real browser (issue 23): Debian's chromium driven by
Selenium through Debian's chromium-driver, both installed by `make test` (the Makefile's set-up);
nothing is downloaded (the driver is named, and Selenium Manager is told to stay offline). The pages
are opened from their files, as an analyst opens them. Screenshots are kept in build/screenshots/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, ingest, read_table
from extract.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SCREENSHOTS = ROOT / "build" / "screenshots"
TABLE_STEM = "105_huichuan_water_2024"

pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                reason="chromium and chromium-driver are installed by `make test` (Makefile set-up)")


@pytest.fixture(scope="module")
def browser():
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never fetch a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--allow-file-access-from-files"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(rendered, tmp_path_factory) -> tuple[Path, Path]:
    """The corpus texts and one of them as PDF, ingested; their review site. (out, site)"""
    out = tmp_path_factory.mktemp("browser") / "out"
    assert ingest([*sorted(CORPUS.glob("*.txt")), rendered / f"{TABLE_STEM}.pdf"], out, "--no-cache") == 0
    assert main(["review", str(out)]) == 0
    return out, out / "review"


def _shot(driver, name: str) -> None:
    """The window as a screenshot, and a small copy for the README (docs/img/ holds those of a run)."""
    from PIL import Image
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name))
    with Image.open(SCREENSHOTS / name) as shot:
        small = shot.convert("RGB").resize((1000, round(shot.height * 1000 / shot.width)), Image.LANCZOS)
        small.quantize(colors=128).save(SCREENSHOTS / f"small-{name}", optimize=True)


def test_the_index_lists_every_report_and_filters_and_sorts_them(browser, site):
    from selenium.webdriver.common.by import By
    out, folder = site
    reports = read_table(out, "reports")
    browser.get((folder / "index.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "table#reports tbody tr[data-report-id]")
    assert len(rows) == len(reports) == 9
    failed = [r["report_id"] for r in reports if any(c["report_id"] == r["report_id"] and c["status"] == "fail"
                                                      for c in read_table(out, "checks"))]
    assert failed and {row.get_attribute("data-report-id") for row in rows[:len(failed)]} == set(failed)
    _shot(browser, "review-index.png")
    browser.find_element(By.ID, "filter").send_keys("汇川")
    visible = [row for row in rows if row.is_displayed()]
    assert len(visible) == 2 and browser.find_element(By.ID, "shown").text == "2"  # the text and the PDF
    assert all("汇川" in row.text for row in visible)
    browser.find_element(By.ID, "filter").clear()
    browser.execute_script("const f = document.getElementById('filter'); f.value = ''; "
                           "f.dispatchEvent(new Event('input'));")
    year = browser.find_element(By.XPATH, "//table[@id='reports']//th[normalize-space()='year']")
    year.click()
    years = [int(row.find_elements(By.TAG_NAME, "td")[2].text) for row in
             browser.find_elements(By.CSS_SELECTOR, "table#reports tbody tr")]
    assert years == sorted(years) and year.get_attribute("aria-sort") == "ascending"


def test_a_pdf_reports_page_shows_its_page_with_each_facts_box_where_the_figure_is(browser, site, rendered):
    import pypdfium2 as pdfium
    from selenium.webdriver.common.by import By
    out, folder = site
    pdf = pdfium.PdfDocument(str(rendered / f"{TABLE_STEM}.pdf"))
    sizes = {str(i + 1): pdf.get_page_size(i) for i in range(len(pdf))}  # points, as displayed
    report = next(r for r in read_table(out, "reports") if r["file_type"] == "pdf")
    amounts = {a["fact_id"]: a for a in read_table(out, "amounts") if a["report_id"] == report["report_id"]}
    browser.get((folder / "r" / f"{report['report_id']}.html").as_uri())
    images = browser.find_elements(By.CSS_SELECTOR, "img.page[data-page]")
    fact_pages = {r["page"] for t in ("amounts", "rates", "counts") for r in read_table(out, t)
                  if r["report_id"] == report["report_id"]}
    assert [img.get_attribute("data-page") for img in images] == sorted(fact_pages) == ["1", "3"]  # pages with facts
    checked = 0
    for img in images:
        browser.execute_script("arguments[0].scrollIntoView()", img)
        browser.execute_script("return arguments[0].decode()", img)  # lazy images: drawn once in view
        assert browser.execute_script("return arguments[0].naturalWidth", img) == 1000
        page = img.get_attribute("data-page")
        frame = img.rect
        width_pt, height_pt = sizes[page]
        for box in img.find_elements(By.XPATH, "./following-sibling::*[contains(@class,'fact-box')]"):
            fact = amounts.get(box.get_attribute("data-fact-id"))
            if fact is None or fact["page"] != page:
                continue
            # Where the box is drawn over the image, as a share of the page, is where the figure is.
            left = (box.rect["x"] - frame["x"]) / frame["width"]
            top = (box.rect["y"] - frame["y"]) / frame["height"]
            assert abs(left - float(fact["x0"]) / width_pt) < 0.005, fact["raw"]
            assert abs(top - float(fact["top"]) / height_pt) < 0.005, fact["raw"]
            checked += 1
    assert checked == sum(1 for a in amounts.values() if a["x0"])
    budget = next(a for a in amounts.values() if a["raw"] == "520.00" and a["page"] == "3")
    browser.find_element(By.CSS_SELECTOR, f'aside#facts a[data-fact-id="{budget["fact_id"]}"]').click()
    box = browser.find_element(By.CSS_SELECTOR, f'.fact-box[data-fact-id="{budget["fact_id"]}"]')
    mark = browser.find_element(By.CSS_SELECTOR, f'mark[data-fact-id="{budget["fact_id"]}"]')
    assert "on" in box.get_attribute("class") and "on" in mark.get_attribute("class")
    assert box.is_displayed() and mark.text == "520.00"
    _shot(browser, "review-report.png")


def test_the_compare_chart_draws_offline_and_hovers_with_department_year_value_and_change(browser, site, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    out, _ = site
    chart = tmp_path / "chart.html"
    assert main(["compare", str(out), "--metric", "execution_rate", "--chart", str(chart)]) == 0
    browser.get(chart.as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "chart").get_attribute("data-ready"))
    assert browser.execute_script("return document.querySelectorAll('#chart .scatterlayer .trace').length") >= 2
    # Hover the first department's first year with a value, as the mouse does.
    trace = browser.execute_script(
        "const f = window.chart.data; const i = f.findIndex(t => t.meta && t.y && t.y.some(v => v !== null));"
        "const j = f[i].y.findIndex(v => v !== null);"
        "Plotly.Fx.hover('chart', [{curveNumber: i, pointNumber: j}]); return {name: f[i].name, year: f[i].x[j]};")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart .hovertext"))
    hover = browser.find_element(By.CSS_SELECTOR, "#chart .hovertext").text
    # The legend's name may be cut short (…); the hover names the department in full.
    assert trace["name"].rstrip("…") in hover and f"年份：{trace['year']}" in hover
    assert "预算执行率：" in hover and "%" in hover and "较上年" in hover
    _shot(browser, "compare-chart.png")
