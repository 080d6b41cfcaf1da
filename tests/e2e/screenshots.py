"""Take the screenshots of examples/bookshop/README.md: `python -m tests.e2e.screenshots`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.e2e.app import EXAMPLE, generated_bookshop, served
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = EXAMPLE / "screenshots"
AUTHORS = [("Ursula K. Le Guin", "US"), ("Frank Herbert", "US"), ("Mary Shelley", "GB")]
BOOKS = [
    ("The Dispossessed", "9780061054884", "8.99", "5", "Ursula K. Le Guin"),
    ("Dune", "9780441013593", "9.99", "12", "Frank Herbert"),
    ("Frankenstein", "9780141439471", "7.50", "3", "Mary Shelley"),
]


def fill_shop(page: Any) -> None:
    for name, country in AUTHORS:
        page.goto("/forms/add_author")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Country code").fill(country)
        page.get_by_role("button", name="Add author").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
    for title, isbn, price, stock, author in BOOKS:
        page.goto("/forms/add_book")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Isbn").fill(isbn)
        page.get_by_label("Price").fill(price)
        page.get_by_label("Stock").fill(stock)
        page.get_by_label("Author").select_option(label=author)
        page.get_by_role("button", name="Add book").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()


def shoot(page: Any) -> None:
    OUT.mkdir(exist_ok=True)
    page.goto("/")
    page.screenshot(path=OUT / "index.png")
    page.goto("/forms/add_book")
    page.get_by_label("Title").fill("The Left Hand of Darkness")
    page.get_by_label("Isbn").fill("123")
    page.get_by_label("Price").fill("1200")
    page.get_by_role("button", name="Add book").click()
    page.get_by_role("alert").wait_for()
    page.screenshot(path=OUT / "add_book_errors.png", full_page=True)
    page.goto("/states/books")
    page.locator(".sync").filter(has_text="version").wait_for()
    page.screenshot(path=OUT / "books.png", full_page=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        spec = generated_bookshop(Path(folder))
        with served(spec, Path(folder) / "shop.sqlite3") as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=url, viewport={"width": 900, "height": 700})
            fill_shop(page)
            shoot(page)
            browser.close()


if __name__ == "__main__":
    main()
